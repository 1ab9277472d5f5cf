/*
 * smtp — hands one built message (mail_reply_build) to an SMTP server
 * through libcurl. Returns once the server has taken it (250 after DATA).
 */
#ifndef RELAIS_CHANNELS_EMAIL_SMTP_H
#define RELAIS_CHANNELS_EMAIL_SMTP_H

#include <stddef.h>

#include "channels/email/mailnet.h"

/*
 * Sends MSG (LEN bytes, CRLF lines) from the envelope sender FROM to the
 * NRCPT addresses RCPT. EINVAL for an unsafe address, ECONNREFUSED,
 * EACCES (login), EPROTO (TLS), EIO (the server refused), ETIMEDOUT.
 */
int smtp_send(const struct mail_server *srv, const char *from,
	      const char *const *rcpt, size_t nrcpt, const char *msg,
	      size_t len);

#endif
