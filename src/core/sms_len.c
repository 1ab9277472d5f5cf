/*
 * sms_len — GSM-7 / UCS-2 detection and segment counting (see sms_len.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/sms_len.h"

/*
 * The default alphabet beyond ASCII (3GPP TS 23.038 §6.2.1), sorted for a
 * binary search. Printable ASCII is in it except ` (absent) and
 * [ \ ] ^ { | } ~ (extension table); LF and CR are in it too. Only the
 * capital Ç is: a ç, like ê, â, î, ô, û, ë, ï, needs UCS-2.
 */
static const uint16_t gsm7_basic[] = {
	0x00a1, 0x00a3, 0x00a4, 0x00a5, 0x00a7, 0x00bf, 0x00c4, 0x00c5,
	0x00c6, 0x00c7, 0x00c9, 0x00d1, 0x00d6, 0x00d8, 0x00dc, 0x00df,
	0x00e0, 0x00e4, 0x00e5, 0x00e6, 0x00e8, 0x00e9, 0x00ec, 0x00f1,
	0x00f2, 0x00f6, 0x00f8, 0x00f9, 0x00fc, 0x0393, 0x0394, 0x0398,
	0x039b, 0x039e, 0x03a0, 0x03a3, 0x03a6, 0x03a8, 0x03a9,
};

/* The extension table: an escape (0x1B) then the character. */
static const char gsm7_ext_ascii[] = "\f^{}\\[~]|";
#define EURO 0x20ac

static bool in_basic(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(gsm7_basic) / sizeof(gsm7_basic[0]);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gsm7_basic[mid] == cp)
			return true;
		if (gsm7_basic[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int sms_len_gsm7_septets(uint32_t cp)
{
	if (cp == '\n' || cp == '\r')
		return 1;
	if (cp == EURO || (cp && cp < 0x80 && strchr(gsm7_ext_ascii, (int)cp)))
		return 2;
	if (cp >= 0x20 && cp < 0x7f)
		return cp == '`' ? 0 : 1;
	return in_basic(cp) ? 1 : 0;
}

size_t sms_len_utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	uint32_t c, min;

	if (!n)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2, c = u[0] & 0x1f, min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3, c = u[0] & 0x0f, min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Units of cp in enc: septets, or UTF-16 code units. */
static size_t units_of(uint32_t cp, enum sms_encoding enc)
{
	if (enc == SMS_GSM7)
		return (size_t)sms_len_gsm7_septets(cp);
	return cp > 0xffff ? 2 : 1;
}

/* First pass: validity, code points, and whether GSM-7 carries it all. */
static int scan(const char *text, size_t size, size_t *chars, bool *gsm7)
{
	size_t off = 0, n;
	uint32_t cp;

	*chars = 0;
	*gsm7 = true;
	while (off < size) {
		n = sms_len_utf8_next(text + off, size - off, &cp);
		if (!n)
			return EINVAL;
		if (!sms_len_gsm7_septets(cp))
			*gsm7 = false;
		(*chars)++;
		off += n;
	}
	return 0;
}

/*
 * Second pass for a concatenated text: fills parts of per_part units,
 * moving a character of two units that does not fit to the next part.
 */
static void pack(struct sms_len *m, const char *text, size_t size)
{
	size_t off = 0, used = 0, u;
	uint32_t cp;

	m->segments = 1;
	while (off < size) {
		off += sms_len_utf8_next(text + off, size - off, &cp);
		u = units_of(cp, m->encoding);
		if (used + u > m->per_part) {
			m->segments++;
			used = 0;
		}
		used += u;
	}
	m->left = m->per_part - used;
}

int sms_len_measure(struct sms_len *out, const char *text, size_t size)
{
	struct sms_len m = {0};
	size_t off = 0, single;
	uint32_t cp;
	bool gsm7;
	int err;

	err = scan(text, size, &m.chars, &gsm7);
	if (err)
		return err;
	m.encoding = gsm7 ? SMS_GSM7 : SMS_UCS2;
	single = gsm7 ? SMS_GSM7_SINGLE : SMS_UCS2_SINGLE;
	while (off < size) {
		off += sms_len_utf8_next(text + off, size - off, &cp);
		m.units += units_of(cp, m.encoding);
	}
	if (m.units <= single) {
		m.per_part = single;
		m.segments = m.units ? 1 : 0;
		m.left = single - m.units;
	} else {
		m.per_part = gsm7 ? SMS_GSM7_PART : SMS_UCS2_PART;
		pack(&m, text, size);
	}
	*out = m;
	return 0;
}

const char *sms_len_encoding_name(enum sms_encoding enc)
{
	return enc == SMS_GSM7 ? "gsm7" : "ucs2";
}
