/*
 * The demo centre of `relais serve --demo`, created on the first start
 * with an empty store from the file built into the program
 * (model/demo_centre.h, examples/demo-centre.json): two client tenants,
 * Paris and Casablanca, a dozen agents, queues on voice, chat and email,
 * and logins for every role (password: the user's name, then "-demo").
 *
 * Every object goes through obj_create_direct, so the API's checks
 * apply. The file is a scenario: its objects have ids of its own, which
 * its references use; each becomes the id the server gives, and what
 * only the simulator reads (shifts, arrivals...) is left out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "channels/voice/flow.h"
#include "lang/lang.h"
#include "model/demo_centre.h"
#include "server/log.h"
#include "server/demo.h"
#include "server/srv.h"
#include "server/auth.h"
#include "server/objects.h"
#include "server/widget.h"
#include "channels/voice/phones.h"
#include "channels/voice/voice.h"

/* The file's arrays, in the order their objects can be created. */
static const struct {
	const char *key;
	enum kind_id kind;
} sections[] = {
	{"tenants", K_TENANTS},
	{"sites", K_SITES},
	{"skills", K_SKILLS},
	{"calendars", K_CALENDARS},
	{"dispositions", K_DISPOSITIONS},
	{"queues", K_QUEUES},
	{"agents", K_AGENTS},
	{"users", K_USERS},
	{"responses", K_RESPONSES},
};

/* The fields that name another object of the file. */
static const struct {
	const char *field;
	enum kind_id kind;
} refs[] = {
	{"tenant", K_TENANTS},	     {"tenants", K_TENANTS},
	{"site", K_SITES},	     {"sites", K_SITES},
	{"calendar", K_CALENDARS},   {"agent", K_AGENTS},
	{"closed_target", K_QUEUES},
};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

struct demo {
	struct srv *srv;
	json_t *ids[K_MAX]; /* per kind: the file's id -> the server's */
	char msg[256];
};

/* A string of the file naming an object of kind k: the server's id. */
static json_t *server_id(struct demo *d, enum kind_id k, json_t *v)
{
	json_t *id = json_object_get(d->ids[k], json_string_value(v));

	/* unknown: kept, for the API to refuse with the field's name */
	return json_incref(id ? id : v);
}

static void translate(struct demo *d, json_t *body)
{
	for (size_t r = 0; r < sizeof(refs) / sizeof(refs[0]); r++) {
		json_t *v = json_object_get(body, refs[r].field), *x;
		size_t i;

		if (json_is_string(v)) {
			/* frees v: nothing more to do with it */
			json_object_set_new(body, refs[r].field,
					    server_id(d, refs[r].kind, v));
			continue;
		}
		json_array_foreach(v, i, x)
			json_array_set_new(v, i, server_id(d, refs[r].kind, x));
	}
}

/* The API's body of one object of the file, or NULL (out of memory). */
static json_t *api_body(struct demo *d, enum kind_id k, const json_t *item)
{
	json_t *body = json_deep_copy(item), *v;
	char hash[128], pw[80];
	const char *key;
	void *tmp;

	if (!body)
		return NULL;
	json_object_foreach_safe(body, tmp, key, v)
	{
		const struct jv_field *f = jv_field_find(kinds[k]->fields, key);

		if (!f || (f->flags & JV_READONLY))
			json_object_del(body, key);
	}
	translate(d, body);
	if (k != K_USERS)
		return body;
	snprintf(pw, sizeof(pw), "%s-demo", jv_str(body, "username"));
	if (auth_hash_fast(pw, hash) ||
	    json_object_set_new(body, "password_hash", json_string(hash))) {
		json_decref(body);
		return NULL;
	}
	return body;
}

static int create(struct demo *d, enum kind_id k, const json_t *item)
{
	json_t *body = api_body(d, k, item);
	const char *file_id = jv_str(item, "id");
	char id[40];
	int st;

	if (!body)
		return ENOMEM;
	st = obj_create_direct(d->srv, k, body, id, &LANG_OUT(NULL, d->msg));
	json_decref(body);
	if (st) {
		log_error("demo", "msg=\"cannot create\" kind=%s err=\"%s\"",
			  kinds[k]->name, d->msg);
		return st;
	}
	if (file_id && json_object_set_new(d->ids[k], file_id, json_string(id)))
		return ENOMEM;
	return 0;
}

static int seed(struct demo *d, const json_t *centre)
{
	for (size_t i = 0; i < NSECTIONS; i++) {
		const json_t *arr = json_object_get(centre, sections[i].key);
		json_t *item;
		size_t j;
		int st;

		d->ids[sections[i].kind] = json_object();
		if (!d->ids[sections[i].kind])
			return ENOMEM;
		json_array_foreach(arr, j, item)
		{
			st = create(d, sections[i].kind, item);
			if (st)
				return st;
		}
	}
	return 0;
}

int demo_seed(struct srv *s)
{
	struct demo d = {.srv = s};
	json_t *centre;
	int st;

	if (obj_set(s, K_TENANTS)->n)
		return 0; /* already there: keep what people changed */
	centre = jv_parse(demo_centre_json, demo_centre_json_len, d.msg,
			  sizeof(d.msg));
	if (!centre) {
		log_error("demo", "msg=\"bad demo centre\" err=\"%s\"", d.msg);
		return ENOMEM;
	}
	st = seed(&d, centre);
	if (!st)
		st = widget_demo_seed(s);
	if (!st)
		st = phones_demo_seed(s);
	if (!st)
		st = flows_demo_seed(s);
	if (!st)
		log_info("demo",
			 "msg=\"demo centre created\" tenants=%zu agents=%zu "
			 "users=%zu",
			 obj_set(s, K_TENANTS)->n, obj_set(s, K_AGENTS)->n,
			 obj_set(s, K_USERS)->n);
	for (int k = 0; k < K_MAX; k++)
		json_decref(d.ids[k]);
	json_decref(centre);
	return st;
}
