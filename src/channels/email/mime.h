/*
 * mime — an email (RFC 5322 + MIME) as the neutral struct the email
 * channel works with, parsed with GMime, and the reply built back.
 *
 * Everything in a struct mail_msg is UTF-8, whatever the charsets of the
 * original (ISO-8859-1, Windows-1252, UTF-8 and what iconv knows), with
 * RFC 2047 encoded words decoded. The HTML body is already sanitised
 * (html_clean.h): no caller ever sees the sender's HTML.
 */
#ifndef RELAIS_CHANNELS_EMAIL_MIME_H
#define RELAIS_CHANNELS_EMAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mail_addr {
	char *name; /* display name, "" when none */
	char *addr; /* local@domain */
};

struct mail_addrs {
	struct mail_addr *v;
	size_t n;
};

/* An attachment, or an inline image (cid set, is_inline true). */
struct mail_part {
	char *name; /* file name, "" when the sender gave none */
	char *type; /* lower-case type/subtype */
	char *cid;  /* Content-ID without <>, "" when none */
	bool is_inline;
	uint8_t *data; /* decoded bytes; NULL when a store took them */
	size_t size;
	char *ref; /* what the store answered; NULL without a store */
};

struct mail_msg {
	char *message_id;  /* without <>, "" when none */
	char *in_reply_to; /* without <>, "" when none */
	char **references; /* without <>, oldest first */
	size_t nreferences;
	char *subject; /* decoded, "" when none */
	struct mail_addr from;
	struct mail_addrs to, cc, reply_to;
	int64_t date_ms; /* UTC milliseconds, 0 when absent or unreadable */
	bool is_auto; /* Auto-Submitted, Precedence bulk/list/junk, List-Id */
	char *text;   /* text/plain, or derived from the HTML */
	char *html;   /* sanitised HTML, "" when the message had none */
	struct mail_part *parts;
	size_t nparts;
};

/* Limits on what one message may hold; 0 or a NULL: the defaults. */
struct mail_limits {
	size_t max_parts;     /* attachments and inline images kept (64) */
	size_t max_part_size; /* a larger part: EFBIG, refused (25 MiB) */
	/*
	 * When set, each part's decoded bytes go to STORE (with ARG) instead
	 * of into part->data, and what it puts in *REFP (malloc'd, such as an
	 * attachment id) becomes part->ref. Its error refuses the message;
	 * the store then undoes what it kept, if it must.
	 */
	int (*store)(void *arg, const struct mail_part *part, const void *data,
		     size_t size, char **refp);
	void *arg;
};

/*
 * Parses the raw message BUF of LEN bytes. EINVAL when it is not a
 * message (no header, no From and no Date and no Message-ID), EFBIG past a
 * limit, ENOMEM. On success *MSGP is the caller's (mail_msg_free()).
 */
int mail_parse(struct mail_msg **msgp, const void *buf, size_t len,
	       const struct mail_limits *lim);
void mail_msg_free(struct mail_msg *msg);

/* An outbound message: a reply when ORIG is set, a new one otherwise. */
struct mail_reply {
	const struct mail_msg *orig;
	const char *from_name; /* the mailbox's display name, may be NULL */
	const char *from_addr; /* the mailbox; its domain names Message-ID */
	const char *reply_to;  /* may be NULL */
	const char *const *to; /* NULL: orig's Reply-To, else its From */
	size_t nto;
	const char *const *cc;
	size_t ncc;
	const char *subject;	/* NULL: "Re: " + orig's subject, once */
	const char *text;	/* the answer, UTF-8 */
	bool quote;		/* quote orig's text below an attribution */
	bool auto_reply;	/* Auto-Submitted: auto-replied */
	int64_t now_ms;		/* the Date */
	const char *message_id; /* without <>; NULL: a random one */
	/* Files sent along (name, type, data, size of each): NULL/0. */
	const struct mail_part *files;
	size_t nfiles;
};

/*
 * Builds the message: UTF-8 quoted-printable text, CRLF lines, and with
 * files a multipart/mixed whose first part is the text. *OUTP
 * (malloc'd, NUL-terminated, *LENP bytes) and *MSGIDP (malloc'd, without
 * <>) are the caller's. EINVAL for a missing or unsafe address (CR, LF,
 * no '@') or no recipient.
 */
int mail_reply_build(char **outp, size_t *lenp, char **msgidp,
		     const struct mail_reply *r);

/* GMime's global state: once before the first call, from any module. */
void mail_init(void);

#endif
