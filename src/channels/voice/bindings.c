/*
 * The registrar's bindings (bindings.h): a list of libre objects, each
 * owning its strings.
 */
#include <string.h>

#include "channels/voice/bindings.h"

static void binding_destroy(void *arg)
{
	struct binding *b = arg;

	list_unlink(&b->le);
	mem_deref(b->uri);
	mem_deref(b->ua);
}

static struct binding *find(const struct list *l, const char *phone,
			    const struct pl *uri)
{
	for (struct le *le = list_head(l); le; le = le->next) {
		struct binding *b = le->data;

		if (!strcmp(b->phone, phone) && !pl_strcmp(uri, b->uri))
			return b;
	}
	return NULL;
}

size_t bindings_count(const struct list *l, const char *phone)
{
	size_t n = 0;

	for (struct le *le = list_head(l); le; le = le->next)
		n += !strcmp(((struct binding *)le->data)->phone, phone);
	return n;
}

static int binding_alloc(struct binding **bp, const char *phone,
			 const struct pl *uri)
{
	struct binding *b = mem_zalloc(sizeof(*b), binding_destroy);
	int err;

	if (!b)
		return ENOMEM;
	str_ncpy(b->phone, phone, sizeof(b->phone));
	err = pl_strdup(&b->uri, uri);
	if (!err)
		err = str_dup(&b->ua, "");
	if (err) {
		mem_deref(b);
		return err;
	}
	*bp = b;
	return 0;
}

int bindings_set(struct list *l, const char *phone, const struct pl *uri,
		 const struct pl *ua, enum sip_transp tp, int64_t expires_at,
		 bool *added)
{
	struct binding *b = find(l, phone, uri);
	char *s = NULL;
	int err;

	*added = !b;
	if (!b) {
		if (bindings_count(l, phone) >= BINDINGS_PER_PHONE)
			return ENOSPC;
		err = binding_alloc(&b, phone, uri);
		if (err)
			return err;
		list_append(l, &b->le, b);
	}
	if (ua && pl_isset(ua) && !pl_strdup(&s, ua)) {
		mem_deref(b->ua);
		b->ua = s;
	}
	b->tp = tp;
	b->expires_at = expires_at;
	return 0;
}

static void drop(struct binding *b, binding_h *h, void *arg)
{
	if (h)
		h(b, arg);
	mem_deref(b);
}

bool bindings_remove(struct list *l, const char *phone, const struct pl *uri,
		     binding_h *h, void *arg)
{
	struct binding *b = find(l, phone, uri);

	if (b)
		drop(b, h, arg);
	return b != NULL;
}

size_t bindings_clear(struct list *l, const char *phone, binding_h *h,
		      void *arg)
{
	struct le *le = list_head(l);
	size_t n = 0;

	while (le) {
		struct binding *b = le->data;

		le = le->next;
		if (!phone || !strcmp(b->phone, phone)) {
			drop(b, h, arg);
			n++;
		}
	}
	return n;
}

size_t bindings_expire(struct list *l, int64_t now, binding_h *h, void *arg)
{
	struct le *le = list_head(l);
	size_t n = 0;

	while (le) {
		struct binding *b = le->data;

		le = le->next;
		if (b->expires_at <= now) {
			drop(b, h, arg);
			n++;
		}
	}
	return n;
}

int64_t bindings_next(const struct list *l)
{
	int64_t next = 0;

	for (struct le *le = list_head(l); le; le = le->next) {
		struct binding *b = le->data;

		if (!next || b->expires_at < next)
			next = b->expires_at;
	}
	return next;
}
