/*
 * kannel — smsbox's sendsms request and its get-url / dlr-url callbacks
 * (see kannel.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/sms/kannel.h"
#include "core/sms_len.h"

#define SECRET_MAX 128

/* A growing string for the URLs we write. */
struct buf {
	char *p;
	size_t len, cap;
	int err;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = (b->len + n + 1) * 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->err = ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Percent-encodes all but RFC 3986's unreserved characters. */
static void buf_esc(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~') {
			buf_add(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		buf_add(b, e, 3);
	}
}

static int buf_finish(struct buf *b, char **urlp)
{
	if (b->err) {
		free(b->p);
		return b->err;
	}
	*urlp = b->p;
	return 0;
}

/* An E.164 number or a short code: an optional '+', then digits. */
static bool valid_number(const char *s)
{
	size_t i = *s == '+' ? 1 : 0, n = strlen(s);

	if (n <= i || n > KANNEL_NUMBER_MAX)
		return false;
	for (; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* A sender: a number, or a name of up to 11 letters and digits. */
static bool valid_sender(const char *s)
{
	size_t n = strlen(s), i;

	if (valid_number(s))
		return true;
	if (!n || n > 11)
		return false;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != ' ')
			return false;
	}
	return true;
}

/*
 * Ids and secrets travel inside URLs that Kannel rewrites, where a '%'
 * starts one of its fields: letters, digits, '.', '_', '-' only.
 */
static bool valid_token(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (!n || n > max)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

static bool valid_id(const char *s)
{
	return valid_token(s, KANNEL_ID_MAX);
}

/* A URL of ours in kannel.conf: no '%' (Kannel's) and no quote. */
static bool valid_base(const char *s)
{
	return *s && !strpbrk(s, "%\"\\ \t\r\n");
}

/* The query part of the dlr-url: Kannel fills in the % fields. */
static void dlr_query(struct buf *b, const struct kannel_gateway *gw,
		      const char *msg_id)
{
	buf_str(b, gw->dlr_url);
	buf_str(b, strchr(gw->dlr_url, '?') ? "&" : "?");
	buf_str(b, "id=");
	buf_esc(b, msg_id);
	buf_str(b, "&type=%d&smsc=%i&ts=%T&reply=%A&secret=");
	buf_str(b, gw->secret);
}

int kannel_sendsms_url(char **urlp, const struct kannel_gateway *gw,
		       const char *from, const char *to, const char *text,
		       const char *msg_id)
{
	struct buf b = {0}, dlr = {0};
	struct sms_len len;

	if (!urlp || !gw || !gw->sendsms_url || !gw->username ||
	    !gw->password || !gw->dlr_url || !gw->secret || !from || !to ||
	    !text || !msg_id)
		return EINVAL;
	if (!valid_sender(from) || !valid_number(to) || !valid_id(msg_id) ||
	    sms_len_measure(&len, text, strlen(text)) ||
	    !valid_token(gw->secret, SECRET_MAX) || !valid_base(gw->dlr_url))
		return EINVAL;
	buf_str(&b, gw->sendsms_url);
	buf_str(&b, "?username=");
	buf_esc(&b, gw->username);
	buf_str(&b, "&password=");
	buf_esc(&b, gw->password);
	buf_str(&b, "&from=");
	buf_esc(&b, from);
	buf_str(&b, "&to=");
	buf_esc(&b, to);
	buf_str(&b, "&text=");
	buf_esc(&b, text);
	/* Kannel turns UTF-8 into GSM-7 itself; UCS-2 must be asked for. */
	buf_str(&b, len.encoding == SMS_UCS2 ? "&charset=UTF-8&coding=2"
					     : "&charset=UTF-8");
	buf_str(&b, "&dlr-mask=31&dlr-url=");
	dlr_query(&dlr, gw, msg_id);
	if (dlr.err) {
		free(b.p);
		return dlr.err;
	}
	buf_esc(&b, dlr.p);
	free(dlr.p);
	return buf_finish(&b, urlp);
}

int kannel_get_url(char **urlp, const char *base, const char *secret)
{
	struct buf b = {0};

	if (!urlp || !base || !secret || !valid_base(base) ||
	    !valid_token(secret, SECRET_MAX))
		return EINVAL;
	buf_str(&b, base);
	buf_str(&b, strchr(base, '?') ? "&" : "?");
	/* %b, not %a: %a joins the words and loses the text's spacing. */
	buf_str(&b, "from=%p&to=%P&text=%b&charset=%C&coding=%c&smsc=%i"
		    "&ts=%T&id=%I&secret=");
	buf_str(&b, secret);
	return buf_finish(&b, urlp);
}

/* One field of a callback's query: where its decoded value goes. */
struct field {
	const char *name;
	char *out;   /* NUL-terminated value, at most max bytes */
	size_t max;  /* for the text: the bytes allocated */
	size_t len;  /* decoded bytes */
	bool binary; /* may hold NUL bytes (UTF-16 text) */
	bool seen;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes application/x-www-form-urlencoded v (n bytes) into f. */
static int decode(struct field *f, const char *v, size_t n, const char **whyp)
{
	size_t i, len = 0;
	int hi, lo;
	char c;

	for (i = 0; i < n; i++) {
		c = v[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			hi = i + 2 < n ? hexval(v[i + 1]) : -1;
			lo = hi >= 0 ? hexval(v[i + 2]) : -1;
			if (lo < 0) {
				*whyp = "bad percent-escape";
				return EINVAL;
			}
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if ((!c && !f->binary) || len >= f->max) {
			*whyp = c ? "field too long" : "NUL in a field";
			return EINVAL;
		}
		f->out[len++] = c;
	}
	f->out[len] = '\0';
	f->len = len;
	return 0;
}

/*
 * Splits the query on '&' and '=' and decodes the fields of fv that it
 * names; other names are left alone (Kannel may add some), a field named
 * twice is refused (which of the two would we believe?).
 */
static int split(struct field *fv, size_t fc, const char *q, size_t len,
		 const char **whyp)
{
	const char *end = q + len, *amp, *eq;
	size_t i, klen;
	int err;

	while (q < end) {
		amp = memchr(q, '&', (size_t)(end - q));
		if (!amp)
			amp = end;
		eq = memchr(q, '=', (size_t)(amp - q));
		klen = (size_t)((eq ? eq : amp) - q);
		for (i = 0; i < fc; i++) {
			if (strlen(fv[i].name) != klen ||
			    memcmp(fv[i].name, q, klen))
				continue;
			if (fv[i].seen) {
				*whyp = "field given twice";
				return EINVAL;
			}
			fv[i].seen = true;
			/* A name without '=' is an empty value. */
			fv[i].out[0] = '\0';
			fv[i].len = 0;
			err = eq ? decode(&fv[i], eq + 1,
					  (size_t)(amp - eq - 1), whyp)
				 : 0;
			if (err)
				return err;
		}
		q = amp + 1;
	}
	return 0;
}

/* Compares in a time that does not tell how much of the secret matched. */
static bool same_secret(const char *got, size_t got_len, const char *want)
{
	size_t n = strlen(want), i;
	unsigned char d = got_len != n;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(want[i] ^ (i < got_len ? got[i] : 0));
	return !d && n > 0;
}

static int check_secret(const struct field *f, const char *secret,
			const char **whyp)
{
	if (!secret || !f->seen || !same_secret(f->out, f->len, secret)) {
		*whyp = "missing or wrong secret";
		return EACCES;
	}
	return 0;
}

/* Unix seconds: 1 to 12 digits (Kannel's %T). */
static int parse_ts(int64_t *ts, const struct field *f, const char **whyp)
{
	size_t i;

	*ts = 0;
	if (!f->seen || !f->len || f->len > 12) {
		*whyp = "missing or bad ts";
		return EINVAL;
	}
	for (i = 0; i < f->len; i++) {
		if (!isdigit((unsigned char)f->out[i])) {
			*whyp = "missing or bad ts";
			return EINVAL;
		}
		*ts = *ts * 10 + (f->out[i] - '0');
	}
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* UTF-16BE (n bytes) into UTF-8 at out (room for n * 3 / 2 + 1). */
static int from_utf16be(char *out, size_t *olen, const unsigned char *s,
			size_t n)
{
	size_t i = 0, o = 0;
	uint32_t u, lo;

	if (n % 2)
		return EINVAL;
	while (i < n) {
		u = (uint32_t)s[i] << 8 | s[i + 1];
		i += 2;
		if (u >= 0xdc00 && u <= 0xdfff)
			return EINVAL;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 2 > n)
				return EINVAL;
			lo = (uint32_t)s[i] << 8 | s[i + 1];
			if (lo < 0xdc00 || lo > 0xdfff)
				return EINVAL;
			i += 2;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (!u)
			return EINVAL;
		o += put_utf8(out + o, u);
	}
	out[o] = '\0';
	*olen = o;
	return 0;
}

static int from_latin1(char *out, size_t *olen, const unsigned char *s,
		       size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (!s[i])
			return EINVAL;
		o += put_utf8(out + o, s[i]);
	}
	out[o] = '\0';
	*olen = o;
	return 0;
}

static int check_utf8(const char *s, size_t n)
{
	size_t off = 0, step;
	uint32_t cp;

	while (off < n) {
		step = sms_len_utf8_next(s + off, n - off, &cp);
		if (!step)
			return EINVAL;
		off += step;
	}
	return 0;
}

/*
 * The MO text into UTF-8 (mo->text) from its charset and coding (%C
 * and %c: UTF-8 for GSM-7 or a text that smsbox recoded, UTF-16BE for
 * UCS-2); binary messages (coding 1) are no conversation.
 */
static int mo_text(struct kannel_mo *mo, const struct field *text,
		   const struct field *charset, const struct field *coding,
		   const char **whyp)
{
	const unsigned char *raw = (const unsigned char *)text->out;
	const char *cs = charset->seen ? charset->out : "";
	const char *cd = coding->seen ? coding->out : "";
	int err;

	if (strcmp(cd, "") && strcmp(cd, "0") && strcmp(cd, "2")) {
		*whyp = "unsupported coding";
		return EINVAL;
	}
	/* Latin-1 doubles at most, UTF-16 takes 3 bytes for 2 at most. */
	mo->text = malloc(text->len * 2 + 1);
	if (!mo->text)
		return ENOMEM;
	if (!strcasecmp(cs, "UTF-16BE") || (!*cs && !strcmp(cd, "2"))) {
		err = from_utf16be(mo->text, &mo->text_len, raw, text->len);
	} else if (!strcasecmp(cs, "ISO-8859-1")) {
		err = from_latin1(mo->text, &mo->text_len, raw, text->len);
	} else if (!strcasecmp(cs, "UTF-8") || !*cs) {
		err = memchr(raw, 0, text->len)
			      ? EINVAL
			      : check_utf8(text->out, text->len);
		memcpy(mo->text, text->out, text->len + 1);
		mo->text_len = text->len;
	} else {
		*whyp = "unsupported charset";
		return EINVAL;
	}
	if (err)
		*whyp = "text is not in its charset";
	return err;
}

static int copy_field(char *dst, const struct field *f,
		      bool (*ok)(const char *), const char *why,
		      const char **whyp)
{
	if (!f->seen || (ok && !ok(f->out))) {
		*whyp = why;
		return EINVAL;
	}
	strcpy(dst, f->out);
	return 0;
}

/* Kannel's smsc-id: free-form in kannel.conf, here printable ASCII. */
static bool valid_smsc(const char *s)
{
	for (; *s; s++) {
		if (*s < 0x21 || *s > 0x7e)
			return false;
	}
	return true;
}

static bool valid_id_or_empty(const char *s)
{
	return !*s || valid_id(s);
}

static int mo_fields(struct kannel_mo *mo, struct field *fv, const char *secret,
		     const char **whyp)
{
	int err;

	err = check_secret(&fv[7], secret, whyp);
	if (!err)
		err = copy_field(mo->from, &fv[0], valid_sender, "bad from",
				 whyp);
	if (!err)
		err = copy_field(mo->to, &fv[1], valid_sender, "bad to", whyp);
	if (!err && !fv[2].seen) {
		*whyp = "missing text";
		err = EINVAL;
	}
	if (!err)
		err = copy_field(mo->smsc, &fv[5], valid_smsc, "bad smsc",
				 whyp);
	if (!err)
		err = copy_field(mo->id, &fv[8], valid_id_or_empty, "bad id",
				 whyp);
	if (!err)
		err = parse_ts(&mo->ts, &fv[6], whyp);
	if (!err)
		err = mo_text(mo, &fv[2], &fv[3], &fv[4], whyp);
	return err;
}

int kannel_mo_parse(struct kannel_mo *mo, const char *query, size_t len,
		    const char *secret, const char **whyp)
{
	char from[KANNEL_NUMBER_MAX + 1], to[KANNEL_NUMBER_MAX + 1];
	char charset[16], coding[4], smsc[KANNEL_SMSC_MAX + 1];
	char ts[16], sec[SECRET_MAX + 1], id[KANNEL_ID_MAX + 1];
	struct field fv[] = {
		{"from", from, sizeof(from) - 1, 0, false, false},
		{"to", to, sizeof(to) - 1, 0, false, false},
		{"text", NULL, len, 0, true, false},
		{"charset", charset, sizeof(charset) - 1, 0, false, false},
		{"coding", coding, sizeof(coding) - 1, 0, false, false},
		{"smsc", smsc, sizeof(smsc) - 1, 0, false, false},
		{"ts", ts, sizeof(ts) - 1, 0, false, false},
		{"secret", sec, sizeof(sec) - 1, 0, false, false},
		{"id", id, sizeof(id) - 1, 0, false, false},
	};
	const char *why = NULL;
	int err;

	if (!mo || !query)
		return EINVAL;
	memset(mo, 0, sizeof(*mo));
	if (len > KANNEL_QUERY_MAX) {
		why = "query too long";
		err = EMSGSIZE;
		goto out;
	}
	fv[2].out = malloc(len + 1);
	if (!fv[2].out)
		return ENOMEM;
	fv[2].out[0] = '\0';
	smsc[0] = id[0] = '\0';
	err = split(fv, sizeof(fv) / sizeof(fv[0]), query, len, &why);
	if (!err) {
		/* smsc and id are optional: Kannel leaves them empty. */
		fv[5].seen = fv[8].seen = true;
		err = mo_fields(mo, fv, secret, &why);
	}
	free(fv[2].out);
out:
	if (err) {
		kannel_mo_reset(mo);
		if (whyp)
			*whyp = why ? why : "out of memory";
	}
	return err;
}

void kannel_mo_reset(struct kannel_mo *mo)
{
	if (!mo)
		return;
	free(mo->text);
	memset(mo, 0, sizeof(*mo));
}

static int dlr_type(enum kannel_dlr_type *type, const struct field *f,
		    const char **whyp)
{
	static const char *const names[] = {"1", "2", "4", "8", "16"};
	size_t i;

	for (i = 0; f->seen && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(f->out, names[i])) {
			*type = (enum kannel_dlr_type)(1 << i);
			return 0;
		}
	}
	*whyp = "missing or bad type";
	return EINVAL;
}

static int dlr_fields(struct kannel_dlr *dlr, struct field *fv,
		      const char *secret, const char **whyp)
{
	int err;

	err = check_secret(&fv[5], secret, whyp);
	if (!err)
		err = copy_field(dlr->id, &fv[0], valid_id, "missing or bad id",
				 whyp);
	if (!err)
		err = dlr_type(&dlr->type, &fv[1], whyp);
	if (!err)
		err = copy_field(dlr->smsc, &fv[2], valid_smsc, "bad smsc",
				 whyp);
	if (!err)
		err = parse_ts(&dlr->ts, &fv[3], whyp);
	if (!err && check_utf8(fv[4].out, fv[4].len)) {
		*whyp = "reply is not UTF-8";
		err = EINVAL;
	}
	if (!err)
		strcpy(dlr->reply, fv[4].out);
	return err;
}

int kannel_dlr_parse(struct kannel_dlr *dlr, const char *query, size_t len,
		     const char *secret, const char **whyp)
{
	char id[KANNEL_ID_MAX + 1], type[4], smsc[KANNEL_SMSC_MAX + 1];
	char ts[16], reply[KANNEL_REPLY_MAX + 1], sec[SECRET_MAX + 1];
	struct field fv[] = {
		{"id", id, sizeof(id) - 1, 0, false, false},
		{"type", type, sizeof(type) - 1, 0, false, false},
		{"smsc", smsc, sizeof(smsc) - 1, 0, false, false},
		{"ts", ts, sizeof(ts) - 1, 0, false, false},
		{"reply", reply, sizeof(reply) - 1, 0, false, false},
		{"secret", sec, sizeof(sec) - 1, 0, false, false},
	};
	const char *why = NULL;
	int err;

	if (!dlr || !query)
		return EINVAL;
	memset(dlr, 0, sizeof(*dlr));
	id[0] = type[0] = smsc[0] = reply[0] = '\0';
	if (len > KANNEL_QUERY_MAX) {
		why = "query too long";
		err = EMSGSIZE;
	} else {
		err = split(fv, sizeof(fv) / sizeof(fv[0]), query, len, &why);
	}
	if (!err) {
		fv[2].seen = fv[4].seen = true;
		err = dlr_fields(dlr, fv, secret, &why);
	}
	if (err) {
		memset(dlr, 0, sizeof(*dlr));
		if (whyp)
			*whyp = why;
	}
	return err;
}

const char *kannel_dlr_status(enum kannel_dlr_type type)
{
	switch (type) {
	case KANNEL_DLR_DELIVERED:
		return "delivered";
	case KANNEL_DLR_BUFFERED:
		return "queued";
	case KANNEL_DLR_SMSC_SUBMIT:
		return "sent";
	case KANNEL_DLR_FAILED:
	case KANNEL_DLR_SMSC_REJECT:
	default:
		return "failed";
	}
}
