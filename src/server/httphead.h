/*
 * httphead — where an HTTP/1.1 request's head ends and whether it may be
 * trusted to frame the body (RFC 9112 §2–§6), read from a connection's
 * bytes as they arrive.
 *
 * The scan is incremental: each call looks only at the bytes added since
 * the last one, so a client that sends its head a byte at a time costs
 * O(n) in all, and the limits are enforced before the head is complete
 * (a request line or a header line too long is refused as soon as it is).
 * When the head is complete it is checked whole, once:
 *   - the request line is METHOD SP origin-form SP HTTP/1.x, in ASCII;
 *   - every field line is name ":" value, the name a token with no space
 *     before the colon, the value without control characters; no line
 *     folding, no bare CR or LF;
 *   - Content-Length is digits only, and when repeated, the same value;
 *   - Transfer-Encoding is not implemented (501), so a body is only ever
 *     framed by Content-Length: no chunked body can be run as a request;
 *   - HTTP/1.1 carries exactly one Host.
 * No I/O and no allocation: the connection layer (hconn.c) and the fuzzer
 * drive the same code. libre's http_msg_decode() then reads the checked
 * head into a struct http_msg.
 */
#ifndef RELAIS_HTTPHEAD_H
#define RELAIS_HTTPHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_limits {
	size_t target_max; /* the request target: 414 beyond */
	size_t line_max;   /* one field line: 431 beyond */
	size_t head_max;   /* the whole head: 431 beyond */
	size_t fields_max; /* field lines: 431 beyond */
};

/* The defaults: 4 KiB target, 8 KiB line, 32 KiB head, 100 fields. */
void http_limits_default(struct http_limits *lim);

/* The state of one head being read; zero it (or reset) per request. */
struct http_scan {
	size_t pos;	   /* bytes looked at */
	size_t line_start; /* where the current line starts */
	size_t skip;	   /* empty lines before the request line */
	size_t nlines;	   /* complete lines of the head so far */
	/* when complete: */
	size_t head_len; /* the head, its final empty line included */
	int64_t clen;	 /* Content-Length, 0 when absent */
	int minor;	 /* HTTP/1.minor */
	bool close;	 /* the client asks to close after the answer */
};

enum {
	HTTP_SCAN_MORE = -1, /* the head is not complete yet */
	HTTP_SCAN_DONE = 0,  /* complete and checked */
	/* otherwise: the HTTP status to answer (400, 414, 431, 501, 505) */
};

void http_scan_reset(struct http_scan *sc);

/*
 * Looks at buf[sc->pos..len) (buf[0..sc->pos) was seen by earlier calls
 * and must be unchanged). Returns HTTP_SCAN_MORE, HTTP_SCAN_DONE or a
 * status; *why (a static string) says what was wrong.
 */
int http_scan(struct http_scan *sc, const uint8_t *buf, size_t len,
	      const struct http_limits *lim, const char **why);

#endif
