/*
 * reply — an outbound message built with GMime: the threading headers a
 * customer's mail program needs to put our answer under its question,
 * and the loop guard (RFC 3834) on automatic answers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "channels/email/mime.h"

/* References kept: the first (the thread's root) and the last ones. */
#define MAX_REFS 20

/* An address we put in a header: one line, one '@', sane length. */
static bool addr_ok(const char *a)
{
	size_t n = a ? strlen(a) : 0;

	if (n < 3 || n > 320 || !strchr(a, '@'))
		return false;
	for (; *a; a++) {
		if ((unsigned char)*a <= ' ' || *a == '<' || *a == '>' ||
		    *a == ',' || *a == '"' || *a == '(' || *a == ')')
			return false;
	}
	return true;
}

static bool line_ok(const char *s)
{
	return !s || !strpbrk(s, "\r\n");
}

static int add(GMimeMessage *gm, GMimeAddressType t, const char *name,
	       const char *addr)
{
	if (!addr_ok(addr) || !line_ok(name))
		return EINVAL;
	g_mime_message_add_mailbox(gm, t, name ? name : "", addr);
	return 0;
}

static bool has_re(const char *s)
{
	while (*s == ' ')
		s++;
	return !strncasecmp(s, "re:", 3) || !strncasecmp(s, "re :", 4);
}

static int subject(GMimeMessage *gm, const struct mail_reply *r)
{
	const char *orig = r->orig ? r->orig->subject : "";
	char *s;

	if (r->subject) {
		if (!line_ok(r->subject))
			return EINVAL;
		g_mime_message_set_subject(gm, r->subject, "utf-8");
		return 0;
	}
	s = has_re(orig) ? g_strdup(orig) : g_strconcat("Re: ", orig, NULL);
	g_mime_message_set_subject(gm, s, "utf-8");
	g_free(s);
	return 0;
}

static int recipients(GMimeMessage *gm, const struct mail_reply *r)
{
	const struct mail_msg *o = r->orig;
	size_t n = 0;
	int err = 0;

	for (size_t i = 0; i < r->nto && !err; i++, n++)
		err = add(gm, GMIME_ADDRESS_TYPE_TO, NULL, r->to[i]);
	if (!r->to && o && o->reply_to.n) {
		for (size_t i = 0; i < o->reply_to.n && !err; i++, n++)
			err = add(gm, GMIME_ADDRESS_TYPE_TO,
				  o->reply_to.v[i].name, o->reply_to.v[i].addr);
	} else if (!r->to && o) {
		err = add(gm, GMIME_ADDRESS_TYPE_TO, o->from.name,
			  o->from.addr);
		n++;
	}
	for (size_t i = 0; i < r->ncc && !err; i++)
		err = add(gm, GMIME_ADDRESS_TYPE_CC, NULL, r->cc[i]);
	if (!err && !n)
		err = EINVAL;
	return err;
}

static void append_id(GString *s, const char *id)
{
	if (s->len)
		g_string_append_c(s, ' ');
	g_string_append_printf(s, "<%s>", id);
}

static bool id_ok(const char *id)
{
	return id && *id && strlen(id) < 500 && !strpbrk(id, "\r\n<> ");
}

static void threading(GMimeMessage *gm, const struct mail_msg *o)
{
	GString *refs = g_string_new(NULL);
	size_t n = o->nreferences;

	if (!id_ok(o->message_id)) {
		g_string_free(refs, TRUE);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if ((i == 0 || i + MAX_REFS - 1 >= n) &&
		    id_ok(o->references[i]))
			append_id(refs, o->references[i]);
	}
	append_id(refs, o->message_id);
	g_mime_object_set_header(GMIME_OBJECT(gm), "References", refs->str,
				 NULL);
	g_string_free(refs, TRUE);
	refs = g_string_new(NULL);
	append_id(refs, o->message_id);
	g_mime_object_set_header(GMIME_OBJECT(gm), "In-Reply-To", refs->str,
				 NULL);
	g_string_free(refs, TRUE);
}

/* The answer, then the previous message quoted line by line. */
static char *body_text(const struct mail_reply *r)
{
	GString *s = g_string_new(r->text ? r->text : "");
	const char *p;

	if (r->quote && r->orig && r->orig->text && *r->orig->text) {
		g_string_append(s, "\n\n");
		for (p = r->orig->text; *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			g_string_append(s, *p == '>' ? ">" : "> ");
			g_string_append_len(s, p, (gssize)len);
			g_string_append_c(s, '\n');
			p += len + (nl ? 1 : 0);
		}
	}
	return g_string_free(s, FALSE);
}

static GMimeObject *text_part(const struct mail_reply *r)
{
	GMimeTextPart *tp = g_mime_text_part_new_with_subtype("plain");
	char *text = body_text(r);
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(
		st, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(GMIME_PART(tp), dw);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(tp), "charset",
						 "utf-8");
	g_mime_part_set_content_encoding(
		GMIME_PART(tp), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	g_object_unref(dw);
	g_object_unref(st);
	g_free(text);
	return GMIME_OBJECT(tp);
}

/* A file as an attachment part (base64, its name in the disposition). */
static GMimeObject *file_part(const struct mail_part *f)
{
	const char *slash = strchr(f->type, '/');
	char *type = slash ? g_strndup(f->type, (gsize)(slash - f->type))
			   : g_strdup("application");
	GMimePart *part = g_mime_part_new_with_type(
		type, slash ? slash + 1 : "octet-stream");
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(
		(const char *)f->data, f->size);
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(
		st, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, dw);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	g_mime_object_set_disposition(GMIME_OBJECT(part), "attachment");
	if (f->name && *f->name && line_ok(f->name))
		g_mime_part_set_filename(part, f->name);
	g_object_unref(dw);
	g_object_unref(st);
	g_free(type);
	return GMIME_OBJECT(part);
}

/* The text alone, or a multipart/mixed of the text and the files. */
static GMimeObject *body_of(const struct mail_reply *r)
{
	GMimeMultipart *mp;
	GMimeObject *part;

	if (!r->nfiles)
		return text_part(r);
	mp = g_mime_multipart_new_with_subtype("mixed");
	part = text_part(r);
	g_mime_multipart_add(mp, part);
	g_object_unref(part);
	for (size_t i = 0; i < r->nfiles; i++) {
		part = file_part(&r->files[i]);
		g_mime_multipart_add(mp, part);
		g_object_unref(part);
	}
	return GMIME_OBJECT(mp);
}

static int headers(GMimeMessage *gm, const struct mail_reply *r, char **msgidp)
{
	const char *domain = strchr(r->from_addr, '@') + 1;
	GDateTime *date;
	char *id;
	int err;

	err = add(gm, GMIME_ADDRESS_TYPE_FROM, r->from_name, r->from_addr);
	if (!err && r->reply_to)
		err = add(gm, GMIME_ADDRESS_TYPE_REPLY_TO, NULL, r->reply_to);
	if (!err)
		err = recipients(gm, r);
	if (!err)
		err = subject(gm, r);
	if (err)
		return err;
	if (r->message_id && !id_ok(r->message_id))
		return EINVAL;
	id = r->message_id ? g_strdup(r->message_id)
			   : g_mime_utils_generate_message_id(domain);
	g_mime_message_set_message_id(gm, id);
	*msgidp = strdup(id);
	g_free(id);
	date = g_date_time_new_from_unix_utc(r->now_ms / 1000);
	g_mime_message_set_date(gm, date);
	g_date_time_unref(date);
	if (r->orig)
		threading(gm, r->orig);
	if (r->auto_reply)
		g_mime_object_set_header(GMIME_OBJECT(gm), "Auto-Submitted",
					 "auto-replied", NULL);
	return *msgidp ? 0 : ENOMEM;
}

static int serialise(GMimeMessage *gm, char **outp, size_t *lenp)
{
	GMimeFormatOptions *fo = g_mime_format_options_new();
	char *s;

	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	s = g_mime_object_to_string(GMIME_OBJECT(gm), fo);
	g_mime_format_options_free(fo);
	*outp = s ? strdup(s) : NULL;
	g_free(s);
	if (!*outp)
		return ENOMEM;
	*lenp = strlen(*outp);
	return 0;
}

int mail_reply_build(char **outp, size_t *lenp, char **msgidp,
		     const struct mail_reply *r)
{
	GMimeMessage *gm;
	GMimeObject *body;
	int err;

	*outp = NULL;
	*msgidp = NULL;
	if (!addr_ok(r->from_addr))
		return EINVAL;
	mail_init();
	gm = g_mime_message_new(TRUE);
	err = headers(gm, r, msgidp);
	if (!err) {
		body = body_of(r);
		g_mime_message_set_mime_part(gm, body);
		g_object_unref(body);
		err = serialise(gm, outp, lenp);
	}
	g_object_unref(gm);
	if (err) {
		free(*msgidp);
		*msgidp = NULL;
	}
	return err;
}
