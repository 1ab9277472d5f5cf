/*
 * The eight kinds of configuration an administrator manages: their
 * fields, their defaults, their scope rules, and how each is applied to
 * the engine (a bad filter, an unknown time zone or a reference to a
 * missing object is refused before anything changes).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/utctime.h"
#include "core/calendar.h"
#include "model/calendar_json.h"
#include "model/config.h"
#include "model/queue_json.h"
#include "lang/lang.h"
#include "server/srv.h"
#include "server/stats.h"
#include "server/auth.h"
#include "server/objects.h"
#include "sys/zoneinfo.h"
#include "channels/email/email.h"
#include "channels/sms/sms.h"
#include "channels/voice/flow.h"
#include "server/widget.h"
#include "channels/voice/phones.h"

/* ---- field tables: model/config.h's shapes, and the server's fields */

#define RO(n)                                               \
	{                                                   \
		n, JV_STRING, JV_READONLY, 0, 0, NULL, NULL \
	}
#define COMMON RO("id"), RO("created_at"), RO("updated_at")
#define FIELDS(shape)                             \
	{                                         \
		COMMON, JV_FIELDS(shape), JV_END, \
	}

static const struct jv_field tenant_fields[] = FIELDS(config_tenant_fields);
static const struct jv_field site_fields[] = FIELDS(config_site_fields);
static const struct jv_field skill_fields[] = FIELDS(config_skill_fields);
static const struct jv_field queue_fields[] = FIELDS(config_queue_fields);
static const struct jv_field calendar_fields[] = FIELDS(config_calendar_fields);
static const struct jv_field disposition_fields[] =
	FIELDS(config_disposition_fields);
static const struct jv_field response_fields[] = FIELDS(config_response_fields);
static const struct jv_field user_fields[] = FIELDS(config_user_fields);

static const struct jv_field agent_fields[] = {
	COMMON,
	RO("state"),
	RO("reason"),
	RO("state_since"),
	JV_FIELDS(config_agent_fields),
	JV_END,
};

/* ---- helpers ---- */

static int fail(struct lang_out *why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* why from fmt (a msgid) in why's language; returns err. */
static int fail(struct lang_out *why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why->buf, why->size, lang_get(why->lang, fmt), ap);
	va_end(ap);
	return err;
}

/* body.timezone, when given, names a zone of the system's tzdata. */
static int check_zone(const json_t *body, struct lang_out *why)
{
	const char *name = jv_str(body, "timezone");
	struct tz *tz;

	if (!name)
		return 0;
	if (zoneinfo_load(&tz, name))
		return fail(why, EINVAL, N_("timezone: unknown zone %.64s"),
			    name);
	tz_free(tz);
	return 0;
}

/* Every string of body[field] names an object of kind k. */
int kind_check_refs(struct srv *s, const json_t *body, const char *field,
		    enum kind_id k, struct lang_out *why)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(body, field), i, v)
	{
		if (!obj_find(s, k, json_string_value(v))) {
			lang_say(why, N_("%s[%zu]: no %s %.64s"), field, i,
				 kinds[k]->one, json_string_value(v));
			return EINVAL;
		}
	}
	return 0;
}

int kind_check_ref(struct srv *s, const json_t *body, const char *field,
		   enum kind_id k, struct lang_out *why)
{
	const char *id = jv_str(body, field);

	if (id && !obj_find(s, k, id)) {
		lang_say(why, N_("%s: no %s %.64s"), field, kinds[k]->one, id);
		return EINVAL;
	}
	return 0;
}

void kind_set_default(json_t *b, const char *key, json_t *v)
{
	if (!json_object_get(b, key))
		json_object_set_new(b, key, v);
	else
		json_decref(v);
}

/* ---- tenants ---- */

/* Short names, each once: what an agent's pause says to supervisors. */
static int check_pause_reasons(const json_t *body, struct lang_out *why)
{
	const json_t *list = json_object_get(body, "pause_reasons");
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
	{
		const char *r = json_string_value(v);

		if (strlen(r) > CONFIG_PAUSE_REASON_MAX)
			return fail(why, EINVAL,
				    N_("pause_reasons[%zu]: at most %d "
				       "characters"),
				    i, CONFIG_PAUSE_REASON_MAX);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(json_string_value(json_array_get(list, j)),
				    r))
				return fail(why, EINVAL,
					    N_("pause_reasons[%zu]: %s is "
					       "already in the list"),
					    i, r);
	}
	return 0;
}

static int tenant_apply(struct srv *s, struct obj *o, json_t *next,
			struct lang_out *why)
{
	int err;

	if (check_zone(next, why) || check_pause_reasons(next, why))
		return EINVAL;
	if (o)
		return 0;
	err = engine_tenant_add(s->eng, jv_str(next, "id"));
	return err ? fail(why, EIO, N_("engine: %s"), strerror(err)) : 0;
}

static int tenant_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	for (int k = K_DISPOSITIONS; k < K_MAX; k++) {
		struct kindset *set = obj_set(s, k);

		for (size_t i = 0; i < set->n; i++) {
			json_t *b = set->list[i]->body, *v;
			size_t j;

			if (jv_str(b, "tenant") &&
			    !strcmp(jv_str(b, "tenant"), o->id))
				return fail(
					why, EBUSY,
					N_("the tenant is still used by %s"),
					kinds[k]->name);
			json_array_foreach(json_object_get(b, "tenants"), j, v)
			{
				if (!strcmp(json_string_value(v), o->id))
					return fail(
						why, EBUSY,
						N_("the tenant is still used "
						   "by %s"),
						kinds[k]->name);
			}
		}
	}
	if (engine_tenant_remove(s->eng, o->id))
		return fail(why, EBUSY,
			    N_("the tenant still has queues or agents"));
	return 0;
}

static bool tenant_visible(struct srv *s, const struct user *u, const json_t *b)
{
	return auth_sees_tenant(s, u, jv_str(b, "id"));
}

static void tenant_defaults(json_t *b)
{
	kind_set_default(b, "timezone", json_string("UTC"));
	kind_set_default(b, "languages", json_array());
	kind_set_default(b, "attachment_max_mb", json_integer(10));
	if (!json_object_get(b, "pause_reasons")) {
		json_t *list = json_array();

		for (int i = 0; config_pause_reasons[i]; i++)
			json_array_append_new(
				list, json_string(config_pause_reasons[i]));
		json_object_set_new(b, "pause_reasons", list);
	}
}

/* ---- sites ---- */

static int site_apply(struct srv *s, struct obj *o, json_t *next,
		      struct lang_out *why)
{
	struct engine_site es = {0};
	const char *kind = jv_str(next, "kind");

	(void)o;
	if (check_zone(next, why))
		return EINVAL;
	es.id = jv_str(next, "id");
	expr_site_kind_parse(kind, strlen(kind), &es.kind);
	es.country = jv_str(next, "country");
	es.cost_per_hour_cents =
		(int64_t)llround(jv_num(next, "cost_per_hour", 0) * 100);
	return engine_site_set(s->eng, &es)
		       ? fail(why, EIO, N_("engine refused the site"))
		       : 0;
}

static bool used_by_agents(struct srv *s, const char *field, const char *id)
{
	struct kindset *set = obj_set(s, K_AGENTS);

	for (size_t i = 0; i < set->n; i++) {
		json_t *v = json_object_get(set->list[i]->body, field);

		if (json_is_string(v) && !strcmp(json_string_value(v), id))
			return true;
		if (json_is_object(v) && json_object_get(v, id))
			return true;
	}
	return false;
}

static int site_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	if (used_by_agents(s, "site", o->id))
		return fail(why, EBUSY, N_("agents still work from this site"));
	return 0;
}

static bool site_visible(struct srv *s, const struct user *u, const json_t *b)
{
	return auth_sees_site(s, u, jv_str(b, "id"));
}

static void site_defaults(json_t *b)
{
	kind_set_default(b, "kind", json_string("onshore"));
	kind_set_default(b, "timezone", json_string("UTC"));
	kind_set_default(b, "country", json_null());
	kind_set_default(b, "cost_per_hour", json_real(0));
}

/* ---- skills ---- */

static int skill_apply(struct srv *s, struct obj *o, json_t *next,
		       struct lang_out *why)
{
	const char *name = jv_str(next, "name");

	for (const char *p = name; *p; p++)
		if (!islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && !strchr("._-", *p))
			return fail(why, EINVAL,
				    N_("name: use a-z, 0-9, '.', '_' and '-' "
				       "(%.64s)"),
				    name);
	if (o && strcmp(jv_str(o->body, "name"), name) &&
	    used_by_agents(s, "skills", jv_str(o->body, "name")))
		return fail(why, EBUSY,
			    N_("agents hold this skill; it cannot be renamed"));
	(void)s;
	return 0;
}

static int skill_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	if (used_by_agents(s, "skills", jv_str(o->body, "name")))
		return fail(why, EBUSY, N_("agents still hold this skill"));
	return 0;
}

bool kind_all_visible(struct srv *s, const struct user *u, const json_t *b)
{
	(void)s;
	(void)u;
	(void)b;
	return true;
}

/* ---- calendars ---- */

static int calendar_apply(struct srv *s, struct obj *o, json_t *next,
			  struct lang_out *why)
{
	struct calendar *cal;
	int rc = calendar_json_build(next, &cal, why->buf, why->size);

	(void)o;
	if (rc)
		return rc == ENOMEM ? ENOMEM : EINVAL;
	if (engine_calendar_set(s->eng, jv_str(next, "id"), cal))
		return fail(why, EIO, N_("engine refused the calendar"));
	return 0;
}

static int calendar_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	if (flows_naming(s, "calendar", o->id))
		return fail(why, EBUSY, N_("flows still use this calendar"));
	if (obj_find_by(s, K_QUEUES, "calendar", o->id) ||
	    engine_calendar_remove(s->eng, o->id))
		return fail(why, EBUSY, N_("queues still use this calendar"));
	return 0;
}

static void calendar_defaults(json_t *b)
{
	kind_set_default(b, "weekly", json_array());
	kind_set_default(b, "holidays", json_array());
	kind_set_default(b, "exceptions", json_array());
}

/* ---- queues ---- */

/* "steps: filter \"x\" at ..." names the step whose filter is x. */
static int step_error(const json_t *steps, const char *emsg,
		      struct lang_out *why)
{
	json_t *v;
	size_t i;

	json_array_foreach(steps, i, v)
	{
		const char *f = jv_str(v, "filter");
		char quoted[80];

		if (!f)
			continue;
		snprintf(quoted, sizeof(quoted), "filter \"%.60s\"", f);
		if (strstr(emsg, quoted))
			return fail(why, EINVAL, N_("steps[%zu].filter: %s"), i,
				    emsg);
	}
	return fail(why, EINVAL, N_("steps: %s"), emsg);
}

static int queue_apply(struct srv *s, struct obj *o, json_t *next,
		       struct lang_out *why)
{
	struct engine_step steps[32];
	struct engine_queue q = {0};
	struct engine_error ee = {{0}};
	int st, err;

	(void)o;
	if ((st = kind_check_ref(s, next, "tenant", K_TENANTS, why)) ||
	    (st = kind_check_ref(s, next, "calendar", K_CALENDARS, why)))
		return st;
	queue_json_fill(next, &q, steps);
	err = engine_queue_set(s->eng, srv_now(s), &q, &ee);
	if (err == EBUSY)
		return ee.msg[0] ? fail(why, EBUSY, "%s", ee.msg)
				 : fail(why, EBUSY,
					N_("the queue holds contacts: its "
					   "tenant and channel cannot change"));
	if (err == EINVAL || err == ENOENT)
		return step_error(json_object_get(next, "steps"),
				  ee.msg[0] ? ee.msg : "invalid queue", why);
	return err ? fail(why, EIO, N_("engine: %s"), strerror(err)) : 0;
}

static int queue_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	int err;

	/* the kinds that bring contacts to a queue (a channel's numbers...) */
	if (flows_naming(s, "queue", o->id))
		return fail(why, EBUSY, N_("the queue is still used by %s"),
			    kinds[K_FLOWS]->name);
	for (int k = 0; k < K_MAX; k++)
		if (k != K_QUEUES && obj_find_by(s, k, "queue", o->id))
			return fail(why, EBUSY,
				    N_("the queue is still used by %s"),
				    kinds[k]->name);
	err = engine_queue_remove(s->eng, o->id);
	if (err)
		return fail(why, EBUSY,
			    N_("the queue holds contacts or another queue "
			       "sends contacts to it"));
	return 0;
}

bool kind_tenant_visible(struct srv *s, const struct user *u, const json_t *b)
{
	const char *t = jv_str(b, "tenant");

	return !t || auth_sees_tenant(s, u, t);
}

const char *kind_tenant_lang(struct srv *s, const char *tenant)
{
	struct obj *t = tenant ? obj_find(s, K_TENANTS, tenant) : NULL;
	json_t *v;
	size_t i;

	json_array_foreach(t ? json_object_get(t->body, "languages") : NULL, i,
			   v)
	{
		if (lang_has(json_string_value(v)))
			return json_string_value(v);
	}
	return LANG_DEFAULT;
}

static void queue_defaults(json_t *b)
{
	kind_set_default(b, "priority", json_integer(0));
	kind_set_default(b, "sl_threshold_s", json_integer(20));
	kind_set_default(b, "sl_target", json_integer(80));
	kind_set_default(b, "strategy", json_string("longest-idle"));
	kind_set_default(b, "steps", json_pack("[{s:i}]", "after_s", 0));
	kind_set_default(b, "calendar", json_null());
	kind_set_default(b, "closed_action", json_string("close"));
	kind_set_default(b, "closed_target", json_null());
	kind_set_default(b, "wrapup", json_string("timed"));
	kind_set_default(b, "wrapup_s", json_integer(30));
	kind_set_default(b, "aht_s", json_integer(180));
	kind_set_default(b, "last_agent", json_false());
	kind_set_default(b, "last_agent_wait_s", json_integer(0));
	kind_set_default(b, "ring_max", json_integer(0));
	kind_set_default(b, "dispositions", json_array());
}

/* ---- agents ---- */

static int agent_apply(struct srv *s, struct obj *o, json_t *next,
		       struct lang_out *why)
{
	const char *names[64], *tags[50], *tenants[100];
	uint8_t levels[64];
	struct engine_agent a = {0};
	json_t *v, *cap = json_object_get(next, "capacity");
	const char *key;
	size_t i;
	int st, err;

	(void)o;
	if ((st = kind_check_ref(s, next, "site", K_SITES, why)) ||
	    (st = kind_check_refs(s, next, "tenants", K_TENANTS, why)))
		return st;
	if (json_object_size(json_object_get(next, "skills")) > 64)
		return fail(why, EINVAL, N_("skills: at most 64"));
	json_object_foreach(json_object_get(next, "skills"), key, v)
	{
		if (!obj_find_by(s, K_SKILLS, "name", key))
			return fail(why, EINVAL,
				    N_("skills.%.64s: no such skill"), key);
		names[a.nskills] = key;
		levels[a.nskills++] = (uint8_t)json_integer_value(v);
	}
	json_array_foreach(json_object_get(next, "tags"), i, v) tags[i] =
		json_string_value(v);
	json_array_foreach(json_object_get(next, "tenants"), i, v) tenants[i] =
		json_string_value(v);
	a.id = jv_str(next, "id");
	a.site = jv_str(next, "site");
	a.skill_names = names;
	a.skill_levels = levels;
	a.tags = tags;
	a.ntags = json_array_size(json_object_get(next, "tags"));
	a.tenants = tenants;
	a.ntenants = json_array_size(json_object_get(next, "tenants"));
	for (int c = 0; c < CH_MAX; c++)
		a.capacity[c] = (uint8_t)jv_int(
			cap, engine_channel_name((enum channel)c), 0);
	err = engine_agent_set(s->eng, &a);
	if (!err)
		auth_agent_changed(s, jv_str(next, "id"), next);
	return err ? fail(why, EINVAL, N_("the engine refused the agent: %s"),
			  strerror(err))
		   : 0;
}

static int agent_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	if (obj_find_by(s, K_USERS, "agent", o->id))
		return fail(why, EBUSY, N_("a user is still this agent"));
	if (obj_find_by(s, K_PHONES, "agent", o->id))
		return fail(why, EBUSY, N_("the agent still has a phone"));
	if (engine_agent_remove(s->eng, srv_now(s), o->id))
		return fail(why, EBUSY, N_("the agent is handling contacts"));
	return 0;
}

static bool agent_visible(struct srv *s, const struct user *u, const json_t *b)
{
	json_t *v;
	size_t i;

	if (u->role == ROLE_ADMIN)
		return true;
	if (u->role == ROLE_AGENT)
		return !strcmp(u->agent, jv_str(b, "id"));
	if (auth_sees_site(s, u, jv_str(b, "site")))
		return true;
	json_array_foreach(json_object_get(b, "tenants"), i, v)
	{
		if (auth_sees_tenant(s, u, json_string_value(v)))
			return true;
	}
	return false;
}

static void agent_defaults(json_t *b)
{
	kind_set_default(b, "skills", json_object());
	kind_set_default(b, "tenants", json_array());
	kind_set_default(b, "capacity", json_pack("{s:i}", "voice", 1));
	kind_set_default(b, "tags", json_array());
}

static json_t *agent_present(struct srv *s, const struct obj *o)
{
	json_t *out = json_deep_copy(o->body);
	const struct astate *as = stats_agent_state(s, o->id);
	char t[32];

	json_object_set_new(out, "state",
			    json_string(engine_agent_state_name(
				    as ? as->state : AS_OFFLINE)));
	json_object_set_new(out, "reason",
			    as && as->reason[0] ? json_string(as->reason)
						: json_null());
	json_object_set_new(
		out, "state_since",
		as ? json_string(utctime_format(as->since_ms, t, sizeof(t)))
		   : json_null());
	return out;
}

/* ---- dispositions ---- */

static int disposition_apply(struct srv *s, struct obj *o, json_t *next,
			     struct lang_out *why)
{
	(void)o;
	return kind_check_ref(s, next, "tenant", K_TENANTS, why);
}

static void disposition_defaults(json_t *b)
{
	kind_set_default(b, "label", json_object());
	kind_set_default(b, "tenant", json_null());
}

/* ---- canned responses ---- */

/* A shortcut is typed after "/": letters, digits, '-' and '_'. */
static int response_apply(struct srv *s, struct obj *o, json_t *next,
			  struct lang_out *why)
{
	const char *sc = jv_str(next, "shortcut");

	(void)o;
	if (strspn(sc, "abcdefghijklmnopqrstuvwxyz0123456789-_") !=
	    strlen(sc)) {
		lang_say(why,
			 N_("shortcut: lower-case letters, digits, - and _ "
			    "only"));
		return EINVAL;
	}
	return kind_check_ref(s, next, "tenant", K_TENANTS, why);
}

/* ---- users ---- */

static int user_apply(struct srv *s, struct obj *o, json_t *next,
		      struct lang_out *why)
{
	struct obj *agent;
	int st;

	(void)o;
	if ((st = kind_check_refs(s, next, "tenants", K_TENANTS, why)) ||
	    (st = kind_check_refs(s, next, "sites", K_SITES, why)) ||
	    (st = kind_check_ref(s, next, "agent", K_AGENTS, why)))
		return st;
	if (!strcmp(jv_str(next, "role"), "agent") && !jv_str(next, "agent"))
		return fail(why, EINVAL,
			    N_("agent: required for the role agent"));
	if (!jv_str(next, "password_hash"))
		return fail(why, EINVAL, N_("password: required"));
	if (jv_str(next, "lang") && !lang_has(jv_str(next, "lang")))
		return fail(why, EINVAL, N_("lang: no catalog for %.8s"),
			    jv_str(next, "lang"));
	agent = obj_find(s, K_AGENTS, jv_str(next, "agent"));
	if (auth_user_load(s, next, agent ? agent->body : NULL))
		return fail(why, EIO, N_("out of memory"));
	return 0;
}

static int user_remove(struct srv *s, struct obj *o, struct lang_out *why)
{
	(void)why;
	auth_sessions_end(s, o->id, NULL);
	auth_user_drop(s, o->id);
	return 0;
}

static void user_defaults(json_t *b)
{
	kind_set_default(b, "tenants", json_array());
	kind_set_default(b, "sites", json_array());
	kind_set_default(b, "agent", json_null());
}

static json_t *user_present(struct srv *s, const struct obj *o)
{
	json_t *out = json_deep_copy(o->body);

	(void)s;
	json_object_del(out, "password_hash");
	return out;
}

json_t *kind_plain_present(struct srv *s, const struct obj *o)
{
	(void)s;
	return json_copy(o->body); /* shallow: bodies are replaced whole */
}

#define CONFIG_READ (R_ADMIN | R_SUPERVISOR)

static const struct kind k_tenants = {
	"tenants",
	"tenant",
	tenant_fields,
	"name",
	CONFIG_READ | R_INTEGRATION,
	R_ADMIN,
	tenant_apply,
	tenant_remove,
	tenant_visible,
	tenant_defaults,
	kind_plain_present,
};
static const struct kind k_sites = {
	"sites",      "site",	     site_fields,	 "name",
	CONFIG_READ,  R_ADMIN,	     site_apply,	 site_remove,
	site_visible, site_defaults, kind_plain_present,
};
static const struct kind k_skills = {
	"skills",	  "skill", skill_fields,       "name",
	CONFIG_READ,	  R_ADMIN, skill_apply,	       skill_remove,
	kind_all_visible, NULL,	   kind_plain_present,
};
static const struct kind k_calendars = {
	"calendars",	    "calendar",
	calendar_fields,    NULL,
	CONFIG_READ,	    R_ADMIN,
	calendar_apply,	    calendar_remove,
	kind_all_visible,   calendar_defaults,
	kind_plain_present,
};
static const struct kind k_queues = {
	"queues",
	"queue",
	queue_fields,
	NULL,
	CONFIG_READ | R_AGENT | R_INTEGRATION,
	R_ADMIN,
	queue_apply,
	queue_remove,
	kind_tenant_visible,
	queue_defaults,
	kind_plain_present,
};
static const struct kind k_agents = {
	"agents",
	"agent",
	agent_fields,
	NULL,
	CONFIG_READ | R_AGENT,
	R_ADMIN,
	agent_apply,
	agent_remove,
	agent_visible,
	agent_defaults,
	agent_present,
};
static const struct kind k_dispositions = {
	"dispositions",
	"disposition",
	disposition_fields,
	"code",
	CONFIG_READ | R_AGENT | R_INTEGRATION,
	R_ADMIN,
	disposition_apply,
	NULL,
	kind_tenant_visible,
	disposition_defaults,
	kind_plain_present,
};
static const struct kind k_responses = {
	"responses",
	"response",
	response_fields,
	NULL,
	CONFIG_READ | R_AGENT | R_INTEGRATION,
	R_ADMIN,
	response_apply,
	NULL,
	kind_tenant_visible,
	NULL,
	kind_plain_present,
};
static const struct kind k_users = {
	"users",	  "user",	 user_fields,  "username",
	R_ADMIN,	  R_ADMIN,	 user_apply,   user_remove,
	kind_all_visible, user_defaults, user_present,
};

const struct kind *const kinds[K_MAX] = {
	&k_tenants,
	&k_sites,
	&k_skills,
	&k_calendars,
	&k_queues,
	&k_agents,
	&k_dispositions,
	&k_users,
	&k_responses,
	[K_MAILBOXES] = &mailboxes_kind,
	[K_GATEWAYS] = &sms_gateways_kind,
	[K_NUMBERS] = &sms_numbers_kind,
	[K_WIDGETS] = &widget_kind, /* server/widget.c */
	[K_FLOWS] = &flows_kind,    /* channels/voice/flows.c */
	[K_PHONES] = &phones_kind,  /* channels/voice/phones.c */
};
