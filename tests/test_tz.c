/*
 * tz: offsets of real zones (expected values read from zdump, tzdata
 * 2025b), POSIX rules, hostile TZif files, and the civil date helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/tz.h"
#include "sys/zoneinfo.h"

#define H 3600

/* Seconds since the epoch of a UTC date and time. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	return tz_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static struct tz *zone(const char *name)
{
	struct tz *tz = NULL;

	assert_int_equal(zoneinfo_load(&tz, name), 0);
	assert_non_null(tz);
	return tz;
}

static struct tz *posix(const char *rule)
{
	struct tz *tz = NULL;

	assert_int_equal(tz_parse_posix(&tz, rule), 0);
	assert_non_null(tz);
	return tz;
}

/* The bytes of a zone file of the system's tzdata. */
static uint8_t *zone_bytes(const char *name, size_t *len)
{
	char path[256];
	uint8_t *buf = malloc(1 << 16);
	FILE *f;

	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void put_be(uint8_t **p, int64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--)
		*(*p)++ = (uint8_t)((uint64_t)v >> (8 * i));
}

static void put_hdr(uint8_t **p, char ver, int ntime, int ntype, int nchar)
{
	memcpy(*p, "TZif", 4);
	(*p)[4] = (uint8_t)ver;
	memset(*p + 5, 0, 15);
	*p += 20;
	put_be(p, 0, 4); /* isutcnt */
	put_be(p, 0, 4); /* isstdcnt */
	put_be(p, 0, 4); /* leapcnt */
	put_be(p, ntime, 4);
	put_be(p, ntype, 4);
	put_be(p, nchar, 4);
}

/*
 * A small TZif file: version ver ('\0' for v1 only, with 32-bit times),
 * n transitions at[] to types idx[], types of offset off[] and isdst
 * dst[], then the footer rule (v2+).
 */
static size_t tzif(uint8_t *buf, char ver, int n, const int64_t *at,
		   const uint8_t *idx, int ntype, const int32_t *off,
		   const uint8_t *dst, const char *footer)
{
	int tsz = ver ? 8 : 4, i;
	uint8_t *p = buf;

	if (ver) {
		/* a slim v1 block: one type, no transitions */
		put_hdr(&p, ver, 0, 1, 1);
		memset(p, 0, 7);
		p += 7;
	}
	put_hdr(&p, ver, n, ntype, 4);
	for (i = 0; i < n; i++)
		put_be(&p, at[i], tsz);
	for (i = 0; i < n; i++)
		*p++ = idx[i];
	for (i = 0; i < ntype; i++) {
		put_be(&p, off[i], 4);
		*p++ = dst[i];
		*p++ = 0;
	}
	memcpy(p, "ABC", 4);
	p += 4;
	if (ver)
		p += sprintf((char *)p, "\n%s\n", footer);
	return (size_t)(p - buf);
}

static int parse(const uint8_t *buf, size_t len)
{
	struct tz *tz = NULL;
	int err = tz_parse(&tz, buf, len);

	tz_free(tz);
	return err;
}

static void test_civil_days_known_dates(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(tz_days_from_civil(2026, 1, 1) * 86400, 1767225600);
	assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
	tz_civil_from_days(-1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
	tz_civil_from_days(tz_days_from_civil(2028, 2, 29), &y, &m, &d);
	assert_true(y == 2028 && m == 2 && d == 29);
}

static void test_civil_days_round_trip_years_minus_9999_to_9999(void **state)
{
	int64_t day, first = tz_days_from_civil(-9999, 1, 1);
	int64_t last = tz_days_from_civil(9999, 12, 31);
	int y, m, d;

	(void)state;
	for (day = first; day <= last; day += 17) {
		tz_civil_from_days(day, &y, &m, &d);
		assert_int_equal(tz_days_from_civil(y, m, d), day);
	}
}

static void test_range_constants_are_years_minus_9999_to_9999(void **state)
{
	(void)state;
	assert_int_equal(TZ_UTC_MIN, utc(-9999, 1, 1, 0, 0, 0));
	assert_int_equal(TZ_UTC_MAX, utc(9999, 12, 31, 23, 59, 59));
}

static void test_paris_switches_to_cest_2026_03_29_0100_utc(void **state)
{
	struct tz *tz = zone("Europe/Paris");

	(void)state;
	assert_int_equal(tz_offset(tz, 1774745999), H);
	assert_int_equal(tz_offset(tz, 1774746000), 2 * H);
	tz_free(tz);
}

static void test_paris_back_to_cet_2026_10_25_0100_utc(void **state)
{
	struct tz *tz = zone("Europe/Paris");

	(void)state;
	assert_int_equal(tz_offset(tz, 1792889999), 2 * H);
	assert_int_equal(tz_offset(tz, 1792890000), H);
	tz_free(tz);
}

static void test_paris_local_time_jumps_from_0159_to_0300(void **state)
{
	struct tz *tz = zone("Europe/Paris");
	struct tz_local lt;

	(void)state;
	tz_local(tz, 1774745999, &lt);
	assert_true(lt.hour == 1 && lt.min == 59 && lt.sec == 59);
	tz_local(tz, 1774746000, &lt);
	assert_true(lt.year == 2026 && lt.month == 3 && lt.day == 29);
	assert_true(lt.hour == 3 && lt.min == 0 && lt.sec == 0);
	assert_int_equal(lt.wday, 6); /* Sunday */
	assert_int_equal(lt.offset_s, 2 * H);
	tz_free(tz);
}

static void test_paris_2100_follows_the_footer_rule(void **state)
{
	struct tz *tz = zone("Europe/Paris");

	(void)state;
	/* zdump: 2100-03-28 01:00 and 2100-10-31 01:00 UTC */
	assert_int_equal(tz_offset(tz, 4109878799), H);
	assert_int_equal(tz_offset(tz, 4109878800), 2 * H);
	assert_int_equal(tz_offset(tz, 4128627599), 2 * H);
	assert_int_equal(tz_offset(tz, 4128627600), H);
	tz_free(tz);
}

static void test_paris_before_1891_is_lmt(void **state)
{
	struct tz *tz = zone("Europe/Paris");

	(void)state;
	assert_int_equal(tz_offset(tz, utc(1800, 1, 1, 0, 0, 0)), 561);
	tz_free(tz);
}

static void test_paris_next_transition_is_spring_forward(void **state)
{
	struct tz *tz = zone("Europe/Paris");

	(void)state;
	assert_int_equal(tz_next_transition(tz, 1767225600), 1774746000);
	assert_int_equal(tz_next_transition(tz, 1774746000), 1792890000);
	assert_int_equal(tz_next_transition(tz, 4102444800), 4109878800);
	tz_free(tz);
}

static void test_casablanca_2026_ramadan_is_utc(void **state)
{
	struct tz *tz = zone("Africa/Casablanca");

	(void)state;
	/* zdump: +01 -> +00 at 2026-02-15 02:00 UTC, back on 03-22 */
	assert_int_equal(tz_offset(tz, 1771120799), H);
	assert_int_equal(tz_offset(tz, 1771120800), 0);
	assert_int_equal(tz_offset(tz, 1774144799), 0);
	assert_int_equal(tz_offset(tz, 1774144800), H);
	assert_int_equal(tz_offset(tz, utc(2026, 7, 1, 12, 0, 0)), H);
	tz_free(tz);
}

static void test_casablanca_local_jumps_from_0159_to_0300(void **state)
{
	struct tz *tz = zone("Africa/Casablanca");
	struct tz_local lt;

	(void)state;
	tz_local(tz, 1774144800, &lt);
	assert_true(lt.month == 3 && lt.day == 22 && lt.hour == 3);
	tz_free(tz);
}

static void test_mauritius_is_plus_4_all_year(void **state)
{
	struct tz *tz = zone("Indian/Mauritius");

	(void)state;
	assert_int_equal(tz_offset(tz, utc(2026, 1, 15, 12, 0, 0)), 4 * H);
	assert_int_equal(tz_offset(tz, utc(2026, 7, 1, 12, 0, 0)), 4 * H);
	assert_int_equal(tz_offset(tz, utc(2100, 1, 1, 0, 0, 0)), 4 * H);
	assert_int_equal(tz_next_transition(tz, 1767225600), INT64_MAX);
	tz_free(tz);
}

static void test_mauritius_left_dst_2009_03_28_2100_utc(void **state)
{
	struct tz *tz = zone("Indian/Mauritius");

	(void)state;
	assert_int_equal(tz_offset(tz, 1238273999), 5 * H);
	assert_int_equal(tz_offset(tz, 1238274000), 4 * H);
	tz_free(tz);
}

static void test_utc_is_zero_at_the_extremes(void **state)
{
	struct tz *tz = zone("UTC");
	struct tz_local lt;

	(void)state;
	assert_int_equal(tz_offset(tz, 0), 0);
	assert_int_equal(tz_offset(tz, INT64_MIN), 0);
	assert_int_equal(tz_offset(tz, INT64_MAX), 0);
	tz_local(tz, 0, &lt);
	assert_true(lt.year == 1970 && lt.month == 1 && lt.day == 1);
	assert_int_equal(lt.wday, 3); /* Thursday */
	tz_free(tz);
}

static void test_instants_beyond_9999_are_clamped(void **state)
{
	struct tz *tz = zone("Europe/Paris");
	struct tz_local lt;

	(void)state;
	tz_local(tz, INT64_MAX, &lt);
	/* 9999-12-31T23:59:59Z is 10000-01-01T00:59:59 in Paris */
	assert_true(lt.year == 10000 && lt.month == 1 && lt.hour == 0);
	tz_local(tz, INT64_MIN, &lt);
	assert_true(lt.year == -9999 && lt.month == 1 && lt.day == 1);
	assert_int_equal(lt.offset_s, 561);
	tz_free(tz);
}

static void test_posix_fixed_offsets(void **state)
{
	struct tz *a = posix("<+04>-4"), *b = posix("UTC0");
	struct tz *c = posix("<-0330>3:30");

	(void)state;
	assert_int_equal(tz_offset(a, 1767225600), 4 * H);
	assert_int_equal(tz_offset(b, 1767225600), 0);
	assert_int_equal(tz_offset(c, 1767225600), -(3 * H + 1800));
	assert_int_equal(tz_next_transition(a, 0), INT64_MAX);
	tz_free(a);
	tz_free(b);
	tz_free(c);
}

static void test_posix_us_eastern_2026(void **state)
{
	struct tz *tz = posix("EST5EDT,M3.2.0,M11.1.0");

	(void)state;
	assert_int_equal(tz_offset(tz, 1772953199), -5 * H);
	assert_int_equal(tz_offset(tz, 1772953200), -4 * H);
	assert_int_equal(tz_offset(tz, 1793512799), -4 * H);
	assert_int_equal(tz_offset(tz, 1793512800), -5 * H);
	tz_free(tz);
}

static void test_posix_dst_without_dates_uses_us_rules(void **state)
{
	struct tz *tz = posix("EST5EDT");

	(void)state;
	assert_int_equal(tz_offset(tz, 1772953199), -5 * H);
	assert_int_equal(tz_offset(tz, 1772953200), -4 * H);
	tz_free(tz);
}

static void test_posix_southern_hemisphere_sydney(void **state)
{
	struct tz *tz = posix("AEST-10AEDT,M10.1.0,M4.1.0/3");

	(void)state;
	assert_int_equal(tz_offset(tz, 1767225600), 11 * H); /* January */
	assert_int_equal(tz_offset(tz, 1775318399), 11 * H);
	assert_int_equal(tz_offset(tz, 1775318400), 10 * H);
	assert_int_equal(tz_offset(tz, 1791043199), 10 * H);
	assert_int_equal(tz_offset(tz, 1791043200), 11 * H);
	assert_int_equal(tz_offset(tz, utc(2026, 12, 31, 23, 0, 0)), 11 * H);
	tz_free(tz);
}

static void test_posix_v3_time_past_24h_israel(void **state)
{
	struct tz *tz = posix("IST-2IDT,M3.4.4/26,M10.5.0");

	(void)state;
	/* Thursday 2026-03-26 at 26:00 is Friday 02:00 */
	assert_int_equal(tz_offset(tz, 1774569599), 2 * H);
	assert_int_equal(tz_offset(tz, 1774569600), 3 * H);
	assert_int_equal(tz_offset(tz, 1792882799), 3 * H);
	assert_int_equal(tz_offset(tz, 1792882800), 2 * H);
	tz_free(tz);
}

static void test_posix_v3_negative_time_nuuk(void **state)
{
	struct tz *tz = posix("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");

	(void)state;
	assert_int_equal(tz_offset(tz, 1774745999), -2 * H);
	assert_int_equal(tz_offset(tz, 1774746000), -1 * H);
	assert_int_equal(tz_offset(tz, 1792889999), -1 * H);
	assert_int_equal(tz_offset(tz, 1792890000), -2 * H);
	tz_free(tz);
}

static void test_posix_julian_days_skip_or_count_feb_29(void **state)
{
	struct tz *j = posix("XXX3YYY,J60,300"), *n = posix("XXX3YYY,59/0,299");

	(void)state;
	/* J60 is March 1 even in 2028; zero-based 59 is February 29 */
	assert_int_equal(tz_offset(j, 1835499599), -3 * H);
	assert_int_equal(tz_offset(j, 1835499600), -2 * H);
	assert_int_equal(tz_offset(n, 1835405999), -3 * H);
	assert_int_equal(tz_offset(n, 1835406000), -2 * H);
	assert_int_equal(tz_offset(n, 1772333999), -3 * H); /* 2026-03-01 */
	assert_int_equal(tz_offset(n, 1772334000), -2 * H);
	tz_free(j);
	tz_free(n);
}

static void test_posix_v3_all_year_dst(void **state)
{
	/* RFC 8536 3.3.1 (glibc 2.36 gets this one wrong, zdump too) */
	struct tz *tz = posix("EST5EDT,0/0,J365/25");

	(void)state;
	assert_int_equal(tz_offset(tz, utc(2026, 1, 1, 0, 0, 0)), -4 * H);
	assert_int_equal(tz_offset(tz, utc(2026, 1, 1, 5, 0, 0)), -4 * H);
	assert_int_equal(tz_offset(tz, utc(2026, 7, 1, 0, 0, 0)), -4 * H);
	assert_int_equal(tz_offset(tz, utc(2027, 1, 1, 4, 59, 59)), -4 * H);
	assert_int_equal(tz_next_transition(tz, 1767225600), INT64_MAX);
	tz_free(tz);
}

static void test_posix_rejects_malformed_rules(void **state)
{
	static const char *bad[] = {
		"",
		"UT0",
		"EST",
		"EST25",
		"<+04-4",
		"<+4>-4",
		"EST5 ",
		"EST5EDT,",
		"EST5EDT,M3.2.0",
		"EST5EDT,M13.2.0,M11.1.0",
		"EST5EDT,M3.6.0,M11.1.0",
		"EST5EDT,M3.2.7,M11.1.0",
		"EST5EDT,J0,J100",
		"EST5EDT,366,100",
		"EST5EDT,M3.2.0/168,M11.1.0",
		"EST5EDT,M3.2.0/1:60,M11.1.0",
		"EST5EDT,M3.2.0,M11.1.0x",
		"EST5EDT4:00:00:00",
	};
	struct tz *tz = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (tz_parse_posix(&tz, bad[i]) != EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void test_tzif_rejects_every_truncation(void **state)
{
	size_t len, cut;
	uint8_t *buf = zone_bytes("Europe/Paris", &len);

	(void)state;
	assert_int_equal(parse(buf, len), 0);
	for (cut = 0; cut < len; cut++)
		assert_int_equal(parse(buf, cut), EINVAL);
	free(buf);
}

static void test_tzif_rejects_bad_magic(void **state)
{
	size_t len;
	uint8_t *buf = zone_bytes("Indian/Mauritius", &len);

	(void)state;
	buf[0] = 'X';
	assert_int_equal(parse(buf, len), EINVAL);
	free(buf);
}

static void test_tzif_rejects_unknown_version(void **state)
{
	size_t len;
	uint8_t *buf = zone_bytes("Indian/Mauritius", &len);

	(void)state;
	buf[4] = '5';
	assert_int_equal(parse(buf, len), EINVAL);
	free(buf);
}

static void test_tzif_rejects_counts_beyond_the_buffer(void **state)
{
	static const size_t fields[] = {20, 24, 28, 32, 36, 40};
	size_t len, i;
	uint8_t *buf = zone_bytes("Indian/Mauritius", &len), saved[4];

	(void)state;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		memcpy(saved, buf + fields[i], 4);
		memset(buf + fields[i], 0x7f, 4);
		assert_int_equal(parse(buf, len), EINVAL);
		memset(buf + fields[i], 0xff, 4);
		assert_int_equal(parse(buf, len), EINVAL);
		memcpy(buf + fields[i], saved, 4);
	}
	free(buf);
}

static void test_tzif_rejects_type_index_out_of_range(void **state)
{
	static const int64_t at[] = {1000};
	static const uint8_t idx[] = {1}, dst[] = {0};
	static const int32_t off[] = {0};
	uint8_t buf[512];
	size_t len = tzif(buf, '2', 1, at, idx, 1, off, dst, "UTC0");

	(void)state;
	assert_int_equal(parse(buf, len), EINVAL);
}

static void test_tzif_rejects_unsorted_transitions(void **state)
{
	static const int64_t at[] = {2000, 1000};
	static const uint8_t idx[] = {1, 0}, dst[] = {0, 0};
	static const int32_t off[] = {0, H};
	uint8_t buf[512];
	size_t len = tzif(buf, '3', 2, at, idx, 2, off, dst, "UTC0");

	(void)state;
	assert_int_equal(parse(buf, len), EINVAL);
}

static void test_tzif_rejects_offset_out_of_range(void **state)
{
	static const uint8_t dst[] = {0};
	static const int32_t off[] = {INT32_MIN};
	uint8_t buf[512];
	size_t len = tzif(buf, '2', 0, NULL, NULL, 1, off, dst, "");

	(void)state;
	assert_int_equal(parse(buf, len), EINVAL);
}

static void test_tzif_rejects_bad_footer(void **state)
{
	static const uint8_t dst[] = {0};
	static const int32_t off[] = {0};
	uint8_t buf[512];
	size_t len = tzif(buf, '2', 0, NULL, NULL, 1, off, dst, "UTC0,J1");

	(void)state;
	assert_int_equal(parse(buf, len), EINVAL);
	len = tzif(buf, '2', 0, NULL, NULL, 1, off, dst, "UTC0");
	assert_int_equal(parse(buf, len - 1), EINVAL); /* no final newline */
}

/* The bytes of a file (at most 64 KiB) into buf; their length. */
static size_t slurp(const char *path, uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		fail_msg("cannot open %s", path);
	n = fread(buf, 1, size, f);
	fclose(f);
	return n;
}

static void test_tzif_rejects_leap_second_zones(void **state)
{
	static uint8_t buf[65536];
	size_t len = slurp("/usr/share/zoneinfo/right/UTC", buf, sizeof(buf));
	struct tz *tz = NULL;

	(void)state;
	assert_int_equal(tz_parse(&tz, buf, len), EINVAL);
	/* and its name is not an IANA name anyway */
	assert_int_equal(zoneinfo_load(&tz, "right/UTC"), ENOENT);
}

static void test_tzif_before_first_transition_uses_type_0(void **state)
{
	static const int64_t at[] = {1000};
	static const uint8_t idx[] = {1}, dst[] = {1, 0};
	static const int32_t off[] = {H, 0};
	uint8_t buf[512];
	size_t len = tzif(buf, '2', 1, at, idx, 2, off, dst, "");
	struct tz *tz = NULL;

	(void)state;
	assert_int_equal(tz_parse(&tz, buf, len), 0);
	assert_int_equal(tz_offset(tz, 999), H);
	assert_int_equal(tz_offset(tz, 1000), 0);
	assert_int_equal(tz_offset(tz, INT64_MAX), 0); /* no footer rule */
	tz_free(tz);
}

static void test_tzif_v1_file_uses_32_bit_table(void **state)
{
	static const int64_t at[] = {-100, 1000};
	static const uint8_t idx[] = {1, 0}, dst[] = {0, 0};
	static const int32_t off[] = {H, 2 * H};
	uint8_t buf[512];
	size_t len = tzif(buf, 0, 2, at, idx, 2, off, dst, NULL);
	struct tz *tz = NULL;

	(void)state;
	assert_int_equal(tz_parse(&tz, buf, len), 0);
	assert_int_equal(tz_offset(tz, -101), H);
	assert_int_equal(tz_offset(tz, -100), 2 * H);
	assert_int_equal(tz_offset(tz, 1000), H);
	tz_free(tz);
}

static void test_tzif_without_transitions_uses_footer(void **state)
{
	static const uint8_t dst[] = {0};
	static const int32_t off[] = {0};
	uint8_t buf[512];
	size_t len = tzif(buf, '4', 0, NULL, NULL, 1, off, dst, "<+04>-4");
	struct tz *tz = NULL;

	(void)state;
	assert_int_equal(tz_parse(&tz, buf, len), 0);
	assert_int_equal(tz_offset(tz, 0), 4 * H);
	tz_free(tz);
}

static void test_zoneinfo_rejects_names_leaving_tzdir(void **state)
{
	static const char *bad[] = {
		"",
		"/etc/passwd",
		"../etc/passwd",
		"Europe/../UTC",
		"Europe/Paris\n",
		"Europe Paris",
		"Europe/Paris.tab",
	};
	struct tz *tz = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(zoneinfo_load(&tz, bad[i]), EINVAL);
}

static void test_zoneinfo_unknown_zone_is_enoent(void **state)
{
	struct tz *tz = NULL;

	(void)state;
	assert_int_equal(zoneinfo_load(&tz, "Nowhere/Atlantis"), ENOENT);
	assert_int_equal(zoneinfo_load(&tz, "Europe"), ENOENT);
}

/* Writes text to dir/name. */
static void put_file(const char *dir, const char *name, const void *data,
		     size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A TZDIR of its own: tzdata.zi declaring Mauritius, and its file. */
static void test_zoneinfo_honours_tzdir(void **state)
{
	static const char zi[] = "# version test\nZ Mauritius 3:50 - LMT\n";
	static uint8_t buf[65536];
	char dir[] = "/tmp/relais-test-tzdir-XXXXXX", path[256];
	size_t len =
		slurp("/usr/share/zoneinfo/Indian/Mauritius", buf, sizeof(buf));
	struct tz *tz = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_file(dir, "Mauritius", buf, len);
	put_file(dir, "UTC", buf, len);
	put_file(dir, "tzdata.zi", zi, strlen(zi));
	setenv("TZDIR", "/nonexistent-tzdir", 1);
	assert_int_equal(zoneinfo_load(&tz, "UTC"), ENOENT);
	setenv("TZDIR", dir, 1);
	assert_int_equal(zoneinfo_load(&tz, "Mauritius"), 0);
	assert_int_equal(tz_offset(tz, 0), 4 * H);
	tz_free(tz);
	/* a file that tzdata.zi does not declare is not a zone */
	assert_int_equal(zoneinfo_load(&tz, "UTC"), ENOENT);
	unsetenv("TZDIR");
	for (const char *const *n = (const char *const[]){"Mauritius", "UTC",
							  "tzdata.zi", NULL};
	     *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		unlink(path);
	}
	rmdir(dir);
}

/*
 * Files of the system's zoneinfo that are not IANA names, and names spelt
 * another way, were taken as time zones: only what tzdata.zi declares is.
 */
static void test_zoneinfo_takes_only_canonical_names(void **state)
{
	static const char *const bad[] = {
		"localtime",	      "posixrules",    "Factory",
		"Europe//Paris",      "Europe/Paris/", "/Europe/Paris",
		"posix/Europe/Paris", "right/UTC",     "Europe/./Paris",
		"zone.tab",	      "tzdata.zi",     "Europe",
		"europe/paris",	      "leapseconds",
	};
	static const char *const good[] = {
		"Europe/Paris",
		"UTC",
		"Etc/UTC",
		"Etc/GMT+5",
		"GMT",
		"US/Eastern",
		"Europe/Kiev",
		"Europe/Kyiv",
		"America/Argentina/Buenos_Aires",
		"America/Port-au-Prince",
		"Africa/Casablanca",
	};
	struct tz *tz = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = zoneinfo_load(&tz, bad[i]);

		if (err != EINVAL && err != ENOENT)
			fail_msg("%s: %d", bad[i], err);
		assert_int_equal(zoneinfo_check(bad[i]), err);
	}
	assert_int_equal(zoneinfo_check("Europe//Paris"), EINVAL);
	assert_int_equal(zoneinfo_check("localtime"), ENOENT);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (zoneinfo_load(&tz, good[i]))
			fail_msg("%s refused", good[i]);
		tz_free(tz);
		assert_int_equal(zoneinfo_check(good[i]), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_days_known_dates),
		cmocka_unit_test(
			test_civil_days_round_trip_years_minus_9999_to_9999),
		cmocka_unit_test(
			test_range_constants_are_years_minus_9999_to_9999),
		cmocka_unit_test(
			test_paris_switches_to_cest_2026_03_29_0100_utc),
		cmocka_unit_test(test_paris_back_to_cet_2026_10_25_0100_utc),
		cmocka_unit_test(test_paris_local_time_jumps_from_0159_to_0300),
		cmocka_unit_test(test_paris_2100_follows_the_footer_rule),
		cmocka_unit_test(test_paris_before_1891_is_lmt),
		cmocka_unit_test(test_paris_next_transition_is_spring_forward),
		cmocka_unit_test(test_casablanca_2026_ramadan_is_utc),
		cmocka_unit_test(test_casablanca_local_jumps_from_0159_to_0300),
		cmocka_unit_test(test_mauritius_is_plus_4_all_year),
		cmocka_unit_test(test_mauritius_left_dst_2009_03_28_2100_utc),
		cmocka_unit_test(test_utc_is_zero_at_the_extremes),
		cmocka_unit_test(test_instants_beyond_9999_are_clamped),
		cmocka_unit_test(test_posix_fixed_offsets),
		cmocka_unit_test(test_posix_us_eastern_2026),
		cmocka_unit_test(test_posix_dst_without_dates_uses_us_rules),
		cmocka_unit_test(test_posix_southern_hemisphere_sydney),
		cmocka_unit_test(test_posix_v3_time_past_24h_israel),
		cmocka_unit_test(test_posix_v3_negative_time_nuuk),
		cmocka_unit_test(test_posix_julian_days_skip_or_count_feb_29),
		cmocka_unit_test(test_posix_v3_all_year_dst),
		cmocka_unit_test(test_posix_rejects_malformed_rules),
		cmocka_unit_test(test_tzif_rejects_every_truncation),
		cmocka_unit_test(test_tzif_rejects_bad_magic),
		cmocka_unit_test(test_tzif_rejects_unknown_version),
		cmocka_unit_test(test_tzif_rejects_counts_beyond_the_buffer),
		cmocka_unit_test(test_tzif_rejects_type_index_out_of_range),
		cmocka_unit_test(test_tzif_rejects_unsorted_transitions),
		cmocka_unit_test(test_tzif_rejects_offset_out_of_range),
		cmocka_unit_test(test_tzif_rejects_bad_footer),
		cmocka_unit_test(test_tzif_rejects_leap_second_zones),
		cmocka_unit_test(test_tzif_before_first_transition_uses_type_0),
		cmocka_unit_test(test_tzif_v1_file_uses_32_bit_table),
		cmocka_unit_test(test_tzif_without_transitions_uses_footer),
		cmocka_unit_test(test_zoneinfo_rejects_names_leaving_tzdir),
		cmocka_unit_test(test_zoneinfo_unknown_zone_is_enoent),
		cmocka_unit_test(test_zoneinfo_honours_tzdir),
		cmocka_unit_test(test_zoneinfo_takes_only_canonical_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
