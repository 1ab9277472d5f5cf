/*
 * The SMS channel's configuration kinds (sms.h): Kannel gateways, admin
 * only, whose password and secret never leave the server; and numbers,
 * each a tenant's, that tie an E.164 number to a queue of channel sms and
 * to the gateway that carries it, and (voice) to an IVR flow. The generic
 * configuration service (objects.c) stores, audits and serves them; these are
 * their rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms/kannel.h"
#include "channels/sms/sms.h"
#include "lang/lang.h"
#include "server/auth.h"
#include "server/objects.h"
#include "server/srv.h"

#define RO(n)                                               \
	{                                                   \
		n, JV_STRING, JV_READONLY, 0, 0, NULL, NULL \
	}
#define COMMON RO("id"), RO("created_at"), RO("updated_at")

static const char *const gateway_kinds[] = {"kannel", NULL};

static const struct jv_field gateway_fields[] = {
	COMMON,
	RO("get_url"),
	{"name", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"kind", JV_STRING, 0, 0, 0, gateway_kinds, NULL},
	{"sendsms_url", JV_STRING, JV_REQUIRED, 8, 500, NULL, NULL},
	{"username", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
	{"password", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"secret", JV_STRING, JV_REQUIRED, 16, 64, NULL, NULL},
	{"relais_url", JV_STRING, JV_NULLABLE, 8, 500, NULL, NULL},
	JV_END,
};

static const struct jv_field number_fields[] = {
	COMMON,
	{"tenant", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	/* SMS: a queue of channel sms and the gateway; voice: a flow */
	{"queue", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	{"number", JV_STRING, JV_REQUIRED, 1, 16, NULL, NULL},
	{"gateway", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	{"flow", JV_STRING, JV_NULLABLE, 1, 64, NULL, NULL},
	JV_END,
};

bool sms_e164(const char *p)
{
	size_t n = p ? strlen(p) : 0;

	if (n < 9 || n > 16 || p[0] != '+' || p[1] == '0')
		return false;
	return strspn(p + 1, "0123456789") == n - 1;
}

const char *sms_relais_url(struct srv *s, const json_t *gw, char *buf,
			   size_t size)
{
	const char *u = jv_str(gw, "relais_url");

	if (u)
		return u;
	snprintf(buf, size, "http://%s", s->cfg.http_addr);
	return buf;
}

/* An http:// URL that Kannel's configuration can quote (kannel.h). */
static bool url_ok(const char *u)
{
	return u && !strncmp(u, "http://", 7) && !strpbrk(u, "%\"\\ \t\r\n?#");
}

/* Letters, digits, '.', '_', '-': what travels in Kannel's URLs. */
static bool token_ok(const char *t)
{
	return strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == strlen(t);
}

static int gateway_apply(struct srv *s, struct obj *o, json_t *next,
			 struct lang_out *why)
{
	(void)s;
	(void)o;
	if (!url_ok(jv_str(next, "sendsms_url"))) {
		lang_say(why, N_("sendsms_url: an http:// URL without query"));
		return EINVAL;
	}
	if (jv_str(next, "relais_url") && !url_ok(jv_str(next, "relais_url"))) {
		lang_say(why, N_("relais_url: an http:// URL without query"));
		return EINVAL;
	}
	if (!token_ok(jv_str(next, "secret"))) {
		lang_say(why, N_("secret: letters, digits, '.', '_' and '-' "
				 "only"));
		return EINVAL;
	}
	return 0;
}

static int gateway_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	if (obj_find_by(s, K_NUMBERS, "gateway", o->id)) {
		lang_say(why, N_("the gateway still carries numbers"));
		return EBUSY;
	}
	return 0;
}

static void gateway_defaults(json_t *b)
{
	kind_set_default(b, "kind", json_string("kannel"));
	kind_set_default(b, "relais_url", json_null());
}

/*
 * Without its password and secret; with the get-url of kannel.conf's
 * sms-service, SECRET standing for the secret the admin chose.
 */
static json_t *gateway_present(struct srv *s, const struct obj *o)
{
	json_t *v = json_deep_copy(o->body);
	char base[600], route[800], *url = NULL;

	json_object_del(v, "password");
	json_object_del(v, "secret");
	snprintf(route, sizeof(route), "%s/api/v1/sms/gateways/%s/inbound",
		 sms_relais_url(s, o->body, base, sizeof(base)), o->id);
	if (!kannel_get_url(&url, route, "SECRET"))
		json_object_set_new(v, "get_url", json_string(url));
	free(url);
	return v;
}

/*
 * A number carries SMS (a gateway and a queue of channel sms), voice (a
 * flow of its tenant: channels/voice/flows.c) or both.
 */
static int number_uses(struct srv *s, const json_t *next, struct lang_out *why)
{
	const char *gw = jv_str(next, "gateway"), *q = jv_str(next, "queue");
	struct obj *f = obj_find(s, K_FLOWS, jv_str(next, "flow"));

	if (!gw != !q) {
		lang_say(why, N_("a number for SMS needs both a gateway and a "
				 "queue"));
		return EINVAL;
	}
	if (!gw && !jv_str(next, "flow")) {
		lang_say(why, N_("a number needs a gateway and a queue (SMS), "
				 "a flow (voice), or both"));
		return EINVAL;
	}
	if (jv_str(next, "flow") &&
	    (!f || strcmp(jv_str(f->body, "tenant"), jv_str(next, "tenant")))) {
		lang_say(why, N_("flow: no flow %.64s of the tenant"),
			 jv_str(next, "flow"));
		return EINVAL;
	}
	return 0;
}

static int number_apply(struct srv *s, struct obj *o, json_t *next,
			struct lang_out *why)
{
	struct obj *q;
	int st;

	(void)o;
	if (!sms_e164(jv_str(next, "number"))) {
		lang_say(why, N_("number: an E.164 number (+ and 8 to 15 "
				 "digits)"));
		return EINVAL;
	}
	if ((st = kind_check_ref(s, next, "tenant", K_TENANTS, why)) ||
	    (st = kind_check_ref(s, next, "queue", K_QUEUES, why)) ||
	    (st = kind_check_ref(s, next, "gateway", K_GATEWAYS, why)) ||
	    (st = number_uses(s, next, why)))
		return st;
	if (!jv_str(next, "queue"))
		return 0;
	q = obj_find(s, K_QUEUES, jv_str(next, "queue"));
	if (strcmp(jv_str(q->body, "tenant"), jv_str(next, "tenant")) ||
	    strcmp(jv_str(q->body, "channel"), "sms")) {
		lang_say(why, N_("queue: not an SMS queue of the tenant"));
		return EINVAL;
	}
	return 0;
}

#define CONFIG_READ (R_ADMIN | R_SUPERVISOR)

const struct kind sms_gateways_kind = {
	.name = "gateways",
	.one = "gateway",
	.fields = gateway_fields,
	.unique = "name",
	.read_roles = R_ADMIN,
	.write_roles = R_ADMIN,
	.apply = gateway_apply,
	.remove = gateway_remove,
	.visible = kind_all_visible,
	.defaults = gateway_defaults,
	.present = gateway_present,
};

const struct kind sms_numbers_kind = {
	.name = "numbers",
	.one = "number",
	.fields = number_fields,
	.unique = "number",
	.read_roles = CONFIG_READ,
	.write_roles = R_ADMIN,
	.apply = number_apply,
	.visible = kind_tenant_visible,
	.present = kind_plain_present,
};
