/*
 * xlsx — JSON rows as a one-sheet workbook (xlsx.h). The file lives only
 * while it is written and read back: a unique name from mkstemps() in the
 * caller's folder, removed before returning, whatever happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "model/utctime.h"
#include "server/xlsx.h"

/* Excel's serial date of the Unix epoch (1970-01-01 is day 25569). */
#define EXCEL_EPOCH_DAYS 25569.0

struct formats {
	lxw_format *head, *percent, *time;
};

static lxw_error write_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			    const struct xlsx_col *c, const json_t *v,
			    const struct formats *f)
{
	int64_t ms;

	switch (c->kind) {
	case XLSX_TEXT:
		if (!json_is_string(v) || !json_string_length(v))
			return LXW_NO_ERROR;
		return worksheet_write_string(ws, row, col,
					      json_string_value(v), NULL);
	case XLSX_TIME:
		ms = json_is_string(v) ? utctime_parse(json_string_value(v))
				       : -1;
		if (ms < 0)
			return LXW_NO_ERROR;
		return worksheet_write_number(
			ws, row, col,
			(double)ms / 86400000.0 + EXCEL_EPOCH_DAYS, f->time);
	case XLSX_NUMBER:
	case XLSX_PERCENT:
		if (!json_is_number(v))
			return LXW_NO_ERROR;
		return worksheet_write_number(
			ws, row, col, json_number_value(v),
			c->kind == XLSX_PERCENT ? f->percent : NULL);
	}
	return LXW_NO_ERROR;
}

static lxw_error write_sheet(lxw_workbook *wb, lxw_worksheet *ws,
			     const struct xlsx_col *cols, size_t ncols,
			     const json_t *rows)
{
	struct formats f = {workbook_add_format(wb), workbook_add_format(wb),
			    workbook_add_format(wb)};
	lxw_error err = LXW_NO_ERROR;
	const json_t *row;
	size_t i;

	if (!f.head || !f.percent || !f.time)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	format_set_bold(f.head);
	format_set_num_format(f.percent, "0.0%");
	format_set_num_format(f.time, "yyyy-mm-dd hh:mm");
	for (size_t c = 0; !err && c < ncols; c++) {
		err = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
					   cols[c].width, NULL);
		if (!err)
			err = worksheet_write_string(ws, 0, (lxw_col_t)c,
						     cols[c].title, f.head);
	}
	json_array_foreach(rows, i, row)
	{
		for (size_t c = 0; !err && c < ncols; c++)
			err = write_cell(
				ws, (lxw_row_t)(i + 1), (lxw_col_t)c, &cols[c],
				json_object_get(row, cols[c].field), &f);
	}
	worksheet_freeze_panes(ws, 1, 0);
	if (!err && ncols)
		err = worksheet_autofilter(ws, 0, 0, (lxw_row_t)i,
					   (lxw_col_t)(ncols - 1));
	return err;
}

/* The whole file into a malloc'd buffer. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long size;
	int err = 0;

	if (!fp)
		return EIO;
	if (fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET)) {
		err = EIO;
		goto out;
	}
	*out = malloc((size_t)size + 1);
	if (!*out) {
		err = ENOMEM;
		goto out;
	}
	if (fread(*out, 1, (size_t)size, fp) != (size_t)size) {
		free(*out);
		*out = NULL;
		err = EIO;
		goto out;
	}
	*len = (size_t)size;
out:
	fclose(fp);
	return err;
}

static int map_error(lxw_error e)
{
	switch (e) {
	case LXW_NO_ERROR:
		return 0;
	case LXW_ERROR_MEMORY_MALLOC_FAILED:
		return ENOMEM;
	case LXW_ERROR_CREATING_XLSX_FILE:
	case LXW_ERROR_CREATING_TMPFILE:
	case LXW_ERROR_READING_TMPFILE:
	case LXW_ERROR_ZIP_FILE_OPERATION:
	case LXW_ERROR_ZIP_FILE_ADD:
	case LXW_ERROR_ZIP_CLOSE:
		return EIO;
	default:
		return EINVAL;
	}
}

int xlsx_table(char **out, size_t *len, const char *dir, const char *sheet,
	       const struct xlsx_col *cols, size_t ncols, const json_t *rows)
{
	lxw_workbook_options opt = {.tmpdir = (char *)dir};
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws;
	char path[4096];
	lxw_error e;
	int fd, err;

	if ((size_t)snprintf(path, sizeof(path), "%s/.report-XXXXXX.xlsx",
			     dir) >= sizeof(path))
		return EINVAL;
	fd = mkstemps(path, 5);
	if (fd < 0)
		return EIO;
	close(fd);
	wb = workbook_new_opt(path, &opt);
	ws = wb ? workbook_add_worksheet(wb, sheet) : NULL;
	if (!ws) {
		err = wb ? EINVAL : ENOMEM;
		workbook_close(wb);
		goto out;
	}
	e = write_sheet(wb, ws, cols, ncols, rows);
	err = map_error(workbook_close(wb)); /* also frees wb */
	if (!err)
		err = map_error(e);
	if (!err)
		err = slurp(path, out, len);
out:
	unlink(path);
	return err;
}
