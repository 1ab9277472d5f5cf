/*
 * words — what the workforce commands (forecast, schedule, history, sim)
 * say alike, in French and in English, and how they say it.
 *
 * The language is --lang fr|en anywhere on the command line, else the
 * environment as lang_env() reads it (RELAIS_LANG, LC_ALL, LC_MESSAGES,
 * LANG), else English. The texts are in the catalogs (lang/<code>.json):
 * each command reads its own into a struct whose members name their ids
 * (forecast_msg.h, schedule_msg.h, sim_msg.h, like erlang_msg.h: member
 * x of FORECAST_WORDS is "forecast.x"); the sentences they share are
 * "words.*", read here.
 *
 * Messages are templates, not printf formats (-Wformat=2 refuses formats
 * chosen at run time): msg_fill() of msg.h, where each %s takes the next
 * argument and %% is a percent sign. Here a %s past the last argument
 * prints nothing, so a template in one language can never read beyond
 * the arguments of the other.
 * Numbers go in as text made by WORDS_NUM(), with the language's decimal
 * mark; that mark is for people only, never for CSV or JSON.
 */
#ifndef RELAIS_WORDS_H
#define RELAIS_WORDS_H

#include "lang/lang.h"

#include <stddef.h>
#include <stdio.h>

/* clang-format off */
#define WORDS_TEXTS(T, A)                                 \
	T(more_help) /* command */                        \
	T(unknown) /* option */                           \
	T(no_value) /* option */                          \
	T(unexpected) /* argument */                      \
	T(required) /* what */                            \
	T(bad_value) /* option, value, what it must be */ \
	T(number_in) /* lo, hi */                         \
	T(number_below) /* lo, hi: hi excluded */         \
	T(whole_in) /* lo, hi */                          \
	T(number_ge0) T(number_gt0) T(whole_ge0)          \
	T(or2) /* a, b */                                 \
	T(or3) /* a, b, c */                              \
	T(json_or_csv)                                    \
	T(no_memory)                                      \
	T(at_line) /* file, line, message */              \
	T(file_error) /* file, message */                 \
	T(cannot_write) /* file, reason */                \
	T(zone_unknown) /* zone */                        \
	T(zone_bad) /* zone */
/* clang-format on */

struct words {
	const char *lang; /* "fr" or "en" */
	WORDS_TEXTS(LANG_TEXT, LANG_TEXTS)
	char decimal; /* the decimal mark of tables and sentences */
};

/* "fr" or "en": the last --lang of argv, else the environment (lang_env). */
const char *words_lang(int argc, char **argv);

/* The shared texts of lang into w; they are borrowed (lang.h). */
void words_load(struct words *w, const char *lang);

/* 0 for the singular, 1 for the plural of a count (French: 0 and 1 are
 * singular, English: only 1). */
int words_plural(const struct words *w, double n);

/* "3 days", "1 day": a whole count and its noun (singular, plural). */
const char *words_count(const struct words *w, char *buf, size_t size,
			long long n, const char *const noun[2]);
#define WORDS_COUNT(w, n, noun) \
	words_count(w, (char[64]){0}, 64, (long long)(n), noun)

void words_fill(char *out, size_t size, const char *tmpl,
		const char *const *args, size_t nargs);
void words_say(FILE *f, const char *tmpl, const char *const *args,
	       size_t nargs);

#define WORDS_ARGS(...)                     \
	(const char *const[]){__VA_ARGS__}, \
		sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *)

/* WORDS_SAY(stdout, w->title, name, WORDS_NUM(w, "%.1f", x)) */
#define WORDS_SAY(f, tmpl, ...) words_say(f, tmpl, WORDS_ARGS(__VA_ARGS__))
#define WORDS_FILL(buf, tmpl, ...) \
	words_fill(buf, sizeof(buf), tmpl, WORDS_ARGS(__VA_ARGS__))

/*
 * printf of numbers into buf, every '.' of the result made the decimal
 * mark: the format must hold numbers only. Returns buf.
 */
const char *words_num(char *buf, size_t size, char decimal, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

/* A number as text for one statement: WORDS_NUM(w, "%.1f", x). */
#define WORDS_NUM(w, fmt, ...) \
	words_num((char[48]){0}, 48, (w)->decimal, fmt, __VA_ARGS__)
/* The same with a point in every language: a value as one types it on the
 * command line or in a JSON file, e.g. a range in an error message. */
#define WORDS_INPUT(fmt, ...) \
	words_num((char[48]){0}, 48, '.', fmt, __VA_ARGS__)

/* Columns a UTF-8 string takes (one per character). */
int words_width(const char *s);

/*
 * s padded with spaces to `width` columns, counted in characters (printf
 * counts bytes, which shifts "Coût" or "12.3±0.4"): right-aligned, or
 * left-aligned when width < 0.
 */
void words_pad(FILE *f, const char *s, int width);

/* The wider of |min| and the label, with the sign (the side) of min: the
 * width of a column headed by a label. */
int words_col(int min, const char *label);

/*
 * A table row: `indent` spaces, then the n cells `gap` spaces apart, each
 * padded as words_pad() to its width; then a newline.
 */
void words_row(FILE *f, int indent, int gap, const int *width,
	       const char *const *cell, size_t n);

/* "relais CMD: " then the message and a newline, on stderr. */
void words_error(const char *cmd, const char *tmpl, const char *const *args,
		 size_t nargs);
#define WORDS_ERROR(cmd, tmpl, ...) \
	words_error(cmd, tmpl, WORDS_ARGS(__VA_ARGS__))

/* A command-line mistake: the message, the hint to --help; returns 2. */
int words_usage_error(const struct words *w, const char *cmd, const char *tmpl,
		      const char *const *args, size_t nargs);
#define WORDS_USAGE_ERROR(w, cmd, tmpl, ...) \
	words_usage_error(w, cmd, tmpl, WORDS_ARGS(__VA_ARGS__))

/* "--days 0: expected a whole number from 1 to 90"; returns 2. */
int words_bad_value(const struct words *w, const char *cmd, const char *opt,
		    const char *value, const char *want);

/*
 * After getopt_long() with opterr = 0 and an optstring starting with ':'
 * returned c ('?' or ':'): names the unknown option or the one missing its
 * value, with the hint to --help. Returns 2.
 */
int words_getopt_error(const struct words *w, const char *cmd, int c,
		       char **argv);

/* strerror() in the language: the errors a file gives, else English. */
const char *words_strerror(const struct words *w, int err);

/* "relais CMD: FILE: reason" for a file that could not be read. */
void words_file_error(const struct words *w, const char *cmd, const char *path,
		      int err);

/* "relais CMD: FILE, line N: msg", or "FILE: msg" when line is 0. */
void words_line_error(const struct words *w, const char *cmd, const char *path,
		      size_t line, const char *msg);

/* "relais CMD: --tz ZONE: unknown zone" for zoneinfo_load()'s error. */
void words_zone_error(const struct words *w, const char *cmd, const char *zone,
		      int err);

#endif
