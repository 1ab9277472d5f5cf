/*
 * objects — the configuration service: tenants, sites, skills, calendars,
 * queues, agents, dispositions and users, kept in memory by kind and in
 * the store; the API's list / get / create / update / delete for every
 * kind with scope rules and an audit trail (objects.c), and what each
 * kind is (kinds.c). Whoever creates an object (the API, the demo, the
 * command line) goes through obj_create_direct() or the handlers, so the
 * same checks apply.
 */
#ifndef RELAIS_OBJECTS_H
#define RELAIS_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/hmap.h"
#include "model/jv.h"

struct srv;
struct srv_module;
struct user;
struct obj;
struct lang_out;

extern const struct srv_module config_module;

/* A kind of configuration object: tenants, sites, queues... */
struct kind {
	const char *name; /* plural: the route and the store table */
	const char *one;  /* singular, for messages */
	const struct jv_field *fields;
	const char *unique; /* a field unique among the kind, or NULL */
	unsigned read_roles, write_roles;
	/*
	 * Checks references and applies `next` (the complete new body) to
	 * the engine; o is NULL on create. Returns 0, or with why filled
	 * EINVAL (the body names what does not exist or fit), EBUSY (a
	 * conflict with other objects) or another errno (the server's).
	 * why filled.
	 */
	int (*apply)(struct srv *s, struct obj *o, json_t *next,
		     struct lang_out *why);
	/* Before a delete: 0 or EBUSY (still used) with why. */
	int (*remove)(struct srv *s, struct obj *o, struct lang_out *why);
	/* Whether user u may see the object (admin sees all). */
	bool (*visible)(struct srv *s, const struct user *u,
			const json_t *body);
	/* Fills in defaults on create. */
	void (*defaults)(json_t *body);
	/* The API view: removes secrets, adds live fields. New reference. */
	json_t *(*present)(struct srv *s, const struct obj *o);
};

/*
 * An object: a libre object (mem_ref/mem_deref), so that an asynchronous
 * completion holds the object it works on; `removed` says it left its set
 * meanwhile.
 */
struct obj {
	char id[40];
	const struct kind *kind;
	json_t *body;
	size_t idx;   /* in its kindset's list */
	bool removed; /* deleted: no longer in its set */
};

struct kindset {
	const struct kind *kind;
	struct hmap map; /* id -> obj */
	struct obj **list;
	size_t n, cap;
};

enum kind_id {
	K_TENANTS = 0,
	K_SITES,
	K_SKILLS,
	K_CALENDARS,
	K_QUEUES,
	K_AGENTS,
	K_DISPOSITIONS,
	K_USERS,
	K_RESPONSES,
	K_MAILBOXES,
	K_GATEWAYS, /* the SMS channel's (channels/sms/sms_config.c) */
	K_FLOWS,    /* the voice channel's (flows.c): before the numbers */
	K_NUMBERS,
	K_WIDGETS,
	K_PHONES, /* the voice channel's (channels/voice/phones.c) */
	K_MAX,
};

extern const struct kind *const kinds[K_MAX];

/* The objects of kind k. */
struct kindset *obj_set(struct srv *s, enum kind_id k);
struct obj *obj_find(struct srv *s, enum kind_id k, const char *id);
struct obj *obj_find_by(struct srv *s, enum kind_id k, const char *field,
			const char *value);
int obj_insert(struct srv *s, enum kind_id k, const char *id, json_t *body);
void obj_remove(struct srv *s, struct obj *o);
/* Loads one stored row at start-up (applies it to the engine). */
int obj_load(struct srv *s, enum kind_id k, const char *id, const char *body,
	     char *msg, size_t size);
/*
 * Creates an object from a body of the server's side (the demo, the
 * command line), with the API's checks and audit: 0, EINVAL, EEXIST (the
 * unique field is taken), EBUSY or ENOMEM, with why.
 */
int obj_create_direct(struct srv *s, enum kind_id k, json_t *body,
		      char out_id[40], struct lang_out *why);

/*
 * For the hooks of a kind (kinds.c has the core ones; a channel's kind
 * lives with its channel and is listed in kinds[]). Each check returns 0
 * or EINVAL with why filled.
 */
/* body[field], when set, names an object of kind k. */
int kind_check_ref(struct srv *s, const json_t *body, const char *field,
		   enum kind_id k, struct lang_out *why);
/* Every string of the array body[field] names an object of kind k. */
int kind_check_refs(struct srv *s, const json_t *body, const char *field,
		    enum kind_id k, struct lang_out *why);
/* Sets b[key] to v when absent (takes v's reference either way). */
void kind_set_default(json_t *b, const char *key, json_t *v);
/* visible: the object's "tenant" is null or one the user sees. */
bool kind_tenant_visible(struct srv *s, const struct user *u, const json_t *b);
/* visible: to everyone who may read the kind. */
bool kind_all_visible(struct srv *s, const struct user *u, const json_t *b);
/*
 * The language tenant speaks to its customers (auto-replies, prompts):
 * the first of its languages that has a catalog, else LANG_DEFAULT.
 */
const char *kind_tenant_lang(struct srv *s, const char *tenant);
/* present: the body as stored. */
json_t *kind_plain_present(struct srv *s, const struct obj *o);

#endif
