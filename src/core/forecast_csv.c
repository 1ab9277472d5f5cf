/*
 * The interval-history CSV reader: a record reader (RFC 4180) that copies
 * each field, unquoted, into a bounded scratch slot, and a row decoder for
 * the four columns. Queue names are interned through an hmap so that a
 * file of many interleaved queues stays O(rows).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/forecast_csv.h"
#include "core/hmap.h"

#define MAX_ROWS  10000000
#define MAX_COLS  64
#define MAX_FIELD 256
#define MAX_QUEUE 64
#define MAX_VALUE 1e9

struct parser {
	const char *buf;
	size_t len, pos;
	size_t line;	 /* physical line at pos, 1-based */
	size_t rec_line; /* line where the current record starts */
	char field[MAX_COLS][MAX_FIELD + 1];
	size_t nf;
	int col_start, col_queue, col_offered, col_aht;
	size_t ncols;
	const struct tz *tz;
	struct forecast_csv_error *err;
	struct forecast_history *h;
	size_t cap_rows, cap_queues;
	struct hmap names; /* values: queue index + 1 */
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	p->err->line = p->rec_line;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return EINVAL;
}

/* After a field: ',' (another follows) or '\n' (end of the record). */
static int end_of_field(struct parser *p)
{
	char c;

	if (p->pos >= p->len)
		return '\n';
	c = p->buf[p->pos++];
	if (c == ',')
		return ',';
	if (c == '\r') {
		if (p->pos < p->len && p->buf[p->pos] != '\n')
			return -fail(p, "a carriage return must be followed "
					"by a line feed");
		p->pos += p->pos < p->len;
	} else if (c != '\n') {
		return -fail(p, "unexpected character after a closing quote");
	}
	p->line++;
	return '\n';
}

static int put_char(struct parser *p, char *out, size_t *n, char c)
{
	if (c == '\0')
		return fail(p, "the file contains a NUL byte");
	if (*n == MAX_FIELD)
		return fail(p, "a field is longer than %d bytes", MAX_FIELD);
	out[(*n)++] = c;
	return 0;
}

static int read_quoted(struct parser *p, char *out, size_t *n)
{
	char c;

	for (p->pos++;; p->pos++) {
		if (p->pos >= p->len)
			return fail(p, "a quoted field is not closed");
		c = p->buf[p->pos];
		if (c == '"') {
			if (p->pos + 1 >= p->len || p->buf[p->pos + 1] != '"')
				break;
			p->pos++;
		}
		if (c == '\n')
			p->line++;
		if (put_char(p, out, n, c))
			return EINVAL;
	}
	p->pos++;
	return 0;
}

static int read_plain(struct parser *p, char *out, size_t *n)
{
	char c;

	for (; p->pos < p->len; p->pos++) {
		c = p->buf[p->pos];
		if (c == ',' || c == '\n' || c == '\r')
			break;
		if (c == '"')
			return fail(p, "a quote inside an unquoted field "
				       "(quote the whole field)");
		if (put_char(p, out, n, c))
			return EINVAL;
	}
	return 0;
}

/* Reads one record; ENODATA at the end of the buffer. */
static int read_record(struct parser *p)
{
	int end = ',', err;

	p->nf = 0;
	p->rec_line = p->line;
	if (p->pos >= p->len)
		return ENODATA;
	while (end == ',') {
		char *out;
		size_t n = 0;

		if (p->nf == MAX_COLS)
			return fail(p, "more than %d columns", MAX_COLS);
		out = p->field[p->nf++];
		if (p->pos < p->len && p->buf[p->pos] == '"')
			err = read_quoted(p, out, &n);
		else
			err = read_plain(p, out, &n);
		if (err)
			return err;
		out[n] = '\0';
		end = end_of_field(p);
		if (end < 0)
			return -end;
	}
	return 0;
}

/* The field without the spaces around it (in place). */
static char *trimmed(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static bool blank_record(const struct parser *p)
{
	return p->nf == 1 && p->field[0][0] == '\0';
}

static int header_column(struct parser *p, const char *name, size_t i)
{
	static const char *const names[] = {"start", "queue", "offered",
					    "aht_s"};
	int *cols[] = {&p->col_start, &p->col_queue, &p->col_offered,
		       &p->col_aht};

	for (size_t k = 0; k < 4; k++) {
		if (strcasecmp(name, names[k]))
			continue;
		if (*cols[k] >= 0)
			return fail(p, "the header names '%s' twice", names[k]);
		*cols[k] = (int)i;
	}
	return 0;
}

static int read_header(struct parser *p)
{
	int err;

	do {
		err = read_record(p);
		if (err == ENODATA)
			return fail(p, "the file is empty: expected a header "
				       "line start,queue,offered[,aht_s]");
		if (err)
			return err;
	} while (blank_record(p));
	p->col_start = p->col_queue = p->col_offered = p->col_aht = -1;
	for (size_t i = 0; i < p->nf; i++) {
		err = header_column(p, trimmed(p->field[i]), i);
		if (err)
			return err;
	}
	if (p->col_start < 0 || p->col_queue < 0 || p->col_offered < 0)
		return fail(p, "the header must name the columns start, "
			       "queue and offered (and optionally aht_s)");
	p->ncols = p->nf;
	p->h->has_aht = p->col_aht >= 0;
	return 0;
}

/* Exactly n decimal digits at s. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return d[m - 1] + (m == 2 && leap);
}

struct stamp {
	int y, mo, d, h, mi, s;
	bool zoned;    /* an instant: Z or an offset */
	int offset_s;  /* east of UTC */
	bool fraction; /* non-zero fractional seconds */
};

/* The part after the minutes: [:SS[.fff]] then [Z | ±HH:MM | ±HHMM]. */
static bool parse_tail(const char *s, struct stamp *t)
{
	int oh, om;

	if (*s == ':') {
		if (!digits(s + 1, 2, &t->s))
			return false;
		s += 3;
		if (*s == '.' || *s == ',') {
			if (s[1] < '0' || s[1] > '9')
				return false;
			for (s++; *s >= '0' && *s <= '9'; s++)
				t->fraction |= *s != '0';
		}
	}
	if (*s == 'Z' || *s == 'z') {
		t->zoned = true;
		return s[1] == '\0';
	}
	if (*s != '+' && *s != '-')
		return *s == '\0';
	if (!digits(s + 1, 2, &oh))
		return false;
	if (s[3] == ':' ? !digits(s + 4, 2, &om) || s[6]
			: !digits(s + 3, 2, &om) || s[5])
		return false;
	if (oh > 23 || om > 59)
		return false;
	t->zoned = true;
	t->offset_s = (*s == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	return true;
}

static bool parse_stamp(const char *s, struct stamp *t)
{
	memset(t, 0, sizeof(*t));
	if (!digits(s, 4, &t->y) || s[4] != '-' || !digits(s + 5, 2, &t->mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &t->d) ||
	    (s[10] != ' ' && s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &t->h) || s[13] != ':' ||
	    !digits(s + 14, 2, &t->mi))
		return false;
	if (!parse_tail(s + 16, t))
		return false;
	return t->y >= 1900 && t->mo >= 1 && t->mo <= 12 && t->d >= 1 &&
	       t->d <= days_in_month(t->y, t->mo) && t->h <= 23 &&
	       t->mi <= 59 && t->s <= 59;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* The local day and second of the day of a stamp. */
static void wall_clock(const struct parser *p, const struct stamp *t,
		       int64_t *day, int *sod)
{
	int64_t days = tz_days_from_civil(t->y, t->mo, t->d), utc;
	struct tz_local lt;

	*day = days;
	*sod = t->h * 3600 + t->mi * 60 + t->s;
	if (!t->zoned)
		return;
	utc = days * 86400 + *sod - t->offset_s;
	if (p->tz) {
		tz_local(p->tz, utc, &lt);
		*day = tz_days_from_civil(lt.year, lt.month, lt.day);
		*sod = lt.hour * 3600 + lt.min * 60 + lt.sec;
	} else {
		*day = floor_div(utc, 86400);
		*sod = (int)(utc - *day * 86400);
	}
}

static int parse_start(struct parser *p, char *s, struct forecast_row *r)
{
	struct stamp t;
	int sod;

	if (!parse_stamp(s, &t))
		return fail(p,
			    "start '%.40s' is not a date and time such as "
			    "2026-03-02 08:15 or 2026-03-02T07:15:00Z",
			    s);
	wall_clock(p, &t, &r->day, &sod);
	if (t.fraction || sod % (FORECAST_SLOT_MIN * 60))
		return fail(p,
			    "start '%.40s' (%02d:%02d local) is not the start "
			    "of a 15-minute interval",
			    s, sod / 3600, sod / 60 % 60);
	r->slot = (uint16_t)(sod / (FORECAST_SLOT_MIN * 60));
	return 0;
}

/* A non-negative decimal: digits with at most one '.', no exponent. */
static bool parse_decimal(const char *s, double *out)
{
	double v = 0, scale = 1;
	bool dot = false, any = false;

	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
		} else if (*s >= '0' && *s <= '9') {
			any = true;
			if (dot)
				scale /= 10;
			if (v > MAX_VALUE * 10 && !dot)
				return false;
			v = dot ? v + (*s - '0') * scale : v * 10 + (*s - '0');
		} else {
			return false;
		}
	}
	*out = v;
	return any && v <= MAX_VALUE;
}

static int parse_number(struct parser *p, char *s, const char *what,
			double *out)
{
	if (!parse_decimal(s, out))
		return fail(p,
			    "%s '%.40s' is not a number between 0 and 1e9 "
			    "(digits and an optional '.')",
			    what, s);
	return 0;
}

struct name_key {
	const char *name;
	char **queues;
};

static bool name_eq(const void *val, const void *key)
{
	const struct name_key *k = key;

	return !strcmp(k->queues[(uintptr_t)val - 1], k->name);
}

static int add_queue(struct parser *p, const char *name, uint64_t hash)
{
	struct forecast_history *h = p->h;
	char **q, *dup;

	if (h->nqueues == p->cap_queues) {
		size_t cap = p->cap_queues ? 2 * p->cap_queues : 8;

		q = realloc(h->queues, cap * sizeof(*q));
		if (!q)
			return ENOMEM;
		h->queues = q;
		p->cap_queues = cap;
	}
	dup = strdup(name);
	if (!dup)
		return ENOMEM;
	h->queues[h->nqueues++] = dup;
	if (hmap_put(&p->names, hash, (void *)(uintptr_t)h->nqueues)) {
		free(h->queues[--h->nqueues]);
		return ENOMEM;
	}
	return 0;
}

static int intern_queue(struct parser *p, char *name, uint32_t *idx)
{
	struct name_key key = {name, p->h->queues};
	uint64_t hash;
	void *v;
	int err;

	if (!*name)
		return fail(p, "the queue is empty");
	if (strlen(name) > MAX_QUEUE)
		return fail(p, "the queue name is longer than %d bytes",
			    MAX_QUEUE);
	for (const char *c = name; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return fail(p, "the queue name has a control "
				       "character");
	}
	hash = hmap_hash_str(name);
	v = hmap_get(&p->names, hash, name_eq, &key);
	if (!v) {
		err = add_queue(p, name, hash);
		if (err)
			return err;
		v = (void *)(uintptr_t)p->h->nqueues;
	}
	*idx = (uint32_t)((uintptr_t)v - 1);
	return 0;
}

static int decode_row(struct parser *p, struct forecast_row *r)
{
	int err;

	if (p->nf != p->ncols)
		return fail(p, "%zu fields where the header has %zu", p->nf,
			    p->ncols);
	err = parse_start(p, trimmed(p->field[p->col_start]), r);
	if (!err)
		err = intern_queue(p, trimmed(p->field[p->col_queue]),
				   &r->queue);
	if (!err)
		err = parse_number(p, trimmed(p->field[p->col_offered]),
				   "offered", &r->offered);
	r->aht_s = NAN;
	if (!err && p->col_aht >= 0 && *trimmed(p->field[p->col_aht]))
		err = parse_number(p, trimmed(p->field[p->col_aht]), "aht_s",
				   &r->aht_s);
	return err;
}

static int push_row(struct parser *p, const struct forecast_row *r)
{
	struct forecast_history *h = p->h;

	if (h->nrows == MAX_ROWS)
		return fail(p, "more than %d rows", MAX_ROWS);
	if (h->nrows == p->cap_rows) {
		size_t cap = p->cap_rows ? 2 * p->cap_rows : 1024;
		struct forecast_row *rows;

		rows = realloc(h->rows, cap * sizeof(*rows));
		if (!rows)
			return ENOMEM;
		h->rows = rows;
		p->cap_rows = cap;
	}
	h->rows[h->nrows++] = *r;
	return 0;
}

/* Stable counting sort of the rows by queue; notes each queue's range. */
static int group_rows(struct forecast_history *h)
{
	struct forecast_row *sorted = malloc(h->nrows * sizeof(*sorted));
	size_t *at = calloc(h->nqueues + 1, sizeof(*at));

	if (!sorted || !at) {
		free(sorted);
		free(at);
		return ENOMEM;
	}
	h->last_day = INT64_MIN;
	for (size_t i = 0; i < h->nrows; i++) {
		at[h->rows[i].queue + 1]++;
		if (h->rows[i].day > h->last_day)
			h->last_day = h->rows[i].day;
	}
	for (size_t q = 0; q < h->nqueues; q++)
		at[q + 1] += at[q];
	for (size_t i = 0; i < h->nrows; i++)
		sorted[at[h->rows[i].queue]++] = h->rows[i];
	for (size_t q = h->nqueues; q > 0; q--)
		at[q] = at[q - 1];
	at[0] = 0;
	free(h->rows);
	h->rows = sorted;
	h->queue_rows = at;
	return 0;
}

static int read_rows(struct parser *p)
{
	struct forecast_row r;
	int err;

	for (;;) {
		err = read_record(p);
		if (err == ENODATA)
			break;
		if (err)
			return err;
		if (blank_record(p))
			continue;
		err = decode_row(p, &r);
		if (!err)
			err = push_row(p, &r);
		if (err)
			return err;
	}
	if (!p->h->nrows)
		return fail(p, "no rows after the header");
	return group_rows(p->h);
}

int forecast_csv_parse(struct forecast_history **hp, const char *buf,
		       size_t len, const struct tz *tz,
		       struct forecast_csv_error *err)
{
	struct parser *p;
	int rc;

	if (!hp || !err || (!buf && len))
		return EINVAL;
	memset(err, 0, sizeof(*err));
	p = calloc(1, sizeof(*p));
	if (!p)
		return ENOMEM;
	p->h = calloc(1, sizeof(*p->h));
	if (!p->h) {
		free(p);
		return ENOMEM;
	}
	p->buf = buf;
	p->len = len;
	p->line = 1;
	p->tz = tz;
	p->err = err;
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p->pos = 3;
	rc = read_header(p);
	if (!rc)
		rc = read_rows(p);
	if (rc == ENOMEM)
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	if (rc)
		forecast_history_free(p->h);
	else
		*hp = p->h;
	hmap_reset(&p->names);
	free(p);
	return rc;
}

void forecast_history_free(struct forecast_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nqueues; i++)
		free(h->queues[i]);
	free(h->queues);
	free(h->queue_rows);
	free(h->rows);
	free(h);
}
