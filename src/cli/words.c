/*
 * words — see words.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/msg.h"
#include "cli/words.h"

#define T(member)    LANG_FIELD(struct words, member),
#define A(member, n) T(member)
static const struct lang_field fields[] = {WORDS_TEXTS(T, A)};

const char *words_lang(int argc, char **argv)
{
	const char *lang = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			lang = argv[i + 1];
		else if (!strncmp(argv[i], "--lang=", 7))
			lang = argv[i] + 7;
	}
	return lang_env(lang);
}

void words_load(struct words *w, const char *lang)
{
	lang_fill(w, lang, "words", fields, sizeof(fields) / sizeof(*fields));
	w->lang = lang_pick(lang);
	w->decimal = *lang_get(lang, "words.decimal");
}

int words_plural(const struct words *w, double n)
{
	return !strcmp(w->lang, "fr") ? n >= 2 : n != 1;
}

const char *words_count(const struct words *w, char *buf, size_t size,
			long long n, const char *const noun[2])
{
	snprintf(buf, size, "%lld %s", n, noun[words_plural(w, (double)n)]);
	return buf;
}

/* The %s of a template: so many arguments msg_fill() will read. */
static size_t holes(const char *tmpl)
{
	size_t n = 0;

	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '%' && (p[1] == 's' || p[1] == '%'))
			n += *++p == 's';
	}
	return n;
}

void words_fill(char *out, size_t size, const char *tmpl,
		const char *const *args, size_t nargs)
{
	size_t n = holes(tmpl);
	const char **all;

	if (n <= nargs) {
		msg_fill(out, size, tmpl, args);
		return;
	}
	all = calloc(n, sizeof(*all)); /* the missing ones print as "" */
	if (!all) {
		*out = '\0';
		return;
	}
	for (size_t i = 0; i < n; i++)
		all[i] = i < nargs ? args[i] : "";
	msg_fill(out, size, tmpl, all);
	free(all);
}

void words_say(FILE *f, const char *tmpl, const char *const *args, size_t nargs)
{
	size_t size = strlen(tmpl) + 1;
	char *buf;

	for (size_t i = 0; i < nargs; i++)
		size += strlen(args[i]);
	buf = malloc(size);
	if (!buf)
		return;
	words_fill(buf, size, tmpl, args, nargs);
	fputs(buf, f);
	free(buf);
}

const char *words_num(char *buf, size_t size, char decimal, const char *fmt,
		      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if (*p == '.')
			*p = decimal;
	return buf;
}

int words_width(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void words_pad(FILE *f, const char *s, int width)
{
	int pad = (width < 0 ? -width : width) - words_width(s);

	if (width < 0)
		fputs(s, f);
	for (; pad > 0; pad--)
		fputc(' ', f);
	if (width >= 0)
		fputs(s, f);
}

int words_col(int min, const char *label)
{
	int n = words_width(label), m = min < 0 ? -min : min;

	if (n > m)
		m = n;
	return min < 0 ? -m : m;
}

void words_row(FILE *f, int indent, int gap, const int *width,
	       const char *const *cell, size_t n)
{
	fprintf(f, "%*s", indent, "");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%*s", i ? gap : 0, "");
		words_pad(f, cell[i], width[i]);
	}
	fputc('\n', f);
}

void words_error(const char *cmd, const char *tmpl, const char *const *args,
		 size_t nargs)
{
	fprintf(stderr, "relais %s: ", cmd);
	words_say(stderr, tmpl, args, nargs);
	fputc('\n', stderr);
}

int words_usage_error(const struct words *w, const char *cmd, const char *tmpl,
		      const char *const *args, size_t nargs)
{
	words_error(cmd, tmpl, args, nargs);
	WORDS_SAY(stderr, w->more_help, cmd);
	fputc('\n', stderr);
	return 2;
}

int words_bad_value(const struct words *w, const char *cmd, const char *opt,
		    const char *value, const char *want)
{
	return WORDS_USAGE_ERROR(w, cmd, w->bad_value, opt, value, want);
}

int words_getopt_error(const struct words *w, const char *cmd, int c,
		       char **argv)
{
	char name[3] = {'-', (char)optopt, '\0'};
	const char *arg = argv[optind - 1];

	if (strncmp(arg, "--", 2) && optopt) /* -x, maybe in a cluster */
		arg = name;

	if (c == ':')
		return WORDS_USAGE_ERROR(w, cmd, w->no_value, arg);
	return WORDS_USAGE_ERROR(w, cmd, w->unknown, arg);
}

const char *words_strerror(const struct words *w, int err)
{
	static const struct {
		int err;
		const char *id;
	} ids[] = {
		{ENOENT, "words.strerror.ENOENT"},
		{EACCES, "words.strerror.EACCES"},
		{EISDIR, "words.strerror.EISDIR"},
		{ENOTDIR, "words.strerror.ENOTDIR"},
		{ENOMEM, "words.strerror.ENOMEM"},
		{EFBIG, "words.strerror.EFBIG"},
		{EIO, "words.strerror.EIO"},
		{ENOSPC, "words.strerror.ENOSPC"},
		{EROFS, "words.strerror.EROFS"},
	};

	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++)
		if (ids[i].err == err)
			return lang_get(w->lang, ids[i].id);
	return strerror(err);
}

void words_file_error(const struct words *w, const char *cmd, const char *path,
		      int err)
{
	WORDS_ERROR(cmd, w->file_error, path, words_strerror(w, err));
}

void words_line_error(const struct words *w, const char *cmd, const char *path,
		      size_t line, const char *msg)
{
	if (line)
		WORDS_ERROR(cmd, w->at_line, path, WORDS_NUM(w, "%zu", line),
			    msg);
	else
		WORDS_ERROR(cmd, w->file_error, path, msg);
}

void words_zone_error(const struct words *w, const char *cmd, const char *zone,
		      int err)
{
	if (err == ENOENT)
		WORDS_ERROR(cmd, w->zone_unknown, zone);
	else if (err == EINVAL)
		WORDS_ERROR(cmd, w->zone_bad, zone);
	else
		words_file_error(w, cmd, zone, err);
}
