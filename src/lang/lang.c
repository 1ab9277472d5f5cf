/*
 * lang — see lang.h. A lookup is one hash probe (jansson's object) per
 * language tried, at most two.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "lang/lang.h"
#include "lang/lang_data.h"

/*
 * The parsed catalogs, by index in lang_blobs: written once under
 * pthread_once, read-only afterwards (jansson lookups do not write).
 */
static struct {
	json_t **cat;
	size_t en;
} table;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static bool same_conversions(const char *a, const char *b)
{
	char ca[128], cb[128];

	return !lang_conversions(a, ca, sizeof(ca)) &&
	       !lang_conversions(b, cb, sizeof(cb)) && !strcmp(ca, cb);
}

/* A msgid (an id English does not have) keeps only a translation with its
 * own conversions; every entry must be text. */
static void prune(json_t *cat, const json_t *en)
{
	const char *id;
	json_t *v, *tmp;

	json_object_foreach_safe(cat, tmp, id, v)
	{
		if (!json_is_string(v) ||
		    (cat != en && !json_object_get(en, id) &&
		     !same_conversions(id, json_string_value(v))))
			json_object_del(cat, id);
	}
}

static void table_load(void)
{
	table.cat = calloc(lang_nblobs, sizeof(*table.cat));
	if (!table.cat)
		return;
	for (size_t i = 0; i < lang_nblobs; i++) {
		table.cat[i] = json_loadb(lang_blobs[i].json, lang_blobs[i].len,
					  0, NULL);
		if (!strcmp(lang_blobs[i].code, LANG_DEFAULT))
			table.en = i;
	}
	for (size_t i = 0; i < lang_nblobs; i++)
		if (json_is_object(table.cat[i]))
			prune(table.cat[i], table.cat[table.en]);
}

static const char *text_of(size_t i, const char *id)
{
	pthread_once(&table_once, table_load);
	if (!table.cat)
		return NULL;
	return json_string_value(json_object_get(table.cat[i], id));
}

static size_t index_of(const char *lang)
{
	for (size_t i = 0; lang && i < lang_nblobs; i++)
		if (!strcmp(lang_blobs[i].code, lang))
			return i;
	pthread_once(&table_once, table_load);
	return table.en;
}

const char *lang_get(const char *lang, const char *id)
{
	const char *s = text_of(index_of(lang), id);

	if (!s)
		s = text_of(index_of(LANG_DEFAULT), id);
	return s ? s : id;
}

int lang_say(struct lang_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->buf, o->size, lang_get(o->lang, fmt), ap);
	va_end(ap);
	return -1;
}

size_t lang_count(void)
{
	return lang_nblobs;
}

const char *lang_code(size_t i)
{
	return i < lang_nblobs ? lang_blobs[i].code : NULL;
}

int lang_has(const char *code)
{
	for (size_t i = 0; code && i < lang_nblobs; i++)
		if (!strcmp(lang_blobs[i].code, code))
			return 1;
	return 0;
}

const char *lang_pick(const char *value)
{
	for (size_t i = 0; value && i < lang_nblobs; i++) {
		const char *code = lang_blobs[i].code;

		if (!strncmp(value, code, strlen(code)))
			return code;
	}
	return lang_code(index_of(LANG_DEFAULT));
}

const char *lang_env(const char *opt)
{
	static const char *const vars[] = {"RELAIS_LANG", "LC_ALL",
					   "LC_MESSAGES", "LANG"};

	for (size_t i = 0; !opt && i < sizeof(vars) / sizeof(*vars); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			opt = v;
	}
	return lang_pick(opt);
}

/* The catalog of a language tag's primary subtag (tag[0..n)), "*" being
 * the default; NULL when none. */
static const char *tag_code(const char *tag, size_t n)
{
	size_t primary = 0;

	if (n == 1 && *tag == '*')
		return lang_code(index_of(LANG_DEFAULT));
	while (primary < n && tag[primary] != '-')
		primary++;
	for (size_t i = 0; i < lang_nblobs; i++) {
		const char *code = lang_blobs[i].code;

		if (strlen(code) == primary && !strncasecmp(tag, code, primary))
			return code;
	}
	return NULL;
}

/* A q-value ("0", "0.8", "1.000") in thousandths; -1 when malformed. */
static int qvalue(const char *p, const char *end)
{
	int q, scale = 100;

	if (p == end || (*p != '0' && *p != '1'))
		return -1;
	q = (*p++ - '0') * 1000;
	if (p < end && *p == '.')
		for (p++; p < end && isdigit((unsigned char)*p) && scale; p++) {
			q += (*p - '0') * scale;
			scale /= 10;
		}
	return p == end && q <= 1000 ? q : -1;
}

static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* One "tag;q=0.8" of the list, [p, end): its catalog and weight. */
static const char *accept_item(const char *p, const char *end, int *q)
{
	const char *tag = skip_ows(p, end), *t = tag;

	while (t < end && *t != ';' && *t != ' ' && *t != '\t')
		t++;
	*q = 1000;
	for (p = skip_ows(t, end); p < end && *p == ';';) {
		const char *param = skip_ows(p + 1, end), *stop;

		for (p = param; p < end && *p != ';';)
			p++;
		stop = p;
		while (stop > param && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		if (stop - param >= 2 && (*param == 'q' || *param == 'Q') &&
		    param[1] == '=')
			*q = qvalue(param + 2, stop);
	}
	if (p != end || *q < 0)
		return NULL;
	return tag_code(tag, (size_t)(t - tag));
}

const char *lang_accept(const char *value, size_t len)
{
	const char *best = lang_code(index_of(LANG_DEFAULT));
	const char *p = value, *end;
	int best_q = 0;

	if (!value)
		return best;
	end = value + len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end, *code;
		int q;

		code = accept_item(p, stop, &q);
		if (code && q > best_q) {
			best = code;
			best_q = q;
		}
		p = comma ? comma + 1 : end;
	}
	return best;
}

/* One conversion after its '%' into c (NUL-terminated); the character
 * after it through *pp. */
static int conversion(const char **pp, char c[8])
{
	const char *p = *pp;
	size_t n = 0;

	while (*p && strchr("-+ #0'", *p))
		p++;
	if (*p == '*')
		c[n++] = *p++;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '$')
		return EINVAL;
	if (*p == '.' && *++p == '*')
		c[n++] = *p++;
	while (isdigit((unsigned char)*p))
		p++;
	while (*p && strchr("hlLqjzt", *p) && n < 5)
		c[n++] = *p++;
	if (!*p || !strchr("diouxXeEfFgGaAcsp", *p))
		return EINVAL;
	c[n++] = *p++;
	c[n] = '\0';
	*pp = p;
	return 0;
}

int lang_conversions(const char *fmt, char *out, size_t size)
{
	size_t len = 0;

	*out = '\0';
	for (const char *p = fmt; *p;) {
		char c[8];
		int n;

		if (*p++ != '%')
			continue;
		if (*p == '%') {
			p++;
			continue;
		}
		if (conversion(&p, c))
			return EINVAL;
		n = snprintf(out + len, size - len, "%s%s", len ? " " : "", c);
		if (n < 0 || (size_t)n >= size - len)
			return EINVAL;
		len += (size_t)n;
	}
	return 0;
}

void lang_fill(void *view, const char *lang, const char *prefix,
	       const struct lang_field *fields, size_t n)
{
	char id[128];

	for (size_t f = 0; f < n; f++) {
		const char **text =
			(const char **)((char *)view + fields[f].offset);

		for (size_t i = 0; i < fields[f].count; i++) {
			if (fields[f].count == 1)
				snprintf(id, sizeof(id), "%s.%s", prefix,
					 fields[f].name);
			else
				snprintf(id, sizeof(id), "%s.%s.%zu", prefix,
					 fields[f].name, i);
			text[i] = lang_get(lang, id);
			if (text[i] == id) /* in no catalog */
				text[i] = "";
		}
	}
}
