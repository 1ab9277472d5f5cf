/*
 * tz — TZif files (RFC 8536, RFC 9636) and POSIX TZ rules, without the
 * global state of libc's localtime()/tzset().
 *
 * A zone is one allocation: the transition instants with the offset in
 * force from each, and the footer rule that governs from the last
 * transition of the file on (or everywhere when the file has none).
 * Transitions that keep the offset (a change of abbreviation or of isdst
 * only) are dropped, so tz_next_transition() reports little else than real
 * changes. Before the first transition the zone uses time type 0, as RFC
 * 8536 section 3.2 says (for tzdata files, LMT).
 *
 * Every count and offset of a file is checked against its length before
 * use; a file that contradicts itself is refused with EINVAL. Leap-second
 * files ("right/" zones) are refused too: relais counts POSIX seconds.
 * Instants are clamped to TZ_UTC_MIN..TZ_UTC_MAX and offsets to about
 * +-26 h, which keeps every sum below far from int64 overflow.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/tz.h"

#define DAY	    86400
#define OFF_MIN	    (-89999) /* RFC 8536 */
#define OFF_MAX	    93599
#define HDR_LEN	    44
#define DAYS_LIMIT  (1LL << 39) /* years of +-1.5e9 still fit an int */
#define RULE_EVENTS 10		/* two per year, years Y-2 .. Y+2 */

/* A rule date: Jn (1-based, no Feb 29), n (0-based) or Mm.w.d. */
struct rule_date {
	char kind;
	int m, w, d;
	int32_t time; /* local seconds after midnight, may be < 0 or > 24 h */
};

struct posix {
	int32_t std_off, dst_off; /* seconds east of Greenwich */
	bool has_dst;
	struct rule_date start, end;
};

struct tz {
	size_t n;
	int64_t *at;	   /* n transition instants, strictly ascending */
	int32_t *off;	   /* offset from at[i] on */
	int32_t off0;	   /* offset before at[0] */
	int64_t rule_from; /* the footer rule governs from here on */
	bool seamless;	   /* and agrees with the table at rule_from */
	struct posix rule;
};

/* The counts of a TZif header, in the order of the file. */
struct hdr {
	uint8_t ver;
	uint64_t isut, isstd, leap, time, type, chars;
};

/* A cursor over a rule that need not be NUL-terminated (a TZif footer). */
struct cur {
	const char *s, *end;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int64_t tz_days_from_civil(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = month > 2 ? (int64_t)month - 3 : (int64_t)month + 9;
	int64_t doy = (153 * mp + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* Days are clamped to +-2^39 so that the year fits an int. */
void tz_civil_from_days(int64_t days, int *year, int *month, int *day)
{
	int64_t z = clamp(days, -DAYS_LIMIT, DAYS_LIMIT) + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);

	*year = (int)(yoe + era * 400 + (m <= 2));
	*month = m;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
}

static int year_of(int64_t utc_s)
{
	int y, m, d;

	tz_civil_from_days(floor_div(utc_s, DAY), &y, &m, &d);
	return y;
}

/* Local day number of a rule date in year y. */
static int64_t rule_day(const struct rule_date *rd, int y)
{
	int64_t jan1 = tz_days_from_civil(y, 1, 1), first, day;
	bool leap = tz_days_from_civil(y, 3, 1) - jan1 == 60;

	if (rd->kind == 'J')
		return jan1 + rd->d - 1 + (leap && rd->d >= 60);
	if (rd->kind == 'n')
		return jan1 + rd->d;

	first = tz_days_from_civil(y, rd->m, 1);
	/* 1970-01-01 was a Thursday; d counts from Sunday */
	day = first + (rd->d - (first + 4) % 7 + 14) % 7 + (rd->w - 1) * 7;
	if (rd->w == 5 && day >= tz_days_from_civil(y, rd->m + 1, 1))
		day -= 7;
	return day;
}

/*
 * The DST starts and ends of years y-2 .. y+2 in UTC, in rule order. A
 * start is given in standard time, an end in daylight time.
 */
static void rule_events(const struct posix *r, int y, int64_t *ev)
{
	int i;

	for (i = 0; i < RULE_EVENTS / 2; i++) {
		ev[2 * i] = rule_day(&r->start, y - 2 + i) * DAY +
			    r->start.time - r->std_off;
		ev[2 * i + 1] = rule_day(&r->end, y - 2 + i) * DAY +
				r->end.time - r->dst_off;
	}
}

/*
 * The latest event not after t decides; on equal instants the later one
 * in rule order wins, so a DST that ends when next year's begins (the v3
 * "all year" rule) stays on, and a DST that ends when it starts never is.
 */
static int32_t posix_offset(const struct posix *r, int64_t t)
{
	int64_t ev[RULE_EVENTS], best = INT64_MIN;
	bool dst = false;
	int i;

	if (!r->has_dst)
		return r->std_off;
	rule_events(r, year_of(t), ev);
	for (i = 0; i < RULE_EVENTS; i++) {
		if (ev[i] <= t && ev[i] >= best) {
			best = ev[i];
			dst = i % 2 == 0;
		}
	}
	return dst ? r->dst_off : r->std_off;
}

static int64_t posix_next(const struct posix *r, int64_t t)
{
	int64_t ev[RULE_EVENTS], best = INT64_MAX;
	int32_t now = posix_offset(r, t);
	int i;

	if (!r->has_dst)
		return INT64_MAX;
	rule_events(r, year_of(t), ev);
	for (i = 0; i < RULE_EVENTS; i++) {
		if (ev[i] > t && ev[i] < best && posix_offset(r, ev[i]) != now)
			best = ev[i];
	}
	return best;
}

static char peek(const struct cur *c)
{
	return c->s < c->end ? *c->s : '\0';
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool accept(struct cur *c, char ch)
{
	if (!ch || peek(c) != ch)
		return false;
	c->s++;
	return true;
}

/* An unsigned decimal of at most max. */
static int parse_num(struct cur *c, int max, int *v)
{
	if (!is_digit(peek(c)))
		return EINVAL;
	for (*v = 0; is_digit(peek(c)); c->s++) {
		*v = *v * 10 + (*c->s - '0');
		if (*v > max)
			return EINVAL;
	}
	return 0;
}

/* Names are 3+ letters, or 3+ of [A-Za-z0-9+-] in angle brackets. */
static int parse_name(struct cur *c)
{
	const char *start;
	bool quoted = peek(c) == '<';
	char ch;

	accept(c, '<');
	for (start = c->s;; c->s++) {
		ch = peek(c);
		if (!is_alpha(ch) &&
		    !(quoted && (is_digit(ch) || ch == '+' || ch == '-')))
			break;
	}
	if (c->s - start < 3 || (quoted && !accept(c, '>')))
		return EINVAL;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= max_h, in seconds. */
static int parse_hms(struct cur *c, int max_h, int32_t *secs)
{
	int h = 0, m = 0, s = 0, sign = 1;

	if (accept(c, '-'))
		sign = -1;
	else
		accept(c, '+');
	if (parse_num(c, max_h, &h))
		return EINVAL;
	if (accept(c, ':') &&
	    (parse_num(c, 59, &m) || (accept(c, ':') && parse_num(c, 59, &s))))
		return EINVAL;
	*secs = sign * (h * 3600 + m * 60 + s);
	return 0;
}

/* Jn, n or Mm.w.d, then an optional /time (v3: -167 h .. 167 h). */
static int parse_date(struct cur *c, struct rule_date *rd)
{
	bool bad;

	rd->kind = accept(c, 'J') ? 'J' : accept(c, 'M') ? 'M' : 'n';
	rd->time = 7200;
	if (rd->kind == 'J')
		bad = parse_num(c, 365, &rd->d) || rd->d < 1;
	else if (rd->kind == 'n')
		bad = parse_num(c, 365, &rd->d);
	else
		bad = parse_num(c, 12, &rd->m) || rd->m < 1 ||
		      !accept(c, '.') || parse_num(c, 5, &rd->w) || rd->w < 1 ||
		      !accept(c, '.') || parse_num(c, 6, &rd->d);
	if (bad)
		return EINVAL;
	if (!accept(c, '/'))
		return 0;
	return parse_hms(c, 167, &rd->time);
}

/*
 * std offset [dst [offset] [,start[/time],end[/time]]]. POSIX offsets
 * count west, ours east. A DST zone without dates gets the US rules,
 * like tzcode.
 */
static int parse_rule(struct cur *c, struct posix *r)
{
	static const struct rule_date us_start = {'M', 3, 2, 0, 7200};
	static const struct rule_date us_end = {'M', 11, 1, 0, 7200};
	int32_t west;
	bool bad;

	memset(r, 0, sizeof(*r));
	if (parse_name(c) || parse_hms(c, 24, &west))
		return EINVAL;
	r->std_off = r->dst_off = -west;
	if (c->s == c->end)
		return 0;

	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	r->start = us_start;
	r->end = us_end;
	if (parse_name(c))
		return EINVAL;
	if (peek(c) != ',' && c->s != c->end) {
		if (parse_hms(c, 24, &west))
			return EINVAL;
		r->dst_off = -west;
	}
	bad = accept(c, ',') && (parse_date(c, &r->start) || !accept(c, ',') ||
				 parse_date(c, &r->end));
	return bad || c->s != c->end ? EINVAL : 0;
}

static struct tz *tz_alloc(size_t n)
{
	struct tz *tz;

	if (n > (SIZE_MAX - sizeof(*tz)) / 12)
		return NULL;
	tz = calloc(1, sizeof(*tz) + n * 12);
	if (!tz)
		return NULL;
	tz->at = (int64_t *)(tz + 1);
	tz->off = (int32_t *)(tz->at + n);
	tz->rule_from = INT64_MAX;
	return tz;
}

int tz_parse_posix(struct tz **tzp, const char *rule)
{
	struct cur c = {rule, rule + strlen(rule)};
	struct tz *tz = tz_alloc(0);
	int err;

	if (!tz)
		return ENOMEM;
	err = parse_rule(&c, &tz->rule);
	if (err)
		goto out;
	tz->off0 = tz->rule.std_off;
	tz->rule_from = INT64_MIN;
	*tzp = tz;
out:
	if (err)
		tz_free(tz);
	return err;
}

/* A big-endian two's complement integer of n = 4 or 8 bytes. */
static int64_t get_be(const uint8_t *p, int n)
{
	uint64_t u = 0;
	int i;

	for (i = 0; i < n; i++)
		u = u << 8 | p[i];
	if (n < 8 && u >> (8 * n - 1))
		u |= ~0ULL << (8 * n);
	return u > INT64_MAX ? -(int64_t)~u - 1 : (int64_t)u;
}

static uint64_t get_u32(const uint8_t *p)
{
	return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | p[2] << 8 | p[3];
}

static int read_hdr(const uint8_t *b, size_t len, struct hdr *h)
{
	if (len < HDR_LEN || memcmp(b, "TZif", 4))
		return EINVAL;
	h->ver = b[4];
	if (h->ver != 0 && (h->ver < '2' || h->ver > '4'))
		return EINVAL;
	h->isut = get_u32(b + 20);
	h->isstd = get_u32(b + 24);
	h->leap = get_u32(b + 28);
	h->time = get_u32(b + 32);
	h->type = get_u32(b + 36);
	h->chars = get_u32(b + 40);
	return 0;
}

/* Bytes of the data block after a header; the counts are < 2^32. */
static uint64_t block_len(const struct hdr *h, int tsz)
{
	return h->time * (tsz + 1) + h->type * 6 + h->chars +
	       h->leap * (tsz + 4) + h->isstd + h->isut;
}

/*
 * The checks of RFC 8536 section 3.2 that matter here. Leap seconds are
 * refused (see the top of the file).
 */
static int check_block(const struct hdr *h, const uint8_t *p, int tsz)
{
	const uint8_t *idx = p + h->time * tsz, *types = idx + h->time;
	const uint8_t *chars = types + h->type * 6;
	const uint8_t *isstd = chars + h->chars, *isut = isstd + h->isstd;
	uint64_t i;
	int64_t off;

	if (!h->type || h->type > 256 || !h->chars || h->leap ||
	    (h->isstd && h->isstd != h->type) ||
	    (h->isut && h->isut != h->type) || chars[h->chars - 1])
		return EINVAL;
	for (i = 0; i < h->time; i++) {
		if (idx[i] >= h->type ||
		    (i && get_be(p + i * tsz, tsz) <=
				  get_be(p + (i - 1) * tsz, tsz)))
			return EINVAL;
	}
	for (i = 0; i < h->type; i++) {
		off = get_be(types + i * 6, 4);
		if (off < OFF_MIN || off > OFF_MAX || types[i * 6 + 4] > 1 ||
		    types[i * 6 + 5] >= h->chars)
			return EINVAL;
		if ((h->isstd && isstd[i] > 1) ||
		    (h->isut && (isut[i] > 1 || (isut[i] && !isstd[i]))))
			return EINVAL;
	}
	return 0;
}

/* Keeps the transitions that change the offset. */
static void fill_table(struct tz *tz, const struct hdr *h, const uint8_t *p,
		       int tsz)
{
	const uint8_t *idx = p + h->time * tsz, *types = idx + h->time;
	int32_t prev, off;
	uint64_t i;

	tz->off0 = prev = (int32_t)get_be(types, 4);
	for (i = 0; i < h->time; i++) {
		off = (int32_t)get_be(types + idx[i] * 6, 4);
		if (off == prev)
			continue;
		tz->at[tz->n] = get_be(p + i * tsz, tsz);
		tz->off[tz->n++] = prev = off;
	}
}

/*
 * The footer after the 64-bit block at p: "\n" rule "\n", an empty rule
 * meaning none. It governs from the last transition of the file on.
 */
static int parse_footer(struct tz *tz, const struct hdr *h, const uint8_t *p,
			const uint8_t *end)
{
	int64_t last = h->time ? get_be(p + (h->time - 1) * 8, 8) : INT64_MIN;
	struct cur c;
	const uint8_t *nl;

	p += block_len(h, 8);
	if (p >= end || *p != '\n')
		return EINVAL;
	nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
	if (!nl)
		return EINVAL;
	if (nl == p + 1)
		return 0;
	c.s = (const char *)p + 1;
	c.end = (const char *)nl;
	if (parse_rule(&c, &tz->rule))
		return EINVAL;
	tz->rule_from = last;
	tz->seamless =
		posix_offset(&tz->rule, clamp(last, TZ_UTC_MIN, TZ_UTC_MAX)) ==
		(tz->n ? tz->off[tz->n - 1] : tz->off0);
	return 0;
}

/*
 * The data block to read, checked: the only one of a v1 file, the 64-bit
 * one of a v2+ file (RFC 8536: readers skip the v1 block).
 */
static int find_block(const uint8_t *buf, size_t len, struct hdr *h,
		      const uint8_t **blk, int *tsz)
{
	const uint8_t *p = buf, *end;

	*tsz = 4;
	if (read_hdr(p, len, h))
		return EINVAL;
	end = buf + len;
	if (h->ver) {
		if (block_len(h, 4) > len - HDR_LEN)
			return EINVAL;
		p += HDR_LEN + block_len(h, 4);
		if (read_hdr(p, (size_t)(end - p), h) || !h->ver)
			return EINVAL;
		*tsz = 8;
	}
	if (block_len(h, *tsz) > (uint64_t)(end - p) - HDR_LEN)
		return EINVAL;
	*blk = p + HDR_LEN;
	return check_block(h, *blk, *tsz);
}

int tz_parse(struct tz **tzp, const uint8_t *buf, size_t len)
{
	const uint8_t *p;
	struct tz *tz;
	struct hdr h;
	int tsz, err;

	if (find_block(buf, len, &h, &p, &tsz))
		return EINVAL;
	tz = tz_alloc(h.time);
	if (!tz)
		return ENOMEM;
	fill_table(tz, &h, p, tsz);
	err = tsz == 8 ? parse_footer(tz, &h, p, buf + len) : 0;
	if (err)
		goto out;
	*tzp = tz;
out:
	if (err)
		tz_free(tz);
	return err;
}

/* The number of transitions at or before t. */
static size_t count_upto(const struct tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tz->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int32_t tz_offset(const struct tz *tz, int64_t utc_s)
{
	int64_t t = clamp(utc_s, TZ_UTC_MIN, TZ_UTC_MAX);
	size_t i;

	if (t >= tz->rule_from)
		return posix_offset(&tz->rule, t);
	i = count_upto(tz, t);
	return i ? tz->off[i - 1] : tz->off0;
}

int64_t tz_next_transition(const struct tz *tz, int64_t utc_s)
{
	int64_t t = clamp(utc_s, TZ_UTC_MIN, TZ_UTC_MAX), next;
	size_t i;

	if (t < tz->rule_from) {
		i = count_upto(tz, t);
		if (i < tz->n)
			next = tz->at[i];
		else if (tz->seamless)
			next = posix_next(&tz->rule,
					  clamp(tz->rule_from, t, TZ_UTC_MAX));
		else
			next = tz->rule_from;
	} else {
		next = posix_next(&tz->rule, t);
	}
	return next <= TZ_UTC_MAX ? next : INT64_MAX;
}

void tz_local(const struct tz *tz, int64_t utc_s, struct tz_local *out)
{
	int64_t t = clamp(utc_s, TZ_UTC_MIN, TZ_UTC_MAX), local, days, secs;

	out->offset_s = tz_offset(tz, t);
	local = t + out->offset_s;
	days = floor_div(local, DAY);
	secs = local - days * DAY;
	tz_civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
	/* 1970-01-01 was a Thursday */
	out->wday = (int)((days % 7 + 10) % 7);
}

void tz_free(struct tz *tz)
{
	free(tz);
}
