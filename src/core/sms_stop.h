/*
 * sms_stop — whether an inbound SMS asks to stop receiving messages.
 *
 * French practice (the operators' SMS+ code of conduct and the CNIL's
 * guidance on commercial SMS) makes "STOP" the opt-out word, often shown
 * as "STOP SMS" or "STOP au 36xxx"; customers also write ARRET / ARRÊT,
 * STOPPER, ARRETER and DESABONNER / DÉSINSCRIPTION. The keyword must be
 * the whole message: "stop" inside a sentence ("ne stoppez pas ma
 * commande") is a conversation, not an opt-out.
 *
 * Matching ignores case, accents (Latin-1 letters fold to their base
 * letter), spaces around and between words and a final . or !.
 *
 * Pure: no I/O.
 */
#ifndef RELAIS_SMS_STOP_H
#define RELAIS_SMS_STOP_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the UTF-8 text (size bytes) is an opt-out request. */
bool sms_stop_is_optout(const char *text, size_t size);

/*
 * Whether the UTF-8 text is a request to receive messages again after an
 * opt-out: START (the word STOP confirmations quote), matched the same way.
 */
bool sms_stop_is_optin(const char *text, size_t size);

#endif
