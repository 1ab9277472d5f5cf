/*
 * mailboxes — the configuration kind of the email channel: which address
 * of which tenant feeds which queue, and the IMAP and SMTP servers behind
 * it. The passwords are write-only: no API answer holds them, and an
 * update that leaves one out keeps the stored one.
 */
#include <errno.h>
#include <string.h>

#include "channels/email/email.h"
#include "lang/lang.h"
#include "server/auth.h"
#include "server/objects.h"
#include "server/srv.h"

static const char *const tls_modes[] = {"none", "starttls", "implicit", NULL};

#define RO(n)                                               \
	{                                                   \
		n, JV_STRING, JV_READONLY, 0, 0, NULL, NULL \
	}

static const struct jv_field server_fields[] = {
	{"host", JV_STRING, JV_REQUIRED, 1, 253, NULL, NULL},
	{"port", JV_INT, JV_REQUIRED, 1, 65535, NULL, NULL},
	{"tls", JV_STRING, 0, 0, 0, tls_modes, NULL},
	{"user", JV_STRING, JV_NULLABLE, 0, 320, NULL, NULL},
	{"password", JV_STRING, JV_NULLABLE, 0, 1024, NULL, NULL},
	JV_END,
};

static const struct jv_field mailbox_fields[] = {
	RO("id"),
	RO("created_at"),
	RO("updated_at"),
	{"tenant", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"queue", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"address", JV_STRING, JV_REQUIRED, 3, 320, NULL, NULL},
	{"name", JV_STRING, JV_NULLABLE, 0, 200, NULL, NULL},
	{"imap", JV_SUBOBJECT, JV_REQUIRED, 0, 0, NULL, server_fields},
	{"smtp", JV_SUBOBJECT, JV_REQUIRED, 0, 0, NULL, server_fields},
	{"poll_s", JV_INT, 0, 1, 3600, NULL, NULL},
	JV_END,
};

/* An address we can send from: one '@', no space, no control. */
static bool address_ok(const char *a)
{
	const char *at = strchr(a, '@');

	if (!at || at == a || !at[1] || strchr(at + 1, '@'))
		return false;
	for (; *a; a++)
		if ((unsigned char)*a <= ' ' || strchr("<>,\"()", *a))
			return false;
	return true;
}

/* The queue is one of the tenant's, and an email queue. */
static int check_queue(struct srv *s, const json_t *next, struct lang_out *why)
{
	struct obj *q = obj_find(s, K_QUEUES, jv_str(next, "queue"));

	if (kind_check_ref(s, next, "queue", K_QUEUES, why))
		return EINVAL;
	if (strcmp(jv_str(q->body, "tenant"), jv_str(next, "tenant"))) {
		lang_say(why, N_("queue: not a queue of tenant %.64s"),
			 jv_str(next, "tenant"));
		return EINVAL;
	}
	if (strcmp(jv_str(q->body, "channel"), "email")) {
		lang_say(why, N_("queue: not an email queue"));
		return EINVAL;
	}
	return 0;
}

/*
 * A server block of an update without its password keeps the stored one
 * (the API never shows it, so a form cannot send it back).
 */
static void keep_password(const struct obj *o, json_t *next, const char *key)
{
	json_t *srv = json_object_get(next, key);
	const json_t *old = o ? json_object_get(o->body, key) : NULL;

	if (srv && !json_object_get(srv, "password") &&
	    json_object_get(old, "password"))
		json_object_set(srv, "password",
				json_object_get(old, "password"));
	if (srv && !json_object_get(srv, "tls"))
		json_object_set_new(srv, "tls", json_string("none"));
}

static int mailbox_apply(struct srv *s, struct obj *o, json_t *next,
			 struct lang_out *why)
{
	int st;

	if ((st = kind_check_ref(s, next, "tenant", K_TENANTS, why)) ||
	    (st = check_queue(s, next, why)))
		return st;
	if (!address_ok(jv_str(next, "address"))) {
		lang_say(why, N_("address: expected an email address"));
		return EINVAL;
	}
	keep_password(o, next, "imap");
	keep_password(o, next, "smtp");
	return 0;
}

static void mailbox_defaults(json_t *b)
{
	kind_set_default(b, "poll_s", json_integer(30));
	kind_set_default(b, "name", json_null());
}

/* The body without the passwords; "password_set" says one is stored. */
static json_t *mailbox_present(struct srv *s, const struct obj *o)
{
	json_t *out = json_deep_copy(o->body);
	static const char *const keys[] = {"imap", "smtp"};

	(void)s;
	for (size_t i = 0; i < 2; i++) {
		json_t *srv = json_object_get(out, keys[i]);

		json_object_set_new(srv, "password_set",
				    json_boolean(jv_str(srv, "password")));
		json_object_del(srv, "password");
	}
	return out;
}

const struct kind mailboxes_kind = {
	.name = "mailboxes",
	.one = "mailbox",
	.fields = mailbox_fields,
	.unique = "address",
	.read_roles = R_ADMIN | R_SUPERVISOR,
	.write_roles = R_ADMIN,
	.apply = mailbox_apply,
	.visible = kind_tenant_visible,
	.defaults = mailbox_defaults,
	.present = mailbox_present,
};
