/*
 * flow — parsing and validating an IVR flow (flow.h).
 *
 * A flow is kept as a copy of its body (every string a node or a step
 * gives points into it) and an array of nodes whose targets are indexes
 * into that array. Validation runs in passes, each with one kind of
 * message: the shape of each node, its targets, then the graph (every
 * node reachable from start, no loop made only of nodes that wait for
 * nobody, an end reachable from every node). Cost: O(n²) in the nodes
 * (n ≤ 100) for the graph passes, nothing at call time.
 */
#include "server/libre.h"

#include <errno.h>
#include <string.h>

#include "channels/sms/sms.h"
#include "channels/voice/flow.h"
#include "channels/voice/flow_int.h"
#include "lang/lang.h"
#include "model/jv.h"

static const char *const type_names[NT_MAX] = {
	[NT_PROMPT] = "prompt",
	[NT_MENU] = "menu",
	[NT_LANGUAGE] = "language",
	[NT_CALENDAR] = "calendar",
	[NT_SET] = "set",
	[NT_QUEUE] = "queue",
	[NT_VOICEMAIL] = "voicemail",
	[NT_TRANSFER] = "transfer",
	[NT_HANGUP] = "hangup",
};

/* The fields each type takes, space-separated, "type" implied. */
static const char *const type_fields[NT_MAX] = {
	[NT_PROMPT] = "say next",
	[NT_MENU] = "say options timeout_s retries invalid fail",
	[NT_LANGUAGE] = "say options timeout_s next",
	[NT_CALENDAR] = "calendar open closed",
	[NT_SET] = "priority attributes next",
	[NT_QUEUE] = "queue",
	[NT_VOICEMAIL] = "say queue",
	[NT_TRANSFER] = "number",
	[NT_HANGUP] = "say",
};

int flow_digit_index(char digit)
{
	const char *p = digit ? strchr(FLOW_DIGITS, digit) : NULL;

	return p ? (int)(p - FLOW_DIGITS) : -1;
}

/* The static code of a catalog's language, or NULL. */
const char *flow_lang_code(const char *code)
{
	for (size_t i = 0; code && i < lang_count(); i++)
		if (!strcmp(lang_code(i), code))
			return lang_code(i);
	return NULL;
}

static void flow_destructor(void *arg)
{
	struct flow *f = arg;

	for (size_t i = 0; i < f->n; i++)
		json_decref(f->nodes[i].files);
	mem_deref(f->nodes);
	json_decref(f->body);
}

int flow_node_index(const struct flow *f, const char *id)
{
	for (size_t i = 0; id && i < f->n; i++)
		if (!strcmp(f->nodes[i].id, id))
			return (int)i;
	return -1;
}

static bool id_ok(const char *id)
{
	size_t n = strlen(id);

	return n >= 1 && n <= FLOW_ID_MAX &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool field_known(enum ntype t, const char *key)
{
	const char *list = type_fields[t], *p;
	size_t n = strlen(key);

	if (!strcmp(key, "type"))
		return true;
	if (!n)
		return false;
	for (p = strstr(list, key); p; p = strstr(p + 1, key))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* ---- one node's fields ---- */

/* The characters of string t (jansson's strings are valid UTF-8). */
static size_t utf8_chars(const json_t *t)
{
	const char *p = json_string_value(t);
	size_t n = 0;

	for (; p && *p; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	return n;
}

/* body[key], a text per language ("say", "invalid"). */
static int texts_check(const char *id, const json_t *o, const char *key,
		       bool required, struct lang_out *why)
{
	const json_t *v = json_object_get(o, key), *t;
	const char *lang;

	if (!v && !required)
		return 0;
	if (!v)
		return lang_say(why, N_("nodes.%s: %s: required"), id, key),
		       EINVAL;
	if (!json_is_object(v) || !json_object_size(v))
		return lang_say(why,
				N_("nodes.%s: %s: expected texts per "
				   "language, such as {\"fr\": \"...\", "
				   "\"en\": \"...\"}"),
				id, key),
		       EINVAL;
	json_object_foreach((json_t *)v, lang, t)
	{
		size_t n = utf8_chars(t);

		if (!flow_lang_code(lang))
			return lang_say(why,
					N_("nodes.%s: %s.%.16s: not a "
					   "language of relais"),
					id, key, lang),
			       EINVAL;
		if (!json_is_string(t) || !n || n > FLOW_TEXT_MAX)
			return lang_say(why,
					N_("nodes.%s: %s.%s: a text of 1 to "
					   "%d characters"),
					id, key, lang, FLOW_TEXT_MAX),
			       EINVAL;
	}
	return 0;
}

/* v (o[label]), a string: *out (NULL when absent and not required). */
static int str_value(const char *id, const json_t *v, const char *label,
		     bool required, const char **out, struct lang_out *why)
{
	*out = NULL;
	if (!v && !required)
		return 0;
	if (!v)
		return lang_say(why, N_("nodes.%s: %s: required"), id, label),
		       EINVAL;
	if (!json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) > 64)
		return lang_say(why,
				N_("nodes.%s: %s: expected a string of 1 to "
				   "64 bytes"),
				id, label),
		       EINVAL;
	*out = json_string_value(v);
	return 0;
}

static int str_field(const char *id, const json_t *o, const char *key,
		     bool required, const char **out, struct lang_out *why)
{
	return str_value(id, json_object_get(o, key), key, required, out, why);
}

/* body[key], an integer in [min, max], else def. */
static int int_field(const char *id, const json_t *o, const char *key, int min,
		     int max, int def, int *out, struct lang_out *why)
{
	const json_t *v = json_object_get(o, key);

	*out = def;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return lang_say(why,
				N_("nodes.%s: %s: expected an integer from "
				   "%d to %d"),
				id, key, min, max),
		       EINVAL;
	*out = (int)json_integer_value(v);
	return 0;
}

/*
 * A target: the index of the node named by o[key] (label names it in
 * messages), or -1 when absent and not required.
 */
static int target(const struct flow *f, const char *id, const json_t *o,
		  const char *key, const char *label, bool required, int *out,
		  struct lang_out *why)
{
	const char *to;
	int err = str_value(id, json_object_get(o, key), label, required, &to,
			    why);

	*out = -1;
	if (err || !to)
		return err;
	*out = flow_node_index(f, to);
	if (*out < 0)
		return lang_say(why, N_("nodes.%s: %s: no such node \"%.40s\""),
				id, label, to),
		       EINVAL;
	return 0;
}

/*
 * options: digit -> node (menu) or digit -> language (language). At least
 * one; keys are single digits.
 */
static int options_check(struct flow *f, struct flow_node *nd, const json_t *o,
			 struct lang_out *why)
{
	const json_t *opts = json_object_get(o, "options"), *v;
	const char *key;

	if (!json_is_object(opts) || !json_object_size(opts))
		return lang_say(why,
				N_("nodes.%s: options: expected an object of "
				   "at least one digit"),
				nd->id),
		       EINVAL;
	json_object_foreach((json_t *)opts, key, v)
	{
		int d = strlen(key) == 1 ? flow_digit_index(key[0]) : -1;
		char label[40];

		if (d < 0)
			return lang_say(why,
					N_("nodes.%s: options.%.16s: a key is "
					   "one digit: 0-9, * or #"),
					nd->id, key),
			       EINVAL;
		snprintf(label, sizeof(label), "options.%s", key);
		if (nd->type == NT_MENU) {
			if (target(f, nd->id, opts, key, label, true,
				   &nd->opt[d], why))
				return EINVAL;
			continue;
		}
		nd->optlang[d] = flow_lang_code(json_string_value(v));
		if (!nd->optlang[d])
			return lang_say(why,
					N_("nodes.%s: %s: not a language of "
					   "relais"),
					nd->id, label),
			       EINVAL;
	}
	return 0;
}

/* set: attributes of strings, numbers or booleans. */
static int attributes_check(struct flow_node *nd, const json_t *o,
			    struct lang_out *why)
{
	const json_t *a = json_object_get(o, "attributes"), *v;
	const char *key;

	if (!a)
		return 0;
	if (!json_is_object(a) || json_object_size(a) > 20)
		return lang_say(why,
				N_("nodes.%s: attributes: expected an object "
				   "of at most 20 members"),
				nd->id),
		       EINVAL;
	json_object_foreach((json_t *)a, key, v)
	{
		if (strlen(key) > 64 || !strcmp(key, "ivr_path") ||
		    !(json_is_number(v) || json_is_boolean(v) ||
		      (json_is_string(v) &&
		       json_string_length(v) <= FLOW_TEXT_MAX)))
			return lang_say(why,
					N_("nodes.%s: attributes.%.64s: "
					   "expected a string, a number or a "
					   "boolean"),
					nd->id, key),
			       EINVAL;
	}
	nd->attributes = a;
	return 0;
}

/* The fields of node nd (o) by its type; targets are resolved. */
static int node_fields(struct flow *f, struct flow_node *nd, const json_t *o,
		       struct lang_out *why)
{
	const char *id = nd->id;
	enum ntype t = nd->type;
	int err;

	err = texts_check(id, o, "say",
			  t == NT_PROMPT || t == NT_MENU || t == NT_LANGUAGE,
			  why) ||
	      texts_check(id, o, "invalid", false, why);
	if (err)
		return EINVAL;
	nd->say = json_object_get(o, "say");
	nd->invalid = json_object_get(o, "invalid");
	if (t == NT_MENU || t == NT_LANGUAGE)
		err = options_check(f, nd, o, why) ||
		      int_field(id, o, "timeout_s", 1, 60, 5, &nd->timeout_ms,
				why) ||
		      int_field(id, o, "retries", 0, 9, 2, &nd->retries, why);
	nd->timeout_ms *= 1000;
	err = err ||
	      target(f, id, o, "next", "next",
		     t == NT_PROMPT || t == NT_LANGUAGE || t == NT_SET,
		     &nd->next, why) ||
	      target(f, id, o, "open", "open", t == NT_CALENDAR, &nd->open,
		     why) ||
	      target(f, id, o, "closed", "closed", t == NT_CALENDAR,
		     &nd->closed, why) ||
	      target(f, id, o, "fail", "fail", false, &nd->fail, why) ||
	      int_field(id, o, "priority", -100, 100, 0, &nd->priority, why) ||
	      attributes_check(nd, o, why) ||
	      str_field(id, o, "queue", t == NT_QUEUE || t == NT_VOICEMAIL,
			&nd->queue, why) ||
	      str_field(id, o, "calendar", t == NT_CALENDAR, &nd->calendar,
			why) ||
	      str_field(id, o, "number", t == NT_TRANSFER, &nd->number, why);
	if (!err && t == NT_TRANSFER && !sms_e164(nd->number))
		return lang_say(why,
				N_("nodes.%s: number: an E.164 number (+ and "
				   "8 to 15 digits)"),
				id),
		       EINVAL;
	return err ? EINVAL : 0;
}

/* The type and the known fields of node nd (o). */
static int node_shape(struct flow_node *nd, const json_t *o,
		      struct lang_out *why)
{
	const char *type = jv_str(o, "type"), *key;
	const json_t *v;

	if (!json_is_object(o))
		return lang_say(why, N_("nodes.%s: expected an object"),
				nd->id),
		       EINVAL;
	if (!type)
		return lang_say(why, N_("nodes.%s: %s: required"), nd->id,
				"type"),
		       EINVAL;
	for (nd->type = 0; nd->type < NT_MAX; nd->type++)
		if (!strcmp(type, type_names[nd->type]))
			break;
	if (nd->type == NT_MAX)
		return lang_say(why,
				N_("nodes.%s: type: unknown type \"%.40s\""),
				nd->id, type),
		       EINVAL;
	json_object_foreach((json_t *)o, key, v)
	{
		if (!field_known(nd->type, key))
			return lang_say(why,
					N_("nodes.%s: unknown field %.40s "
					   "for a node of type %s"),
					nd->id, key, type),
			       EINVAL;
	}
	return 0;
}

/* ---- the graph ---- */

bool flow_type_ends(enum ntype t)
{
	return t == NT_QUEUE || t == NT_VOICEMAIL || t == NT_TRANSFER ||
	       t == NT_HANGUP;
}

/* The targets of node nd into out (at most 4 + FLOW_NDIGITS); count. */
static size_t successors(const struct flow_node *nd, int *out)
{
	const int one[] = {nd->next, nd->open, nd->closed, nd->fail};
	size_t n = 0;

	for (size_t i = 0; i < 4; i++)
		if (one[i] >= 0)
			out[n++] = one[i];
	for (size_t i = 0; i < FLOW_NDIGITS; i++)
		if (nd->type == NT_MENU && nd->opt[i] >= 0)
			out[n++] = nd->opt[i];
	return n;
}

/* Marks in seen[] the nodes reachable from node i. */
static void reach(const struct flow *f, int i, bool *seen)
{
	int succ[4 + FLOW_NDIGITS];
	size_t n;

	if (seen[i])
		return;
	seen[i] = true;
	n = successors(&f->nodes[i], succ);
	for (size_t k = 0; k < n; k++)
		reach(f, succ[k], seen);
}

/* A node that waits for the caller's choice (a loop through it is fine). */
static bool waits(const struct flow_node *nd)
{
	return nd->type == NT_MENU || nd->type == NT_LANGUAGE;
}

/*
 * Depth-first search for a loop through nodes that do not wait (colour:
 * 0 new, 1 on the path, 2 done). The node closing the loop, or -1.
 */
static int loop_from(const struct flow *f, int i, char *colour)
{
	int succ[4 + FLOW_NDIGITS], found = -1;
	size_t n;

	if (colour[i] == 1)
		return i;
	if (colour[i] == 2 || waits(&f->nodes[i]))
		return -1;
	colour[i] = 1;
	n = successors(&f->nodes[i], succ);
	for (size_t k = 0; found < 0 && k < n; k++)
		found = loop_from(f, succ[k], colour);
	colour[i] = 2;
	return found;
}

/* Whether each node may reach an end: a fixpoint, O(n²) at worst. */
static void may_end(const struct flow *f, bool *ends)
{
	bool changed = true;

	for (size_t i = 0; i < f->n; i++)
		ends[i] = flow_type_ends(f->nodes[i].type) ||
			  (f->nodes[i].type == NT_MENU && f->nodes[i].fail < 0);
	while (changed) {
		changed = false;
		for (size_t i = 0; i < f->n; i++) {
			int succ[4 + FLOW_NDIGITS];
			size_t n = successors(&f->nodes[i], succ);

			for (size_t k = 0; !ends[i] && k < n; k++)
				if (ends[succ[k]])
					ends[i] = changed = true;
		}
	}
}

static int graph_check(const struct flow *f, struct lang_out *why)
{
	bool seen[FLOW_NODES_MAX] = {false}, ends[FLOW_NODES_MAX];
	char colour[FLOW_NODES_MAX] = {0};
	int loop;

	reach(f, f->start, seen);
	for (size_t i = 0; i < f->n; i++)
		if (!seen[i])
			return lang_say(why,
					N_("nodes.%s: unreachable from "
					   "start"),
					f->nodes[i].id),
			       EINVAL;
	for (size_t i = 0; i < f->n; i++)
		if ((loop = loop_from(f, (int)i, colour)) >= 0)
			return lang_say(why,
					N_("nodes.%s: a loop without a menu "
					   "or a language choice on it"),
					f->nodes[loop].id),
			       EINVAL;
	may_end(f, ends);
	for (size_t i = 0; i < f->n; i++)
		if (!ends[i])
			return lang_say(why,
					N_("nodes.%s: no path from it reaches "
					   "an end (queue, voicemail, "
					   "transfer or hangup)"),
					f->nodes[i].id),
			       EINVAL;
	return 0;
}

/* ---- the flow ---- */

/* The nodes' ids and shapes (first pass: targets need every id). */
static int nodes_index(struct flow *f, const json_t *nodes,
		       struct lang_out *why)
{
	const char *id;
	const json_t *o;

	json_object_foreach((json_t *)nodes, id, o)
	{
		struct flow_node *nd = &f->nodes[f->n++];

		nd->id = id;
		if (!id_ok(id))
			return lang_say(why,
					N_("nodes.%.40s: an id is 1 to 32 of "
					   "a-z, 0-9, '_' and '-'"),
					id),
			       EINVAL;
		if (node_shape(nd, o, why))
			return EINVAL;
		nd->next = nd->open = nd->closed = nd->fail = -1;
		for (int d = 0; d < FLOW_NDIGITS; d++)
			nd->opt[d] = -1;
	}
	return 0;
}

static int flow_build(struct flow *f, struct lang_out *why)
{
	const json_t *b = f->body, *nodes = json_object_get(b, "nodes");
	const char *start = jv_str(b, "start");
	size_t i = 0;
	const char *id;
	const json_t *o;

	f->tenant = jv_str(b, "tenant");
	if (!f->tenant || !start)
		return lang_say(why, N_("%s: required"),
				f->tenant ? "start" : "tenant"),
		       EINVAL;
	if (!json_is_object(nodes) || !json_object_size(nodes) ||
	    json_object_size(nodes) > FLOW_NODES_MAX)
		return lang_say(why,
				N_("nodes: expected an object of 1 to %d "
				   "nodes"),
				FLOW_NODES_MAX),
		       EINVAL;
	f->nodes =
		mem_zalloc(json_object_size(nodes) * sizeof(*f->nodes), NULL);
	if (!f->nodes)
		return ENOMEM;
	if (nodes_index(f, nodes, why))
		return EINVAL;
	json_object_foreach((json_t *)nodes, id, o)
	{
		if (node_fields(f, &f->nodes[i++], o, why))
			return EINVAL;
	}
	f->start = flow_node_index(f, start);
	if (f->start < 0)
		return lang_say(why, N_("start: no such node \"%.40s\""),
				start),
		       EINVAL;
	return graph_check(f, why);
}

int flow_parse(struct flow **fp, const json_t *body, struct lang_out *why)
{
	struct flow *f;
	int err;

	if (!json_is_object(body))
		return lang_say(why, N_("a flow is a JSON object")), EINVAL;
	f = mem_zalloc(sizeof(*f), flow_destructor);
	if (!f)
		return ENOMEM;
	f->body = json_deep_copy(body);
	err = f->body ? flow_build(f, why) : ENOMEM;
	if (err) {
		mem_deref(f);
		return err;
	}
	*fp = f;
	return 0;
}

const char *flow_tenant(const struct flow *f)
{
	return f->tenant;
}

void flow_set_lang(struct flow *f, const char *lang)
{
	f->lang = flow_lang_code(lang);
}

int flow_set_file(struct flow *f, const char *node, const char *lang,
		  const char *path)
{
	int i = flow_node_index(f, node);
	struct flow_node *nd;

	if (i < 0)
		return ENOENT;
	if (!flow_lang_code(lang))
		return EINVAL;
	nd = &f->nodes[i];
	if (!path) {
		json_object_del(nd->files, lang);
		return 0;
	}
	if (!nd->files && !(nd->files = json_object()))
		return ENOMEM;
	return json_object_set_new(nd->files, lang, json_string(path)) ? ENOMEM
								       : 0;
}

void flow_texts(const struct flow *f,
		void (*fn)(const char *lang, const char *text, void *arg),
		void *arg)
{
	for (size_t i = 0; i < f->n; i++) {
		const json_t *lists[] = {f->nodes[i].say, f->nodes[i].invalid};

		for (size_t k = 0; k < 2; k++) {
			const char *lang;
			const json_t *t;

			json_object_foreach((json_t *)lists[k], lang, t)
			{
				fn(lang, json_string_value(t), arg);
			}
		}
	}
}

bool flow_has_say(const struct flow *f, const char *node, const char *lang)
{
	int i = flow_node_index(f, node);

	return i >= 0 && lang &&
	       (json_object_get(f->nodes[i].say, lang) ||
		json_object_get(f->nodes[i].files, lang));
}

bool flow_names(const struct flow *f, const char *field, const char *id)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *v = !strcmp(field, "queue") ? f->nodes[i].queue
				: !strcmp(field, "calendar")
					? f->nodes[i].calendar
					: NULL;

		if (v && !strcmp(v, id))
			return true;
	}
	return false;
}

const char *flow_file(const struct flow *f, const char *node, const char *lang)
{
	int i = flow_node_index(f, node);

	return i < 0 || !lang ? NULL
			      : json_string_value(json_object_get(
					f->nodes[i].files, lang));
}
