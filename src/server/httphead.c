/*
 * The head of an HTTP/1.1 request, read incrementally and checked once
 * complete (see httphead.h for the rules).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "server/httphead.h"

#define MAX_SKIP    4  /* empty lines tolerated before a request line */
#define METHOD_MAX  16 /* longer methods are not ours: 501 would lie */
#define CLEN_DIGITS 15

void http_limits_default(struct http_limits *lim)
{
	lim->target_max = 4096;
	lim->line_max = 8192;
	lim->head_max = 32768;
	lim->fields_max = 100;
}

void http_scan_reset(struct http_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
}

static bool is_tchar(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A field value's byte: VCHAR, obs-text, SP or HTAB. */
static bool is_vbyte(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int fail(const char **why, int status, const char *msg)
{
	*why = msg;
	return status;
}

/* A field line [p, end) without its CRLF, split into name and value. */
struct field {
	const uint8_t *name, *val;
	size_t nlen, vlen;
};

static bool field_split(const uint8_t *p, const uint8_t *end, struct field *f)
{
	const uint8_t *q = p;

	while (q < end && is_tchar(*q))
		q++;
	if (q == p || q == end || *q != ':')
		return false; /* no name, or space before the colon */
	f->name = p;
	f->nlen = (size_t)(q - p);
	for (q++; q < end && (*q == ' ' || *q == '\t'); q++)
		;
	f->val = q;
	for (; q < end; q++)
		if (!is_vbyte(*q))
			return false;
	while (end > f->val && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	f->vlen = (size_t)(end - f->val);
	return true;
}

static bool name_is(const struct field *f, const char *name)
{
	return f->nlen == strlen(name) &&
	       !strncasecmp((const char *)f->name, name, f->nlen);
}

/* Content-Length: 1*DIGIT, and the same value when repeated. */
static int content_length(struct http_scan *sc, const struct field *f,
			  bool *seen, const char **why)
{
	int64_t v = 0;

	if (!f->vlen || f->vlen > CLEN_DIGITS)
		return fail(why, 400, "invalid Content-Length");
	for (size_t i = 0; i < f->vlen; i++) {
		if (f->val[i] < '0' || f->val[i] > '9')
			return fail(why, 400, "invalid Content-Length");
		v = v * 10 + (f->val[i] - '0');
	}
	if (*seen && v != sc->clen)
		return fail(why, 400, "conflicting Content-Length headers");
	*seen = true;
	sc->clen = v;
	return 0;
}

/* Connection: a list of tokens; close and keep-alive matter. */
static void connection(const struct field *f, bool *close, bool *keep)
{
	const uint8_t *p = f->val, *end = f->val + f->vlen;

	while (p < end) {
		const uint8_t *q = p;
		size_t n;

		while (q < end && *q != ',')
			q++;
		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(q - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 5 && !strncasecmp((const char *)p, "close", 5))
			*close = true;
		if (n == 10 && !strncasecmp((const char *)p, "keep-alive", 10))
			*keep = true;
		p = q + 1;
	}
}

/* METHOD SP origin-form SP HTTP/1.x (the line without its CRLF). */
static int request_line(struct http_scan *sc, const uint8_t *p,
			const uint8_t *end, const struct http_limits *lim,
			const char **why)
{
	const uint8_t *q = p;

	while (q < end && is_tchar(*q))
		q++;
	if (q == p || q == end || *q != ' ')
		return fail(why, 400, "malformed request line");
	if (q - p > METHOD_MAX)
		return fail(why, 501, "unknown method");
	p = ++q;
	while (q<end && * q> 0x20 && *q < 0x7f)
		q++;
	if (q == end || *q != ' ' || q == p)
		return fail(why, 400, "malformed request target");
	if (*p != '/')
		return fail(why, 400, "the request target must be a path");
	if ((size_t)(q - p) > lim->target_max)
		return fail(why, 414, "the request target is too long");
	p = q + 1;
	if (end - p != 8 || memcmp(p, "HTTP/", 5) || p[5] < '0' || p[5] > '9' ||
	    p[6] != '.' || p[7] < '0' || p[7] > '9')
		return fail(why, 400, "malformed HTTP version");
	if (p[5] != '1')
		return fail(why, 505, "only HTTP/1.x is served");
	sc->minor = p[7] - '0';
	return 0;
}

/* The complete head buf[sc->skip..sc->head_len), checked whole. */
static int head_check(struct http_scan *sc, const uint8_t *buf,
		      const struct http_limits *lim, const char **why)
{
	const uint8_t *p = buf + sc->skip, *end = buf + sc->head_len - 2;
	bool seen_clen = false, close = false, keep = false;
	int hosts = 0, st;

	for (const uint8_t *q = p; q < end; q++)
		if (*q == '\r' && q[1] != '\n')
			return fail(why, 400, "bare CR in the head");
	const uint8_t *eol = memchr(p, '\r', (size_t)(end - p));

	st = request_line(sc, p, eol, lim, why);
	if (st)
		return st;
	for (p = eol + 2; p < end; p = eol + 2) {
		struct field f;

		eol = memchr(p, '\r', (size_t)(end - p));
		if (!field_split(p, eol, &f))
			return fail(why, 400, "malformed header field");
		if (name_is(&f, "Transfer-Encoding"))
			return fail(why, 501,
				    "Transfer-Encoding is not supported: "
				    "send a Content-Length");
		if (name_is(&f, "Content-Length") &&
		    (st = content_length(sc, &f, &seen_clen, why)))
			return st;
		if (name_is(&f, "Host"))
			hosts++;
		if (name_is(&f, "Connection"))
			connection(&f, &close, &keep);
	}
	if (sc->minor >= 1 && hosts != 1)
		return fail(why, 400, "exactly one Host header is required");
	if (hosts > 1)
		return fail(why, 400, "several Host headers");
	sc->close = close || (sc->minor == 0 && !keep);
	return HTTP_SCAN_DONE;
}

/* A line ends at buf[i] == '\n'. */
static int line_end(struct http_scan *sc, const uint8_t *buf, size_t i,
		    const struct http_limits *lim, const char **why)
{
	size_t n = i + 1 - sc->line_start;

	if (i == sc->line_start || buf[i - 1] != '\r')
		return fail(why, 400, "bare LF in the head");
	if (n == 2) {
		if (sc->nlines) {
			sc->head_len = i + 1;
			return head_check(sc, buf, lim, why);
		}
		if (sc->skip / 2 >= MAX_SKIP)
			return fail(why, 400,
				    "empty lines instead of a request");
		sc->skip += 2;
	} else if (++sc->nlines == 1) {
		/* the request line is judged as soon as it is complete */
		int st = request_line(sc, buf + sc->line_start, buf + i - 1,
				      lim, why);

		if (st)
			return st;
	} else {
		if (sc->nlines - 1 > lim->fields_max)
			return fail(why, 431, "too many header fields");
	}
	sc->line_start = i + 1;
	return HTTP_SCAN_MORE;
}

/*
 * The limits, judged at each byte as it comes (not at the end of a read),
 * so that the answer never depends on how the bytes were split.
 */
static int limits(const struct http_scan *sc, const struct http_limits *lim,
		  const char **why)
{
	size_t n = sc->pos + 1 - sc->line_start;

	if (sc->pos + 1 - sc->skip > lim->head_max)
		return fail(why, 431, "the request head is too large");
	if (!sc->nlines && n > lim->target_max + METHOD_MAX + 12)
		return fail(why, 414, "the request target is too long");
	if (sc->nlines && n > lim->line_max)
		return fail(why, 431, "a header line is too long");
	return HTTP_SCAN_MORE;
}

int http_scan(struct http_scan *sc, const uint8_t *buf, size_t len,
	      const struct http_limits *lim, const char **why)
{
	*why = "";
	for (; sc->pos < len; sc->pos++) {
		int st = limits(sc, lim, why);

		if (st == HTTP_SCAN_MORE && buf[sc->pos] == '\n')
			st = line_end(sc, buf, sc->pos, lim, why);
		if (st != HTTP_SCAN_MORE) {
			sc->pos++;
			return st;
		}
	}
	return HTTP_SCAN_MORE;
}
