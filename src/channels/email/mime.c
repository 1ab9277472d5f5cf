/*
 * mime — parsing with GMime into struct mail_msg.
 *
 * GMime does the MIME grammar, the transfer encodings and the RFC 2047
 * words; this file walks the part tree, picks the bodies, converts every
 * text to UTF-8 and copies what it keeps out of GMime's objects, so that
 * nothing of GLib leaks past this module.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "channels/email/html_clean.h"
#include "channels/email/mime.h"

#define DEFAULT_MAX_PARTS     64
#define DEFAULT_MAX_PART_SIZE (25u << 20)

struct walk {
	struct mail_msg *m;
	struct mail_limits lim;
	char *html_raw; /* the first HTML body, UTF-8, before cleaning */
	int depth;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_gmime(void)
{
	g_mime_init();
}

void mail_init(void)
{
	pthread_once(&init_once, init_gmime);
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

/* Bytes of some charset into valid UTF-8; NULL on ENOMEM. */
static char *convert(const char *in, size_t len, const char *charset)
{
	const char *tries[] = {charset, "UTF-8", "WINDOWS-1252", "ISO-8859-1"};
	char *out = NULL, *valid;
	gsize n;

	/* ISO-8859-1 as declared is most often Windows-1252 in fact. */
	if (charset && (!strcasecmp(charset, "iso-8859-1") ||
			!strcasecmp(charset, "us-ascii")))
		tries[0] = "WINDOWS-1252";
	for (size_t i = 0; i < 4 && !out; i++) {
		if (!tries[i])
			continue;
		if (!strcasecmp(tries[i], "UTF-8") ||
		    !strcasecmp(tries[i], "utf8")) {
			if (g_utf8_validate(in, (gssize)len, NULL))
				out = g_strndup(in, len);
			continue;
		}
		out = g_convert(in, (gssize)len, "UTF-8", tries[i], NULL, &n,
				NULL);
	}
	if (!out)
		return NULL;
	valid = g_utf8_make_valid(out, -1);
	g_free(out);
	out = strdup(valid);
	g_free(valid);
	return out;
}

/*
 * A NUL inside would cut the text short: the bytes go without them. Lines
 * end in LF alone, as everywhere else in relais.
 */
static char *to_utf8(const char *in, size_t len, const char *charset)
{
	char *clean = malloc(len + 1), *out;
	size_t j = 0;

	if (!clean)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (in[i] &&
		    !(in[i] == '\r' && i + 1 < len && in[i + 1] == '\n'))
			clean[j++] = in[i];
	}
	clean[j] = '\0';
	out = convert(clean, j, charset);
	free(clean);
	return out;
}

/* The decoded bytes of a leaf part (transfer encoding undone). */
static int part_bytes(GMimePart *part, GByteArray **bytesp, size_t max)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *arr;

	*bytesp = NULL;
	if (!dw)
		return 0;
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(dw, mem) < 0) {
		g_object_unref(mem);
		return EINVAL;
	}
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (arr->len > max) {
		g_object_unref(mem);
		return EFBIG;
	}
	*bytesp = g_byte_array_new();
	g_byte_array_append(*bytesp, arr->data, arr->len);
	g_object_unref(mem);
	return 0;
}

static int part_text(GMimePart *part, char **outp, size_t max)
{
	const char *cs = g_mime_object_get_content_type_parameter(
		GMIME_OBJECT(part), "charset");
	GByteArray *b;
	int err = part_bytes(part, &b, max);

	if (err)
		return err;
	if (!b) {
		*outp = strdup("");
		return *outp ? 0 : ENOMEM;
	}
	*outp = to_utf8((const char *)b->data, b->len, cs);
	g_byte_array_unref(b);
	return *outp ? 0 : ENOMEM;
}

static char *lower_type(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *s, *p;

	if (!ct)
		return strdup("application/octet-stream");
	s = g_mime_content_type_get_mime_type(ct);
	p = s ? strdup(s) : strdup("application/octet-stream");
	g_free(s);
	for (char *c = p; c && *c; c++)
		*c = (char)g_ascii_tolower(*c);
	return p;
}

/* The bytes go to the caller's store, or are copied into the part. */
static int keep_bytes(struct walk *w, struct mail_part *p, const void *data)
{
	if (w->lim.store)
		return w->lim.store(w->lim.arg, p, data, p->size, &p->ref);
	p->data = malloc(p->size ? p->size : 1);
	if (!p->data)
		return ENOMEM;
	if (p->size)
		memcpy(p->data, data, p->size);
	return 0;
}

static int add_part(struct walk *w, GMimeObject *obj, GByteArray *b)
{
	struct mail_msg *m = w->m;
	struct mail_part *p, *v;
	const char *name = NULL, *cid = g_mime_object_get_content_id(obj);

	if (m->nparts >= w->lim.max_parts)
		return EFBIG;
	v = realloc(m->parts, (m->nparts + 1) * sizeof(*v));
	if (!v)
		return ENOMEM;
	m->parts = v;
	p = &v[m->nparts];
	memset(p, 0, sizeof(*p));
	if (GMIME_IS_PART(obj))
		name = g_mime_part_get_filename(GMIME_PART(obj));
	else
		name = g_mime_object_get_content_disposition_parameter(
			obj, "filename");
	p->name = to_utf8(name ? name : "", name ? strlen(name) : 0, "UTF-8");
	p->type = lower_type(obj);
	p->cid = dup0(cid);
	m->nparts++;
	if (!p->name || !p->type || !p->cid)
		return ENOMEM;
	p->is_inline = cid && *cid &&
		       !(GMIME_IS_PART(obj) &&
			 g_mime_part_is_attachment(GMIME_PART(obj)));
	p->size = b ? b->len : 0;
	return keep_bytes(w, p, b ? b->data : NULL);
}

static bool is_text(GMimeObject *obj, const char *sub)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct && g_mime_content_type_is_type(ct, "text", sub);
}

static int walk_leaf(struct walk *w, GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	bool att = g_mime_part_is_attachment(part);
	size_t max = w->lim.max_part_size;
	GByteArray *b;
	int err;

	if (!att && !w->m->text && is_text(obj, "plain"))
		return part_text(part, &w->m->text, max);
	if (!att && !w->html_raw && is_text(obj, "html"))
		return part_text(part, &w->html_raw, max);
	err = part_bytes(part, &b, max);
	if (!err)
		err = add_part(w, obj, b);
	if (b)
		g_byte_array_unref(b);
	return err;
}

/* An attached message (message/rfc822) stays whole, as an attachment. */
static int walk_message_part(struct walk *w, GMimeMessagePart *mp)
{
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	GByteArray *b = g_byte_array_new();
	char *s = inner ? g_mime_object_to_string(GMIME_OBJECT(inner), NULL)
			: NULL;
	int err;

	if (s)
		g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s));
	g_free(s);
	err = b->len > w->lim.max_part_size ? EFBIG
					    : add_part(w, GMIME_OBJECT(mp), b);
	g_byte_array_unref(b);
	return err;
}

static int walk_obj(struct walk *w, GMimeObject *obj)
{
	int err = 0;

	if (++w->depth > 32)
		return EINVAL;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n && !err; i++)
			err = walk_obj(w, g_mime_multipart_get_part(mp, i));
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		err = walk_message_part(w, GMIME_MESSAGE_PART(obj));
	} else if (GMIME_IS_PART(obj)) {
		err = walk_leaf(w, GMIME_PART(obj));
	}
	w->depth--;
	return err;
}

static int set_addr(struct mail_addr *a, InternetAddress *ia)
{
	const char *name = internet_address_get_name(ia);
	const char *addr =
		internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));

	a->name = to_utf8(name ? name : "", name ? strlen(name) : 0, "UTF-8");
	a->addr = to_utf8(addr ? addr : "", addr ? strlen(addr) : 0, "UTF-8");
	return a->name && a->addr ? 0 : ENOMEM;
}

static int add_addrs(struct mail_addrs *out, InternetAddressList *list,
		     int depth)
{
	int n = list ? internet_address_list_length(list) : 0;
	int err = 0;

	for (int i = 0; i < n && !err && depth < 4; i++) {
		InternetAddress *ia =
			internet_address_list_get_address(list, i);
		struct mail_addr *v;

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			err = add_addrs(out,
					internet_address_group_get_members(
						INTERNET_ADDRESS_GROUP(ia)),
					depth + 1);
			continue;
		}
		if (out->n >= 1000)
			return EFBIG;
		v = realloc(out->v, (out->n + 1) * sizeof(*v));
		if (!v)
			return ENOMEM;
		out->v = v;
		memset(&v[out->n], 0, sizeof(*v));
		err = set_addr(&v[out->n++], ia);
	}
	return err;
}

static int addresses(struct mail_msg *m, GMimeMessage *gm)
{
	struct mail_addrs from = {0};
	int err;

	err = add_addrs(&from, g_mime_message_get_from(gm), 0);
	if (!err && (!from.n || !strchr(from.v[0].addr, '@')))
		err = EINVAL; /* nobody to answer: not a message we take */
	if (!err) {
		m->from = from.v[0];
		from.v[0] = (struct mail_addr){0};
	}
	for (size_t i = 0; i < from.n; i++) {
		free(from.v[i].name);
		free(from.v[i].addr);
	}
	free(from.v);
	if (!err)
		err = add_addrs(&m->to, g_mime_message_get_to(gm), 0);
	if (!err)
		err = add_addrs(&m->cc, g_mime_message_get_cc(gm), 0);
	if (!err)
		err = add_addrs(&m->reply_to, g_mime_message_get_reply_to(gm),
				0);
	return err;
}

static char *msgid_of(const char *raw)
{
	char *id, *out;

	if (!raw)
		return strdup("");
	id = g_mime_utils_decode_message_id(raw);
	out = to_utf8(id ? id : "", id ? strlen(id) : 0, "UTF-8");
	g_free(id);
	return out;
}

static int references(struct mail_msg *m, GMimeMessage *gm)
{
	const char *raw =
		g_mime_object_get_header(GMIME_OBJECT(gm), "References");
	GMimeReferences *refs = raw ? g_mime_references_parse(NULL, raw) : NULL;
	int n = refs ? g_mime_references_length(refs) : 0;
	int err = 0;

	if (n > 100)
		n = 100; /* threading needs the last ones; a bound on memory */
	m->references = calloc((size_t)n + 1, sizeof(char *));
	if (!m->references)
		err = ENOMEM;
	for (int i = 0; i < n && !err; i++) {
		const char *id = g_mime_references_get_message_id(refs, i);

		m->references[i] = to_utf8(id, strlen(id), "UTF-8");
		if (!m->references[i])
			err = ENOMEM;
		else
			m->nreferences++;
	}
	if (refs)
		g_mime_references_free(refs);
	return err;
}

static bool header_is(GMimeObject *o, const char *name, const char *const *vals)
{
	const char *v = g_mime_object_get_header(o, name);

	if (!v)
		return false;
	while (*v == ' ' || *v == '\t')
		v++;
	for (; *vals; vals++) {
		if (!strncasecmp(v, *vals, strlen(*vals)))
			return true;
	}
	return false;
}

/* RFC 3834: anything automatic must not be answered automatically. */
static bool is_auto(GMimeObject *o)
{
	static const char *const no[] = {"no", NULL};
	static const char *const bulk[] = {"bulk", "list", "junk", "auto_reply",
					   NULL};
	const char *as = g_mime_object_get_header(o, "Auto-Submitted");

	if (as && !header_is(o, "Auto-Submitted", no))
		return true;
	return header_is(o, "Precedence", bulk) ||
	       g_mime_object_get_header(o, "List-Id") ||
	       g_mime_object_get_header(o, "X-Autoreply") ||
	       g_mime_object_get_header(o, "X-Autorespond");
}

static int headers(struct mail_msg *m, GMimeMessage *gm)
{
	GMimeObject *o = GMIME_OBJECT(gm);
	const char *subj = g_mime_message_get_subject(gm);
	GDateTime *date = g_mime_message_get_date(gm);

	m->message_id = msgid_of(g_mime_message_get_message_id(gm));
	m->in_reply_to = msgid_of(g_mime_object_get_header(o, "In-Reply-To"));
	m->subject =
		to_utf8(subj ? subj : "", subj ? strlen(subj) : 0, "UTF-8");
	if (!m->message_id || !m->in_reply_to || !m->subject)
		return ENOMEM;
	if (date)
		m->date_ms = g_date_time_to_unix(date) * 1000;
	m->is_auto = is_auto(o);
	return references(m, gm);
}

static int bodies(struct walk *w, GMimeMessage *gm)
{
	GMimeObject *body = g_mime_message_get_mime_part(gm);
	struct mail_msg *m = w->m;
	char *text = NULL;
	int err = body ? walk_obj(w, body) : 0;

	if (err)
		return err;
	if (w->html_raw && html_clean(&m->html, m->text ? NULL : &text,
				      w->html_raw, strlen(w->html_raw)))
		m->html = NULL; /* HTML beyond repair: the text is enough */
	if (!m->text)
		m->text = text ? text : strdup("");
	else
		free(text);
	if (!m->html)
		m->html = strdup("");
	return m->text && m->html ? 0 : ENOMEM;
}

static GMimeMessage *gmime_parse(const void *buf, size_t len)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(buf, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(st);
	GMimeMessage *gm = g_mime_parser_construct_message(parser, NULL);

	g_object_unref(parser);
	g_object_unref(st);
	return gm;
}

int mail_parse(struct mail_msg **msgp, const void *buf, size_t len,
	       const struct mail_limits *lim)
{
	struct walk w = {0};
	GMimeMessage *gm;
	int err;

	*msgp = NULL;
	if (lim)
		w.lim = *lim;
	if (!w.lim.max_parts)
		w.lim.max_parts = DEFAULT_MAX_PARTS;
	if (!w.lim.max_part_size)
		w.lim.max_part_size = DEFAULT_MAX_PART_SIZE;
	mail_init();
	if (!len)
		return EINVAL;
	gm = gmime_parse(buf, len);
	if (!gm)
		return EINVAL;
	w.m = calloc(1, sizeof(*w.m));
	err = w.m ? 0 : ENOMEM;
	if (!err)
		err = addresses(w.m, gm);
	if (!err)
		err = headers(w.m, gm);
	if (!err)
		err = bodies(&w, gm);
	free(w.html_raw);
	g_object_unref(gm);
	if (err) {
		mail_msg_free(w.m);
		return err;
	}
	*msgp = w.m;
	return 0;
}

static void free_addrs(struct mail_addrs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].addr);
	}
	free(a->v);
}

void mail_msg_free(struct mail_msg *m)
{
	if (!m)
		return;
	free(m->message_id);
	free(m->in_reply_to);
	for (size_t i = 0; i < m->nreferences; i++)
		free(m->references[i]);
	free(m->references);
	free(m->subject);
	free(m->from.name);
	free(m->from.addr);
	free_addrs(&m->to);
	free_addrs(&m->cc);
	free_addrs(&m->reply_to);
	free(m->text);
	free(m->html);
	for (size_t i = 0; i < m->nparts; i++) {
		free(m->parts[i].name);
		free(m->parts[i].type);
		free(m->parts[i].cid);
		free(m->parts[i].data);
		free(m->parts[i].ref);
	}
	free(m->parts);
	free(m);
}
