/*
 * The SIP logins (the `phones` kind): {agent | user, username,
 * password}: an agent's phone, or a user's (a supervisor's, for
 * listening to calls). One login per agent or user, one per username; the
 * password is write-only and never stored: the store keeps only HA1 =
 * MD5(username:VOICE_REALM:password), which is all a digest check needs
 * (registrar.c). Since HA1 depends on the username, renaming a login
 * needs its password again. The view says `password_set` and adds the
 * login's live registrations.
 *
 * Admins write; a supervisor sees the phones of the agents it sees and
 * an agent its own (the agents kind's own rule).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "channels/voice/sipre.h"

#include "channels/voice/phones.h"
#include "channels/voice/registrar.h"
#include "channels/voice/voice.h"
#include "lang/lang.h"
#include "model/jv.h"
#include "server/auth.h"
#include "server/log.h"
#include "server/objects.h"
#include "server/srv.h"

#define RO(n)                                               \
	{                                                   \
		n, JV_STRING, JV_READONLY, 0, 0, NULL, NULL \
	}

static const struct jv_field phone_fields[] = {
	RO("id"),
	RO("created_at"),
	RO("updated_at"),
	{"agent", JV_STRING, 0, 1, 64, NULL, NULL},
	{"user", JV_STRING, 0, 1, 64, NULL, NULL},
	{"username", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"password", JV_STRING, 0, 8, 128, NULL, NULL},
	JV_END,
};

/* What travels unquoted in a SIP URI's user part and a digest. */
static bool username_ok(const char *u)
{
	return u && strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			      "WXYZ0123456789._-") == strlen(u);
}

/* next.password becomes next.ha1 (hex): 0 or ENOMEM. */
static int password_to_ha1(json_t *next)
{
	uint8_t md[16];
	char hex[33];

	if (md5_printf(md, "%s:%s:%s", jv_str(next, "username"), VOICE_REALM,
		       jv_str(next, "password")))
		return ENOMEM;
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	json_object_del(next, "password");
	return json_object_set_new(next, "ha1", json_string(hex)) ? ENOMEM : 0;
}

/* Another phone than self (NULL: none) with field = value. */
static bool taken(struct srv *s, const struct obj *self, const char *field,
		  const char *value)
{
	const struct obj *o = obj_find_by(s, K_PHONES, field, value);

	return o && (!self || strcmp(o->id, self->id));
}

static int phone_apply(struct srv *s, struct obj *o, json_t *next,
		       struct lang_out *why)
{
	const char *user = jv_str(next, "username");
	int st;

	if (!username_ok(user)) {
		lang_say(why, N_("username: letters, digits, '.', '_' and '-' "
				 "only"));
		return EINVAL;
	}
	if (!jv_str(next, "agent") == !jv_str(next, "user")) {
		lang_say(why, N_("give either agent or user"));
		return EINVAL;
	}
	st = kind_check_ref(s, next, "agent", K_AGENTS, why);
	if (!st)
		st = kind_check_ref(s, next, "user", K_USERS, why);
	if (st)
		return st;
	if (!jv_str(next, "password") && !jv_str(next, "ha1")) {
		lang_say(why, N_("password: required"));
		return EINVAL;
	}
	if (!jv_str(next, "password") && o &&
	    strcmp(user, jv_str(o->body, "username"))) {
		lang_say(why, N_("password: required to change the username"));
		return EINVAL;
	}
	if (jv_str(next, "agent") &&
	    taken(s, o, "agent", jv_str(next, "agent"))) {
		lang_say(why, N_("agent: already has a phone"));
		return EBUSY;
	}
	if (jv_str(next, "user") && taken(s, o, "user", jv_str(next, "user"))) {
		lang_say(why, N_("user: already has a phone"));
		return EBUSY;
	}
	return jv_str(next, "password") ? password_to_ha1(next) : 0;
}

static int phone_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	struct voice *v = voice_of(s);

	(void)why;
	registrar_forget(v ? v->reg : NULL, o->id);
	return 0;
}

/* Seen by whoever sees its agent; a user's by the user (and admins). */
static bool phone_visible(struct srv *s, const struct user *u, const json_t *b)
{
	const struct obj *a = obj_find(s, K_AGENTS, jv_str(b, "agent"));

	if (jv_str(b, "user"))
		return u->role == ROLE_ADMIN ||
		       !strcmp(u->id, jv_str(b, "user"));
	return a && kinds[K_AGENTS]->visible(s, u, a->body);
}

static json_t *phone_present(struct srv *s, const struct obj *o)
{
	json_t *out = json_deep_copy(o->body);
	struct voice *v = voice_of(s);

	json_object_del(out, "ha1");
	json_object_set_new(out, "password_set", json_true());
	json_object_set_new(out, "registrations",
			    registrar_view(v ? v->reg : NULL, o->id));
	return out;
}

const struct kind phones_kind = {
	.name = "phones",
	.one = "phone",
	.fields = phone_fields,
	.unique = "username",
	.read_roles = R_ADMIN | R_SUPERVISOR | R_AGENT,
	.write_roles = R_ADMIN,
	.apply = phone_apply,
	.remove = phone_remove,
	.visible = phone_visible,
	.present = phone_present,
};

/* The demo's login of user u: an agent's, or the supervisor's. */
static int demo_phone(struct srv *s, const char *uid, const json_t *u)
{
	const char *name = jv_str(u, "username"), *agent = jv_str(u, "agent");
	bool sup = !strcmp(jv_str(u, "role"), "supervisor");
	char pw[80], id[40], msg[200];
	json_t *body;
	int st;

	if (sup ? obj_find_by(s, K_PHONES, "user", uid) != NULL
		: !agent || strcmp(jv_str(u, "role"), "agent") ||
			    obj_find_by(s, K_PHONES, "agent", agent))
		return 0;
	snprintf(pw, sizeof(pw), "%s-sip", name);
	body = json_pack("{s:s,s:s,s:s}", sup ? "user" : "agent",
			 sup ? uid : agent, "username", name, "password", pw);
	if (!body)
		return ENOMEM;
	st = obj_create_direct(s, K_PHONES, body, id, &LANG_OUT(NULL, msg));
	json_decref(body);
	if (st)
		log_error("demo",
			  "msg=\"cannot create\" kind=phones err=\"%s\"", msg);
	return st;
}

int phones_demo_seed(struct srv *s)
{
	struct kindset *users = obj_set(s, K_USERS);
	int st = 0;

	for (size_t i = 0; !st && i < users->n; i++)
		st = demo_phone(s, users->list[i]->id, users->list[i]->body);
	return st;
}
