/*
 * sms_len — how long a text is for the mobile network: which encoding it
 * needs, how many units it counts, in how many SMS it goes and how many
 * units are left in the last one (the composer's counter).
 *
 * GSM-7 (3GPP TS 23.038) is tried first: its default alphabet counts one
 * septet a character and its extension table (€ [ ] { } \ ^ ~ | and form
 * feed) two, an escape and the character. A text with any character
 * outside both falls back to UCS-2, where every UTF-16 code unit counts
 * one (an emoji, outside the BMP, counts two).
 *
 * One SMS holds 160 septets or 70 UCS-2 units. A longer text is cut into
 * concatenated parts whose header (UDH) leaves 153 septets or 67 units;
 * an escape pair or a surrogate pair is never split between two parts, so
 * a part may end one unit short, as handsets and gateways do.
 *
 * Pure: no I/O.
 */
#ifndef RELAIS_SMS_LEN_H
#define RELAIS_SMS_LEN_H

#include <stddef.h>
#include <stdint.h>

enum sms_encoding {
	SMS_GSM7,
	SMS_UCS2,
};

#define SMS_GSM7_SINGLE 160
#define SMS_GSM7_PART	153
#define SMS_UCS2_SINGLE 70
#define SMS_UCS2_PART	67

struct sms_len {
	enum sms_encoding encoding;
	size_t chars;	 /* Unicode code points of the text */
	size_t units;	 /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	size_t segments; /* SMS sent; 0 for the empty text */
	size_t per_part; /* what one SMS holds: 160, 153, 70 or 67 */
	size_t left;	 /* units still free in the last SMS */
};

/*
 * Measures the UTF-8 text (size bytes, no NUL needed) into *out. Returns
 * 0, or EINVAL when text is not valid UTF-8 (overlong forms, surrogates
 * and code points past U+10FFFF included) and then *out is untouched.
 */
int sms_len_measure(struct sms_len *out, const char *text, size_t size);

/* "gsm7" or "ucs2". */
const char *sms_len_encoding_name(enum sms_encoding enc);

/*
 * Septets that code point cp takes in GSM-7: 1 for the default alphabet,
 * 2 for the extension table, 0 when GSM-7 cannot carry it.
 */
int sms_len_gsm7_septets(uint32_t cp);

/*
 * Decodes one UTF-8 code point from s (n bytes left) into *cp. Returns
 * the bytes it took (1..4) or 0 when the sequence is not valid UTF-8.
 */
size_t sms_len_utf8_next(const char *s, size_t n, uint32_t *cp);

#endif
