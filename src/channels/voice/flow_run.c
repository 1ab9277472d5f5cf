/*
 * flow_run — one call's walk through its flow (flow.h).
 *
 * The walk is a current node and what the call told it so far: the
 * caller's language, the failed attempts at the current menu, the
 * priority and attributes of the set nodes passed, and the path. Nodes
 * that ask nothing of the call (set) are passed at once; every other node
 * becomes the current step and waits for its input. A walk that passes
 * FLOW_GUARD nodes without a digit or a timeout hangs up: validation
 * refuses the loops that would do that, the guard is a second wall.
 */
#include "server/libre.h"

#include <errno.h>
#include <string.h>

#include "channels/voice/flow.h"
#include "channels/voice/flow_int.h"
#include "lang/lang.h"

struct flow_run {
	struct flow *f; /* a reference */
	int cur;	/* the current node */
	int tries;	/* menu: failed attempts so far */
	bool invalid;	/* menu: its "invalid" text plays (a PLAY step) */
	const char *lang;
	int priority;
	json_t *attrs; /* merged attributes, then ivr_path */
	json_t *path;  /* node ids entered */
	int since_input;
	struct flow_step step;
};

static void run_destructor(void *arg)
{
	struct flow_run *r = arg;

	json_decref(r->attrs);
	json_decref(r->path);
	mem_deref(r->f);
}

/* The language of texts (say) or uploads (files) to use, or NULL. */
static const char *say_lang(const struct flow_run *r, const json_t *say,
			    const json_t *files)
{
	const char *first[] = {r->lang, r->f->lang};
	const char *lang;
	const json_t *v;

	for (size_t i = 0; i < 2; i++)
		if (first[i] && (json_object_get(say, first[i]) ||
				 json_object_get(files, first[i])))
			return first[i];
	for (size_t i = 0; i < lang_count(); i++)
		if (json_object_get(say, lang_code(i)) ||
		    json_object_get(files, lang_code(i)))
			return lang_code(i);
	json_object_foreach((json_t *)say, lang, v)
	{
		return flow_lang_code(lang);
	}
	return NULL;
}

/* The step of act at node nd, saying say (or the node's recording). */
static const struct flow_step *set_step(struct flow_run *r, enum flow_act act,
					const json_t *say, const json_t *files)
{
	const struct flow_node *nd = &r->f->nodes[r->cur];
	const char *l = say_lang(r, say, files);

	r->step = (struct flow_step){
		.act = act,
		.node = nd->id,
		.say = l ? json_string_value(json_object_get(say, l)) : NULL,
		.file = l ? json_string_value(json_object_get(files, l)) : NULL,
		.say_lang = l,
		.lang = r->lang,
		.timeout_ms = act == FLOW_MENU ? nd->timeout_ms : 0,
		.queue = nd->queue,
		.calendar = nd->calendar,
		.number = nd->number,
		.priority = r->priority,
		.attributes = r->attrs,
	};
	return &r->step;
}

static const struct flow_step *hang_up(struct flow_run *r)
{
	return set_step(r, FLOW_HANGUP, NULL, NULL);
}

/* The step of the current node, for a node that asks something. */
static const struct flow_step *node_step(struct flow_run *r)
{
	const struct flow_node *nd = &r->f->nodes[r->cur];

	switch (nd->type) {
	case NT_PROMPT:
		return set_step(r, FLOW_PLAY, nd->say, nd->files);
	case NT_MENU:
	case NT_LANGUAGE:
		return set_step(r, FLOW_MENU, nd->say, nd->files);
	case NT_CALENDAR:
		return set_step(r, FLOW_CALENDAR, NULL, NULL);
	case NT_QUEUE:
	case NT_VOICEMAIL:
		json_object_set(r->attrs, "ivr_path", r->path);
		return set_step(
			r, nd->type == NT_QUEUE ? FLOW_QUEUE : FLOW_VOICEMAIL,
			nd->say, nd->files);
	case NT_TRANSFER:
		return set_step(r, FLOW_TRANSFER, NULL, NULL);
	default:
		return set_step(r, FLOW_HANGUP, nd->say, nd->files);
	}
}

/* Enters node i, passing set nodes, up to the next node that asks. */
static const struct flow_step *enter(struct flow_run *r, int i)
{
	for (;;) {
		const struct flow_node *nd = &r->f->nodes[i];

		r->cur = i;
		r->tries = 0;
		r->invalid = false;
		if (++r->since_input > FLOW_GUARD)
			return hang_up(r);
		if (json_array_size(r->path) < FLOW_PATH_MAX)
			json_array_append_new(r->path, json_string(nd->id));
		if (nd->type != NT_SET)
			return node_step(r);
		r->priority += nd->priority;
		json_object_update(r->attrs, (json_t *)nd->attributes);
		i = nd->next;
	}
}

int flow_run_start(struct flow_run **rp, struct flow *f, const char *lang)
{
	struct flow_run *r = mem_zalloc(sizeof(*r), run_destructor);

	if (!r)
		return ENOMEM;
	r->f = mem_ref(f);
	r->attrs = json_object();
	r->path = json_array();
	if (!r->attrs || !r->path) {
		mem_deref(r);
		return ENOMEM;
	}
	r->lang = flow_lang_code(lang);
	if (!r->lang)
		r->lang = f->lang ? f->lang : flow_lang_code(LANG_DEFAULT);
	enter(r, f->start);
	*rp = r;
	return 0;
}

const struct flow_step *flow_run_step(const struct flow_run *r)
{
	return &r->step;
}

/* A menu missed (invalid: a wrong digit): again, or its fail, or hang up. */
static const struct flow_step *menu_missed(struct flow_run *r, bool invalid)
{
	const struct flow_node *nd = &r->f->nodes[r->cur];

	if (++r->tries > nd->retries)
		return nd->fail >= 0 ? enter(r, nd->fail) : hang_up(r);
	if (invalid && nd->invalid) {
		r->invalid = true;
		return set_step(r, FLOW_PLAY, nd->invalid, NULL);
	}
	return node_step(r);
}

/* Whether the walk waits for a digit: a menu, or a menu's "invalid". */
static bool wants_digit(const struct flow_run *r)
{
	return r->step.act == FLOW_MENU ||
	       (r->step.act == FLOW_PLAY && r->invalid);
}

const struct flow_step *flow_played(struct flow_run *r)
{
	if (r->step.act != FLOW_PLAY)
		return &r->step;
	if (r->invalid) {
		r->invalid = false;
		return node_step(r);
	}
	return enter(r, r->f->nodes[r->cur].next);
}

const struct flow_step *flow_digit(struct flow_run *r, char digit)
{
	const struct flow_node *nd = &r->f->nodes[r->cur];
	int d = flow_digit_index(digit);

	if (!wants_digit(r))
		return &r->step;
	r->since_input = 0;
	if (nd->type == NT_LANGUAGE) {
		if (d >= 0 && nd->optlang[d])
			r->lang = nd->optlang[d];
		return enter(r, nd->next);
	}
	if (d >= 0 && nd->opt[d] >= 0)
		return enter(r, nd->opt[d]);
	return menu_missed(r, true);
}

const struct flow_step *flow_timeout(struct flow_run *r)
{
	const struct flow_node *nd = &r->f->nodes[r->cur];

	if (r->step.act != FLOW_MENU)
		return &r->step;
	r->since_input = 0;
	if (nd->type == NT_LANGUAGE)
		return enter(r, nd->next);
	return menu_missed(r, false);
}

const struct flow_step *flow_calendar(struct flow_run *r, bool open)
{
	const struct flow_node *nd = &r->f->nodes[r->cur];

	if (r->step.act != FLOW_CALENDAR)
		return &r->step;
	return enter(r, open ? nd->open : nd->closed);
}
