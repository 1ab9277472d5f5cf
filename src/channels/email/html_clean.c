/*
 * html_clean — the allow-list writer over libxml2's HTML tree.
 *
 * Why libxml2 and not a tokenizer of our own: its HTML parser has been
 * fed hostile input for twenty years (it is fuzzed in OSS-Fuzz), recovers
 * from anything, decodes entities and character references before we
 * look at a value, and hands us a tree. The safety then rests on this
 * file alone, which is short: every element is kept, unwrapped (children
 * kept, tag dropped) or dropped with its subtree; only named attributes
 * survive, their values checked and escaped.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "channels/email/html_clean.h"

/* Deeper than this, a subtree is dropped: no recursion without end. */
#define MAX_DEPTH 96

struct sb {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Text and attribute values: the four characters that could be markup. */
static void sb_esc(struct sb *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sb_str(b, "&amp;");
			break;
		case '<':
			sb_str(b, "&lt;");
			break;
		case '>':
			sb_str(b, "&gt;");
			break;
		case '"':
			sb_str(b, "&quot;");
			break;
		default:
			sb_add(b, s, 1);
		}
	}
}

enum verdict { DROP, UNWRAP, KEEP };

static const char *const kept[] = {
	"p",   "br",   "b",   "i",     "u",	"strong", "em",
	"ul",  "ol",   "li",  "a",     "pre",	"code",	  "blockquote",
	"h1",  "h2",   "h3",  "h4",    "h5",	"h6",	  "table",
	"tr",  "td",   "th",  "thead", "tbody", "tfoot",  "caption",
	"img", "span", "div", "hr",
};

/*
 * Dropped with everything inside: code, styles, frames, form controls,
 * metadata. A <form> or <embed> itself is only unwrapped: mailers wrap
 * whole bodies in forms, and libxml2 nests what follows <embed> in it.
 */
static const char *const dropped[] = {
	"script",   "style",	"iframe", "frame",    "frameset", "object",
	"applet",   "input",	"button", "select",   "textarea", "option",
	"template", "noscript", "head",	  "title",    "meta",	  "link",
	"base",	    "svg",	"math",	  "noframes", "audio",	  "video",
	"source",   "track",	"canvas", "param",    "dialog",	  "portal",
};

static bool in(const char *name, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcasecmp(name, set[i]))
			return true;
	}
	return false;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static enum verdict judge(const char *name)
{
	if (in(name, dropped, N(dropped)))
		return DROP;
	return in(name, kept, N(kept)) ? KEEP : UNWRAP;
}

static bool is_void(const char *name)
{
	return !strcmp(name, "br") || !strcmp(name, "img") ||
	       !strcmp(name, "hr");
}

static const char *skip_space(const char *v)
{
	while (*v && (unsigned char)*v <= ' ')
		v++;
	return v;
}

/* Links: http, https and mailto only (javascript:, data:, vbscript: out). */
static bool href_ok(const char *v)
{
	v = skip_space(v);
	return !strncasecmp(v, "http://", 7) ||
	       !strncasecmp(v, "https://", 8) || !strncasecmp(v, "mailto:", 7);
}

/* Images: the message's own parts (cid:), never a remote load. */
static bool src_ok(const char *v)
{
	v = skip_space(v);
	return !strncasecmp(v, "cid:", 4) && v[4];
}

static bool digits(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && n <= 4 && strspn(v, "0123456789") == n;
}

static void put_attr(struct sb *b, const char *name, const char *value)
{
	sb_str(b, " ");
	sb_str(b, name);
	sb_str(b, "=\"");
	sb_esc(b, skip_space(value));
	sb_str(b, "\"");
}

static char *prop(xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* The one attribute NAME of N when CHECK accepts it. */
static void copy_attr(struct sb *b, xmlNode *n, const char *name,
		      bool (*check)(const char *))
{
	char *v = prop(n, name);

	if (v && (!check || check(v)))
		put_attr(b, name, v);
	xmlFree(v);
}

/* False when the element must go after all (an image that is not cid:). */
static bool put_open(struct sb *b, xmlNode *n, const char *name)
{
	if (!strcmp(name, "img")) {
		char *src = prop(n, "src");
		bool ok = src && src_ok(src);

		xmlFree(src);
		if (!ok)
			return false;
	}
	sb_str(b, "<");
	sb_str(b, name);
	if (!strcmp(name, "a")) {
		copy_attr(b, n, "href", href_ok);
		sb_str(b, " rel=\"noopener noreferrer\"");
	} else if (!strcmp(name, "img")) {
		copy_attr(b, n, "src", src_ok);
		copy_attr(b, n, "alt", NULL);
		copy_attr(b, n, "width", digits);
		copy_attr(b, n, "height", digits);
	} else if (!strcmp(name, "td") || !strcmp(name, "th")) {
		copy_attr(b, n, "colspan", digits);
		copy_attr(b, n, "rowspan", digits);
	}
	sb_str(b, ">");
	return true;
}

static void walk(struct sb *b, xmlNode *n, int depth);

static void walk_children(struct sb *b, xmlNode *n, int depth)
{
	for (xmlNode *c = n->children; c; c = c->next)
		walk(b, c, depth + 1);
}

static void walk_element(struct sb *b, xmlNode *n, int depth)
{
	const char *name = (const char *)n->name;
	enum verdict v = judge(name);

	if (v == DROP)
		return;
	if (v == UNWRAP) {
		walk_children(b, n, depth);
		return;
	}
	if (!put_open(b, n, name))
		return;
	if (is_void(name))
		return;
	walk_children(b, n, depth);
	sb_str(b, "</");
	sb_str(b, name);
	sb_str(b, ">");
}

static void walk(struct sb *b, xmlNode *n, int depth)
{
	if (depth > MAX_DEPTH)
		return;
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content)
			sb_esc(b, (const char *)n->content);
	} else if (n->type == XML_ELEMENT_NODE) {
		walk_element(b, n, depth);
	}
	/* Comments, processing instructions, DTDs, entities: nothing. */
}

/* The text: blocks on their own lines, runs of white space as one. */
struct tx {
	struct sb b;
	bool space; /* a space is owed before the next word */
	int pre;    /* inside <pre> */
};

static bool is_block(const char *name)
{
	static const char *const blocks[] = {
		"p",	      "div",   "br", "li", "tr", "h1",
		"h2",	      "h3",    "h4", "h5", "h6", "pre",
		"blockquote", "table", "ul", "ol", "hr", "caption",
	};
	return in(name, blocks, N(blocks));
}

static void tx_newline(struct tx *t)
{
	if (t->b.len && t->b.s[t->b.len - 1] != '\n')
		sb_str(&t->b, "\n");
	t->space = false;
}

static void tx_text(struct tx *t, const char *s)
{
	if (t->pre) {
		sb_str(&t->b, s);
		return;
	}
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			t->space = true;
			continue;
		}
		if (t->space && t->b.len && t->b.s[t->b.len - 1] != '\n')
			sb_str(&t->b, " ");
		t->space = false;
		sb_add(&t->b, s, 1);
	}
}

static void tx_walk(struct tx *t, xmlNode *n, int depth)
{
	const char *name = (const char *)n->name;

	if (depth > MAX_DEPTH)
		return;
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content)
			tx_text(t, (const char *)n->content);
		return;
	}
	if (n->type != XML_ELEMENT_NODE || judge(name) == DROP)
		return;
	if (is_block(name))
		tx_newline(t);
	if (!strcasecmp(name, "li"))
		sb_str(&t->b, "- ");
	t->pre += !strcasecmp(name, "pre");
	for (xmlNode *c = n->children; c; c = c->next)
		tx_walk(t, c, depth + 1);
	t->pre -= !strcasecmp(name, "pre");
	if (is_block(name))
		tx_newline(t);
}

/* Trailing new lines and spaces are not text. */
static void trim_end(struct sb *b)
{
	while (b->len && (b->s[b->len - 1] == '\n' || b->s[b->len - 1] == ' '))
		b->s[--b->len] = '\0';
}

static int finish(struct sb *b, char **outp)
{
	if (!b->oom && !b->s)
		sb_add(b, "", 0);
	if (b->oom) {
		free(b->s);
		return ENOMEM;
	}
	*outp = b->s;
	return 0;
}

static int clean_utf8(char **outp, char **textp, const char *in_, size_t len);

/* libxml2 passes bytes that are not UTF-8 through: they go first. */
int html_clean(char **outp, char **textp, const char *in_, size_t len)
{
	char *valid;
	int err;

	if (len > INT_MAX)
		return EINVAL;
	valid = g_utf8_make_valid(in_, (gssize)len);
	err = clean_utf8(outp, textp, valid, strlen(valid));
	g_free(valid);
	return err;
}

static int clean_utf8(char **outp, char **textp, const char *in_, size_t len)
{
	const int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
			 HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
	struct sb out = {0};
	struct tx tx = {0};
	xmlNode *root;
	htmlDocPtr doc;
	int err;

	if (len > INT_MAX)
		return EINVAL;
	if (len == 0)
		doc = NULL;
	else
		doc = htmlReadMemory(in_, (int)len, NULL, "UTF-8", opts);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (len && !root) {
		xmlFreeDoc(doc);
		return EINVAL;
	}
	if (root) {
		walk(&out, root, 0);
		if (textp)
			tx_walk(&tx, root, 0);
	}
	xmlFreeDoc(doc);
	trim_end(&tx.b);
	err = finish(&out, outp);
	if (err) {
		free(tx.b.s);
		return err;
	}
	if (!textp) {
		free(tx.b.s);
		return 0;
	}
	err = finish(&tx.b, textp);
	if (err) {
		free(*outp);
		*outp = NULL;
	}
	return err;
}
