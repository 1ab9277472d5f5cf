/*
 * fuzz_mime — arbitrary bytes through GMime into struct mail_msg
 * (mail_parse), and through the HTML sanitiser. When the first byte is
 * '<', the rest goes to html_clean() alone: more coverage of the
 * sanitiser than the MIME path gives it.
 *
 * Promises checked (abort otherwise): every string of a parsed message is
 * valid UTF-8; the sanitised HTML holds no <script, no on*= attribute, no
 * javascript: and no remote image; a reply built to the message parses
 * back with its Message-ID and In-Reply-To; what the email channel reads
 * to thread it (the subject's reference, relais's own Message-IDs) and the
 * loop guard of its automatic answers keep their promises (mailref.h).
 * Seeds: tests/data/mail/.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "channels/email/html_clean.h"
#include "channels/email/mailref.h"
#include "channels/email/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void utf8(const char *s)
{
	if (!s || !g_utf8_validate(s, -1, NULL))
		abort();
}

static bool listed(const char *s, size_t n, const char *const *set)
{
	for (; *set; set++) {
		if (strlen(*set) == n && !strncmp(s, *set, n))
			return true;
	}
	return false;
}

/* One tag we wrote: a kept element, kept attributes, quoted values. */
static void safe_tag(const char *t, size_t n)
{
	static const char *const tags[] = {
		"p",   "br",   "b",   "i",     "u",	"strong", "em",
		"ul",  "ol",   "li",  "a",     "pre",	"code",	  "blockquote",
		"h1",  "h2",   "h3",  "h4",    "h5",	"h6",	  "table",
		"tr",  "td",   "th",  "thead", "tbody", "tfoot",  "caption",
		"img", "span", "div", "hr",    NULL,
	};
	static const char *const attrs[] = {"href",    "rel",	  "src",
					    "alt",     "width",	  "height",
					    "colspan", "rowspan", NULL};
	size_t i = (t[0] == '/'), start = i;

	while (i < n && t[i] != ' ')
		i++;
	if (!listed(t + start, i - start, tags))
		abort();
	while (i < n) {
		size_t name = ++i;
		const char *q;

		while (i < n && t[i] != '=')
			i++;
		if (!listed(t + name, i - name, attrs) || t[i + 1] != '"')
			abort();
		q = memchr(t + i + 2, '"', n - i - 2);
		if (!q)
			abort();
		if (!strncmp(t + name, "src=", 4) &&
		    strncasecmp(t + i + 2, "cid:", 4))
			abort();
		if (!strncmp(t + name, "href=", 5) &&
		    strncasecmp(t + i + 2, "http", 4) &&
		    strncasecmp(t + i + 2, "mailto:", 7))
			abort();
		i = (size_t)(q - t) + 1;
	}
}

/* The sanitiser's output is ours: every '<' opens a tag it allows. */
static void safe_html(const char *h)
{
	for (const char *p = strchr(h, '<'); p; p = strchr(p, '<')) {
		const char *end = strchr(p, '>');

		if (!end)
			abort();
		safe_tag(p + 1, (size_t)(end - p - 1));
		p = end;
	}
}

static void check_msg(const struct mail_msg *m)
{
	utf8(m->message_id);
	utf8(m->in_reply_to);
	utf8(m->subject);
	utf8(m->from.addr);
	utf8(m->text);
	utf8(m->html);
	safe_html(m->html);
	for (size_t i = 0; i < m->nreferences; i++)
		utf8(m->references[i]);
	for (size_t i = 0; i < m->to.n; i++)
		utf8(m->to.v[i].addr);
	for (size_t i = 0; i < m->nparts; i++) {
		utf8(m->parts[i].name);
		utf8(m->parts[i].type);
		if (m->parts[i].size && !m->parts[i].data)
			abort();
	}
}

/*
 * An id of dot-atoms (GMime rewrites others, such as a trailing dot, the
 * same way on every read, so threading still matches on them).
 */
static bool plain_id(const char *id)
{
	const char *at = strchr(id, '@');
	size_t n = strlen(id);

	if (!at || n >= 500 || at == id || !at[1] || id[0] == '.' ||
	    id[n - 1] == '.' || at[-1] == '.' || at[1] == '.' ||
	    strstr(id, "..") || strchr(at + 1, '@'))
		return false;
	return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789.-_@") == n;
}

/* A reply to what parsed must parse back and thread. */
static void round_trip(const struct mail_msg *m)
{
	struct mail_reply r = {.orig = m,
			       .from_addr = "support@relais.test",
			       .text = "ok",
			       .quote = true,
			       .now_ms = 1796900000000LL};
	struct mail_msg *back;
	char *out, *id;
	size_t len;

	if (mail_reply_build(&out, &len, &id, &r))
		return; /* an address we refuse to write: fine */
	if (mail_parse(&back, out, len, NULL))
		abort();
	if (strcmp(back->message_id, id))
		abort();
	if (plain_id(m->message_id) && strcmp(back->in_reply_to, m->message_id))
		abort();
	mail_msg_free(back);
	free(out);
	free(id);
}

/* A contact id read back from a Message-ID: digits and dashes, whole. */
static void check_msgid(const char *id)
{
	char contact[40], again[600];

	if (!mailref_msgid_contact(id, contact))
		return;
	if (strspn(contact, "0123456789abcdefABCDEF-") != strlen(contact) ||
	    strncmp(id + 7, contact, strlen(contact)))
		abort();
	/* what we write for that contact reads back as it */
	mailref_msgid(again, sizeof(again), contact, "m", "relais.test");
	if (!mailref_msgid_contact(again, contact) ||
	    strncmp(id + 7, contact, strlen(contact)))
		abort();
}

/*
 * What the email channel reads of a mail to thread it and to decide on an
 * automatic answer: the subject's [#REF], our Message-IDs among
 * In-Reply-To and References, the loop guard.
 */
static void threading(const struct mail_msg *m)
{
	char ref[MAILREF_SIZE];

	if (mailref_in_subject(m->subject, ref) &&
	    (strlen(ref) != MAILREF_SIZE - 1 ||
	     strspn(ref, "0123456789ABCDEF") != MAILREF_SIZE - 1))
		abort();
	check_msgid(m->message_id);
	check_msgid(m->in_reply_to);
	for (size_t i = 0; i < m->nreferences; i++)
		check_msgid(m->references[i]);
	if (mailref_may_autoreply(m, "support@relais.test") &&
	    (m->is_auto || !strcasecmp(m->from.addr, "support@relais.test")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_msg *m;
	char *html, *text;

	if (size > (1u << 20))
		return 0;
	if (size && data[0] == '<') {
		if (!html_clean(&html, &text, (const char *)data + 1,
				size - 1)) {
			utf8(html);
			safe_html(html);
			free(html);
			free(text);
		}
		return 0;
	}
	if (mail_parse(&m, data, size, NULL))
		return 0;
	check_msg(m);
	threading(m);
	round_trip(m);
	mail_msg_free(m);
	return 0;
}
