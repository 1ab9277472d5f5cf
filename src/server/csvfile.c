/*
 * csvfile — see csvfile.h. Linear in the size of the file; a cell longer
 * than the stack's buffer is written through the heap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/csv.h"
#include "server/csvfile.h"

/* A text cell, quoted and kept from being a formula (core/csv.h). */
static int csv_string(struct mbuf *mb, const char *s)
{
	char buf[256], *p = buf;
	size_t n = csv_text(buf, sizeof(buf), s, true);
	int err;

	if (n >= sizeof(buf)) {
		p = malloc(n + 1);
		if (!p)
			return ENOMEM;
		csv_text(p, n + 1, s, true);
	}
	err = mbuf_write_mem(mb, (const uint8_t *)p, n);
	if (p != buf)
		free(p);
	return err;
}

/* An object or an array is a text cell of its JSON. */
static int csv_json(struct mbuf *mb, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	int err;

	if (!s)
		return ENOMEM;
	err = csv_string(mb, s);
	free(s);
	return err;
}

/* Numbers are written as numbers: only text cells are neutralised. */
static int csv_field(struct mbuf *mb, const json_t *v)
{
	char num[32];

	if (json_is_string(v))
		return csv_string(mb, json_string_value(v));
	if (json_is_integer(v))
		return mbuf_printf(mb, "%lld",
				   (long long)json_integer_value(v));
	if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		return mbuf_write_str(mb, num);
	}
	if (json_is_boolean(v))
		return mbuf_write_str(mb, json_is_true(v) ? "true" : "false");
	if (json_is_object(v) || json_is_array(v))
		return csv_json(mb, v);
	return 0;
}

int csvfile_write(struct mbuf *mb, const char *const *cols, size_t n,
		  const json_t *rows)
{
	const json_t *row;
	size_t i;
	int err = 0;

	/* the byte-order mark: Excel then reads the file as UTF-8 */
	err = mbuf_write_str(mb, "\xEF\xBB\xBF");
	for (size_t c = 0; !err && c < n; c++)
		err = mbuf_printf(mb, "%s%s", c ? "," : "", cols[c]);
	if (!err)
		err = mbuf_write_str(mb, "\r\n");
	for (i = 0; !err && i < json_array_size(rows); i++) {
		row = json_array_get(rows, i);
		for (size_t c = 0; !err && c < n; c++) {
			if (c)
				err = mbuf_write_u8(mb, ',');
			if (!err)
				err = csv_field(mb,
						json_object_get(row, cols[c]));
		}
		if (!err)
			err = mbuf_write_str(mb, "\r\n");
	}
	return err;
}
