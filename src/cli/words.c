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

static const struct words en = {
	.lang = "en",
	.decimal = '.',
	.more_help = "Run 'relais %s --help' for the options.",
	.unknown = "unknown option '%s'",
	.no_value = "%s needs a value",
	.unexpected = "unexpected argument '%s'",
	.required = "%s is required",
	.bad_value = "%s %s: expected %s",
	.number_in = "a number from %s to %s",
	.number_below = "a number from %s to %s (excluded)",
	.whole_in = "a whole number from %s to %s",
	.number_ge0 = "a number >= 0",
	.number_gt0 = "a number > 0",
	.whole_ge0 = "a whole number >= 0",
	.or2 = "%s or %s",
	.or3 = "%s, %s or %s",
	.json_or_csv = "--json or --csv, not both",
	.no_memory = "out of memory",
	.at_line = "%s, line %s: %s",
	.file_error = "%s: %s",
	.cannot_write = "cannot write %s: %s",
	.zone_unknown = "--tz %s: unknown zone",
	.zone_bad = "--tz %s: not an IANA zone name",
};

static const struct words fr = {
	.lang = "fr",
	.decimal = ',',
	.more_help = "'relais %s --help' donne les options.",
	.unknown = "option inconnue « %s »",
	.no_value = "%s attend une valeur",
	.unexpected = "argument inattendu « %s »",
	.required = "%s est obligatoire",
	.bad_value = "%s %s : il faut %s",
	.number_in = "un nombre de %s à %s",
	.number_below = "un nombre de %s à %s (exclu)",
	.whole_in = "un nombre entier de %s à %s",
	.number_ge0 = "un nombre >= 0",
	.number_gt0 = "un nombre > 0",
	.whole_ge0 = "un nombre entier >= 0",
	.or2 = "%s ou %s",
	.or3 = "%s, %s ou %s",
	.json_or_csv = "--json ou --csv, pas les deux",
	.no_memory = "mémoire insuffisante",
	.at_line = "%s, ligne %s : %s",
	.file_error = "%s : %s",
	.cannot_write = "impossible d'écrire %s : %s",
	.zone_unknown = "--tz %s : fuseau horaire inconnu",
	.zone_bad = "--tz %s : ce n'est pas un nom de fuseau IANA",
};

const char *words_lang(int argc, char **argv)
{
	const char *lang = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			lang = argv[i + 1];
		else if (!strncmp(argv[i], "--lang=", 7))
			lang = argv[i] + 7;
	}
	return msgs_get(lang)->lang;
}

const struct words *words_get(const char *lang)
{
	return strcmp(lang, "fr") == 0 ? &fr : &en;
}

int words_plural(const struct words *w, double n)
{
	return w == &fr ? n >= 2 : n != 1;
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
		const char *fr;
	} fr_errors[] = {
		{ENOENT, "fichier ou dossier introuvable"},
		{EACCES, "permission refusée"},
		{EISDIR, "c'est un dossier"},
		{ENOTDIR, "un élément du chemin n'est pas un dossier"},
		{ENOMEM, "mémoire insuffisante"},
		{EFBIG, "fichier trop gros"},
		{EIO, "erreur d'entrée-sortie"},
		{ENOSPC, "plus de place sur le disque"},
		{EROFS, "système de fichiers en lecture seule"},
	};

	for (size_t i = 0;
	     w == &fr && i < sizeof(fr_errors) / sizeof(*fr_errors); i++)
		if (fr_errors[i].err == err)
			return fr_errors[i].fr;
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
