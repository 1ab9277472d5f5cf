/*
 * event — see event.h. Each type's data is a list of field tables (a
 * shape); one encoder and one decoder walk them, so a field is written
 * once: its name, its type and where it lives in the struct. The tables'
 * order is the order of the keys in the log (jansson keeps insertion
 * order), which keeps the log's bytes as they were before the codec.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "model/event.h"
#include "model/utctime.h"

enum ftype {
	F_STR,	    /* const char *, required */
	F_STR_OPT,  /* const char *, absent when NULL */
	F_STR_NULL, /* const char *, JSON null when NULL */
	F_INT,	    /* int */
	F_U32,	    /* uint32_t */
	F_I64,	    /* int64_t */
	F_TRUE,	    /* bool, present (true) only when true */
	F_TIME_OPT, /* int64_t UTC ms as utctime's text, absent when 0 */
	F_OBJECT,   /* const json_t *, an object */
	F_STRS_OPT, /* const json_t *, an array of strings, absent when NULL */
	F_CHANNEL,  /* enum channel, by name */
	F_CSTATE,   /* enum contact_state, by name */
	F_ASTATE,   /* enum agent_state, by name */
};

struct field {
	const char *name;
	enum ftype type;
	size_t off; /* in the type's struct */
};

#define END                \
	{                  \
		NULL, 0, 0 \
	}
#define EE(m) offsetof(struct event_engine, m)

/* ---- the schema ---- */

static const struct field engine_head[] = {
	{"contact", F_STR_OPT, EE(contact)},
	{"queue", F_STR_OPT, EE(ev.queue)},
	{"agent", F_STR_OPT, EE(ev.agent)},
	{"site", F_STR_OPT, EE(ev.site)},
	END,
};

static const struct field agent_body[] = {
	{"state", F_ASTATE, EE(ev.agent_state)},
	{"prev", F_ASTATE, EE(ev.prev_state)},
	{"prev_ms", F_I64, EE(ev.prev_state_ms)},
	{"reason", F_STR_OPT, EE(ev.reason)},
	END,
};

static const struct field contact_body[] = {
	{"channel", F_CHANNEL, EE(ev.channel)},
	{"state", F_CSTATE, EE(ev.state)},
	{"step", F_INT, EE(ev.step)},
	{"wait_ms", F_I64, EE(ev.wait_ms)},
	{"total_wait_ms", F_I64, EE(ev.total_wait_ms)},
	END,
};

static const struct field queued_body[] = {
	{"position", F_U32, EE(ev.position)},
	{"ewt_ms", F_I64, EE(ev.ewt_ms)},
	{"entered", F_TRUE, EE(ev.entered)},
	END,
};

/* absent from the rows written before offers told their end */
static const struct field offered_body[] = {
	{"expires_at", F_TIME_OPT, EE(ev.expires_ms)},
	END,
};

/* wrapup_ends_at: ENDED into a timed wrap-up (absent from older rows) */
static const struct field ended_body[] = {
	{"talk_ms", F_I64, EE(ev.talk_ms)},
	{"wrap_ms", F_I64, EE(ev.wrap_ms)},
	{"wrapup_ends_at", F_TIME_OPT, EE(ev.expires_ms)},
	END,
};

static const struct field contact_tail[] = {
	{"target", F_STR_OPT, EE(ev.target)},
	{"reason", F_STR_OPT, EE(ev.reason)},
	{"callback", F_TRUE, EE(ev.callback)},
	{"customer", F_STR_OPT, EE(ev.customer)},
	END,
};

#define CC(m) offsetof(struct event_contact_created, m)
static const struct field created_fields[] = {
	{"contact", F_STR, CC(contact)},
	{"queue", F_STR, CC(queue)},
	{"channel", F_CHANNEL, CC(channel)},
	{"customer", F_STR_NULL, CC(customer)},
	{"priority", F_INT, CC(priority)},
	{"attributes", F_OBJECT, CC(attributes)},
	{"user", F_STR, CC(user)},
	END,
};

#define CR(m) offsetof(struct event_contact_requeued, m)
static const struct field requeued_fields[] = {
	{"contact", F_STR, CR(contact)},
	{"queue", F_STR, CR(queue)},
	{"reason", F_STR, CR(reason)},
	{"was", F_STR, CR(was)},
	END,
};

#define CD(m) offsetof(struct event_contact_disposition, m)
static const struct field disposition_fields[] = {
	{"contact", F_STR, CD(contact)},
	{"disposition", F_STR_NULL, CD(disposition)},
	{"notes", F_STR_NULL, CD(notes)},
	{"user", F_STR, CD(user)},
	END,
};

#define CU(m) offsetof(struct event_customer, m)
static const struct field customer_fields[] = {
	{"customer", F_STR, CU(customer)},
	{"user", F_STR, CU(user)},
	END,
};

#define RD(m) offsetof(struct event_customer_read, m)
static const struct field customer_read_fields[] = {
	{"customer", F_STR, RD(customer)},
	{"user", F_STR, RD(user)},
	{"path", F_STR, RD(path)},
	END,
};

#define AC(m) offsetof(struct event_audit_config, m)
static const struct field config_fields[] = {
	{"action", F_STR, AC(action)},
	{"kind", F_STR, AC(kind)},
	{"id", F_STR, AC(id)},
	{"user", F_STR, AC(user)},
	{"username", F_STR, AC(username)},
	END,
};

#define AL(m) offsetof(struct event_audit_login, m)
static const struct field login_fields[] = {
	{"user", F_STR, AL(user)},
	{"username", F_STR, AL(username)},
	{"peer", F_STR, AL(peer)},
	END,
};

#define AS(m) offsetof(struct event_audit_agent_state, m)
static const struct field agent_state_fields[] = {
	{"id", F_STR, AS(id)},
	{"state", F_STR, AS(state)},
	{"reason", F_STR_NULL, AS(reason)},
	{"user", F_STR, AS(user)},
	{"username", F_STR, AS(username)},
	END,
};

#define CM(m) offsetof(struct event_contact_message, m)
static const struct field message_fields[] = {
	{"contact", F_STR, CM(contact)},
	{"message", F_STR, CM(message)},
	{"queue", F_STR_OPT, CM(queue)},
	{"agent", F_STR_OPT, CM(agent)},
	{"channel", F_CHANNEL, CM(channel)},
	{"direction", F_STR, CM(direction)},
	{"author", F_STR, CM(author)},
	{"user", F_STR_OPT, CM(user)},
	{"text", F_STR, CM(text)},
	{"html", F_STR_OPT, CM(html)},
	{"subject", F_STR_OPT, CM(subject)},
	{"cc", F_STR_OPT, CM(cc)},
	{"attachments", F_STRS_OPT, CM(attachments)},
	{"status", F_STR, CM(status)},
	{"reason", F_STR_OPT, CM(reason)},
	{"mail_id", F_STR_OPT, CM(mail_id)},
	{"redacted", F_TRUE, CM(redacted)},
	END,
};

#define MS(m) offsetof(struct event_contact_message_status, m)
static const struct field message_status_fields[] = {
	{"contact", F_STR, MS(contact)},
	{"message", F_STR, MS(message)},
	{"queue", F_STR_OPT, MS(queue)},
	{"agent", F_STR_OPT, MS(agent)},
	{"status", F_STR, MS(status)},
	{"reason", F_STR_OPT, MS(reason)},
	END,
};

#define AT_(m) offsetof(struct event_contact_attachment, m)
static const struct field attachment_fields[] = {
	{"contact", F_STR, AT_(contact)},
	{"attachment", F_STR, AT_(attachment)},
	{"name", F_STR, AT_(name)},
	{"type", F_STR, AT_(type)},
	{"size", F_I64, AT_(size)},
	{"sha256", F_STR, AT_(sha256)},
	{"user", F_STR_OPT, AT_(user)},
	{"redacted", F_TRUE, AT_(redacted)},
	END,
};

#define CS(m) offsetof(struct event_contact_csat, m)
static const struct field csat_fields[] = {
	{"contact", F_STR, CS(contact)},     {"queue", F_STR_OPT, CS(queue)},
	{"agent", F_STR_OPT, CS(agent)},     {"site", F_STR_OPT, CS(site)},
	{"channel", F_CHANNEL, CS(channel)}, {"score", F_INT, CS(score)},
	{"comment", F_STR_OPT, CS(comment)}, END,
};

#define TR(m) offsetof(struct event_contact_transcript, m)
static const struct field transcript_fields[] = {
	{"contact", F_STR, TR(contact)},
	{"email", F_STR, TR(email)},
	{"lang", F_STR, TR(lang)},
	END,
};

#define CE(m) offsetof(struct event_audit_customer_erased, m)
static const struct field erased_fields[] = {
	{"customer", F_STR, CE(customer)},
	{"user", F_STR, CE(user)},
	{"contacts", F_INT, CE(contacts)},
	{"messages", F_INT, CE(messages)},
	{"attachments", F_INT, CE(attachments)},
	END,
};

#define RT(m) offsetof(struct event_audit_retention, m)
static const struct field retention_fields[] = {
	{"before", F_TIME_OPT, RT(before_ms)},
	{"messages", F_INT, RT(messages)},
	{"attachments", F_INT, RT(attachments)},
	{"user", F_STR_OPT, RT(user)},
	END,
};

#define CL(m) offsetof(struct event_contact_call, m)
static const struct field call_fields[] = {
	{"contact", F_STR, CL(contact)}, {"action", F_STR, CL(action)},
	{"agent", F_STR_OPT, CL(agent)}, {"target", F_STR_OPT, CL(target)},
	{"user", F_STR_OPT, CL(user)},	 END,
};

#define SV(m) offsetof(struct event_audit_supervision, m)
static const struct field supervision_fields[] = {
	{"contact", F_STR, SV(contact)},
	{"mode", F_STR, SV(mode)},
	{"agent", F_STR_OPT, SV(agent)},
	{"user", F_STR, SV(user)},
	END,
};

/* A type's data: its field tables in order, NULL-terminated. */
struct shape {
	const char *name;
	int version;
	const struct field *parts[5];
};

/* The types that are not the engine's, from EVENT_CONTACT_CREATED on. */
static const struct shape shapes[EVENT_TYPE_MAX - EV_MAX] = {
	{"contact.created", 1, {created_fields}},
	{"contact.requeued", 1, {requeued_fields}},
	{"contact.disposition", 1, {disposition_fields}},
	{"customer.created", 1, {customer_fields}},
	{"customer.updated", 1, {customer_fields}},
	{"audit.customer_read", 1, {customer_read_fields}},
	{"audit.config", 1, {config_fields}},
	{"audit.login", 1, {login_fields}},
	{"audit.login_failed", 1, {login_fields}},
	{"audit.agent_state", 1, {agent_state_fields}},
	{"contact.message", 1, {message_fields}},
	{"contact.message_status", 1, {message_status_fields}},
	{"contact.attachment", 1, {attachment_fields}},
	{"contact.csat", 1, {csat_fields}},
	{"contact.transcript", 1, {transcript_fields}},
	{"audit.customer_erased", 1, {erased_fields}},
	{"audit.retention", 1, {retention_fields}},
	{"contact.call", 1, {call_fields}},
	{"audit.supervision", 1, {supervision_fields}},
};

/* The engine's: an agent's state, or a contact's with what its type adds. */
static const struct shape agent_shape = {NULL, 1, {engine_head, agent_body}};
static const struct shape queued_shape = {
	NULL, 1, {engine_head, contact_body, queued_body, contact_tail}};
static const struct shape offered_shape = {
	NULL, 1, {engine_head, contact_body, offered_body, contact_tail}};
static const struct shape ended_shape = {
	NULL, 1, {engine_head, contact_body, ended_body, contact_tail}};
static const struct shape contact_shape = {
	NULL, 1, {engine_head, contact_body, contact_tail}};

static const struct shape *shape_of(enum event_type t)
{
	switch ((int)t) {
	case EV_AGENT_STATE:
		return &agent_shape;
	case EV_CONTACT_QUEUED:
		return &queued_shape;
	case EV_CONTACT_OFFERED:
		return &offered_shape;
	case EV_CONTACT_ENDED:
	case EV_CONTACT_COMPLETED:
		return &ended_shape;
	default:
		if ((int)t < 0 || t >= EVENT_TYPE_MAX)
			return NULL;
		return t < EVENT_ENGINE_MAX ? &contact_shape
					    : &shapes[t - EV_MAX];
	}
}

const char *event_type_name(enum event_type t)
{
	if ((int)t >= 0 && t < EVENT_ENGINE_MAX)
		return engine_event_name((enum engine_event_type)t);
	return t < EVENT_TYPE_MAX ? shapes[t - EV_MAX].name : "?";
}

bool event_type_parse(const char *s, enum event_type *tp)
{
	enum engine_event_type et;

	if (engine_event_parse(s, &et)) {
		*tp = (enum event_type)et;
		return true;
	}
	for (int i = 0; s && i < EVENT_TYPE_MAX - EV_MAX; i++) {
		if (!strcmp(shapes[i].name, s)) {
			*tp = (enum event_type)(EV_MAX + i);
			return true;
		}
	}
	return false;
}

/* ---- encoding ---- */

#define AT(base, f, T) (*(T *)((char *)(base) + (f)->off))

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *time_of(int64_t ms, bool *skip)
{
	char t[UTCTIME_SIZE];

	*skip = !ms;
	return *skip ? NULL : json_string(utctime_format(ms, t, sizeof(t)));
}

/* The JSON value of one field; NULL with *skip for an absent one. */
static json_t *value_of(const struct field *f, const void *base, bool *skip)
{
	switch (f->type) {
	case F_STR:
		return json_string(AT(base, f, const char *const));
	case F_STR_OPT:
		*skip = !AT(base, f, const char *const);
		return *skip ? NULL
			     : json_string(AT(base, f, const char *const));
	case F_STR_NULL:
		return str_or_null(AT(base, f, const char *const));
	case F_INT:
		return json_integer(AT(base, f, const int));
	case F_U32:
		return json_integer(AT(base, f, const uint32_t));
	case F_I64:
		return json_integer(AT(base, f, const int64_t));
	case F_TRUE:
		*skip = !AT(base, f, const bool);
		return *skip ? NULL : json_true();
	case F_TIME_OPT:
		return time_of(AT(base, f, const int64_t), skip);
	case F_OBJECT:
		return json_incref((json_t *)AT(base, f, const json_t *const));
	case F_STRS_OPT:
		*skip = !AT(base, f, const json_t *const);
		return *skip ? NULL
			     : json_deep_copy(AT(base, f, const json_t *const));
	case F_CHANNEL:
		return json_string(engine_channel_name(AT(base, f, const int)));
	case F_CSTATE:
		return json_string(
			engine_contact_state_name(AT(base, f, const int)));
	case F_ASTATE:
		return json_string(
			engine_agent_state_name(AT(base, f, const int)));
	}
	return NULL;
}

static json_t *encode(const struct shape *sh, const void *base)
{
	json_t *d = json_object();

	for (int p = 0; d && sh->parts[p]; p++) {
		for (const struct field *f = sh->parts[p]; f->name; f++) {
			bool skip = false;
			json_t *v = value_of(f, base, &skip);

			if (!skip && json_object_set_new(d, f->name, v)) {
				json_decref(d);
				return NULL;
			}
		}
	}
	if (d && sh->version > 1 &&
	    json_object_set_new(d, "v", json_integer(sh->version))) {
		json_decref(d);
		return NULL;
	}
	return d;
}

json_t *event_encode(const struct event *ev)
{
	const struct shape *sh = shape_of(ev->type);

	return sh ? encode(sh, &ev->u) : NULL;
}

json_t *event_engine_encode(const struct engine_event *ev, const char *contact)
{
	struct event_engine e = {.ev = *ev, .contact = contact};

	return encode(shape_of((enum event_type)ev->type), &e);
}

/* ---- decoding ---- */

struct dec {
	const char *type;
	char *msg;
	size_t size;
};

static int bad(const struct dec *dc, const char *name, const char *want)
{
	snprintf(dc->msg, dc->size, "%s: %s: expected %s", dc->type, name,
		 want);
	return EINVAL;
}

static int get_int(const struct dec *dc, const struct field *f, const json_t *v,
		   int64_t min, int64_t max, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return bad(dc, f->name, "an integer");
	*out = json_integer_value(v);
	return 0;
}

/* A name of names (parse) into an enum; want: what it must be. */
static int get_name(const struct dec *dc, const struct field *f,
		    const json_t *v, void *base)
{
	const char *s = json_string_value(v);
	bool ok = false;

	if (f->type == F_CHANNEL)
		ok = engine_channel_parse(s, &AT(base, f, enum channel));
	else if (f->type == F_CSTATE)
		ok = engine_contact_state_parse(
			s, &AT(base, f, enum contact_state));
	else
		ok = engine_agent_state_parse(s,
					      &AT(base, f, enum agent_state));
	return ok ? 0
		  : bad(dc, f->name,
			f->type == F_CHANNEL ? "a channel" : "a state's name");
}

static int get_str(const struct dec *dc, const struct field *f, const json_t *v,
		   void *base)
{
	bool none = (f->type == F_STR_OPT && !v) ||
		    (f->type == F_STR_NULL && json_is_null(v));

	if (!none && !json_is_string(v))
		return bad(dc, f->name,
			   f->type == F_STR_NULL ? "a string or null"
						 : "a string");
	AT(base, f, const char *) = none ? NULL : json_string_value(v);
	return 0;
}

static int get_strs(const struct dec *dc, const struct field *f,
		    const json_t *v, void *base)
{
	const json_t *x;
	size_t i;

	if (v && !json_is_array(v))
		return bad(dc, f->name, "an array of strings");
	json_array_foreach(v, i, x) if (!json_is_string(x)) return bad(
		dc, f->name, "an array of strings");
	AT(base, f, const json_t *) = v;
	return 0;
}

static int get_time(const struct dec *dc, const struct field *f,
		    const json_t *v, void *base)
{
	int64_t ms = 0;

	if (v && !json_is_string(v))
		return bad(dc, f->name, "a UTC time");
	if (v)
		ms = utctime_parse(json_string_value(v));
	if (ms < 0)
		return bad(dc, f->name, "a UTC time");
	AT(base, f, int64_t) = ms;
	return 0;
}

static int get(const struct dec *dc, const struct field *f, const json_t *d,
	       void *base)
{
	const json_t *v = json_object_get(d, f->name);
	int64_t n = 0;
	int err;

	switch (f->type) {
	case F_STR:
	case F_STR_OPT:
	case F_STR_NULL:
		return get_str(dc, f, v, base);
	case F_INT:
		err = get_int(dc, f, v, INT_MIN, INT_MAX, &n);
		AT(base, f, int) = (int)n;
		return err;
	case F_U32:
		err = get_int(dc, f, v, 0, UINT32_MAX, &n);
		AT(base, f, uint32_t) = (uint32_t)n;
		return err;
	case F_I64:
		return get_int(dc, f, v, INT64_MIN, INT64_MAX,
			       &AT(base, f, int64_t));
	case F_TRUE:
		if (v && !json_is_boolean(v))
			return bad(dc, f->name, "true or false");
		AT(base, f, bool) = json_is_true(v);
		return 0;
	case F_TIME_OPT:
		return get_time(dc, f, v, base);
	case F_OBJECT:
		if (!json_is_object(v))
			return bad(dc, f->name, "an object");
		AT(base, f, const json_t *) = v;
		return 0;
	case F_STRS_OPT:
		return get_strs(dc, f, v, base);
	default:
		return get_name(dc, f, v, base);
	}
}

/* The row's version: 1 without "v"; one this relais knows. */
static int get_version(const struct dec *dc, const struct shape *sh,
		       const json_t *d, int *version)
{
	const json_t *v = json_object_get(d, "v");

	*version = 1;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > sh->version) {
		snprintf(dc->msg, dc->size,
			 "%s: v: this relais reads versions 1 to %d of this "
			 "event",
			 dc->type, sh->version);
		return EINVAL;
	}
	*version = (int)json_integer_value(v);
	return 0;
}

int event_decode(struct event *ev, const char *type, const json_t *data,
		 char *msg, size_t size)
{
	struct dec dc = {type ? type : "(no type)", msg, size};
	const struct shape *sh;
	int err;

	memset(ev, 0, sizeof(*ev));
	if (!event_type_parse(type, &ev->type)) {
		snprintf(msg, size, "%s: not a type of event", dc.type);
		return EINVAL;
	}
	if (!json_is_object(data)) {
		snprintf(msg, size, "%s: expected a JSON object", dc.type);
		return EINVAL;
	}
	sh = shape_of(ev->type);
	err = get_version(&dc, sh, data, &ev->version);
	for (int p = 0; !err && sh->parts[p]; p++)
		for (const struct field *f = sh->parts[p]; !err && f->name; f++)
			err = get(&dc, f, data, &ev->u);
	if (ev->type < EVENT_ENGINE_MAX)
		ev->u.engine.ev.type = (enum engine_event_type)ev->type;
	return err;
}

int event_parse(struct event *ev, const char *type, const char *text, char *msg,
		size_t size)
{
	json_error_t je;
	json_t *d = json_loads(text ? text : "", 0, &je);
	int err;

	if (!d) {
		memset(ev, 0, sizeof(*ev));
		if (json_error_code(&je) == json_error_out_of_memory)
			return ENOMEM;
		snprintf(msg, size, "%s: not JSON: %s",
			 type ? type : "(no type)", je.text);
		return EINVAL;
	}
	err = event_decode(ev, type, d, msg, size);
	if (err)
		json_decref(d);
	else
		ev->json = d;
	return err;
}

void event_release(struct event *ev)
{
	json_decref(ev->json);
	ev->json = NULL;
}

const char *event_queue(const struct event *ev)
{
	if (ev->type < EVENT_ENGINE_MAX)
		return ev->u.engine.ev.queue;
	if (ev->type == EVENT_CONTACT_CREATED)
		return ev->u.created.queue;
	if (ev->type == EVENT_CONTACT_REQUEUED)
		return ev->u.requeued.queue;
	if (ev->type == EVENT_CONTACT_MESSAGE)
		return ev->u.message.queue;
	if (ev->type == EVENT_CONTACT_MESSAGE_STATUS)
		return ev->u.message_status.queue;
	if (ev->type == EVENT_CONTACT_CSAT)
		return ev->u.csat.queue;
	return NULL;
}

const char *event_agent(const struct event *ev)
{
	if (ev->type == EVENT_CONTACT_MESSAGE)
		return ev->u.message.agent;
	if (ev->type == EVENT_CONTACT_MESSAGE_STATUS)
		return ev->u.message_status.agent;
	if (ev->type == EVENT_CONTACT_CSAT)
		return ev->u.csat.agent;
	if (ev->type == EVENT_CONTACT_CALL)
		return ev->u.call.agent;
	if (ev->type == EVENT_AUDIT_SUPERVISION)
		return ev->u.supervision.agent;
	return ev->type < EVENT_ENGINE_MAX ? ev->u.engine.ev.agent : NULL;
}
