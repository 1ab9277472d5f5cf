/*
 * flow — an IVR flow: the small graph of nodes a call to a number walks
 * before it waits in a queue (the `flows` configuration kind, flows.c).
 *
 * flow.c parses and validates a flow's body; flow_run.c walks it for one
 * call. Both are pure logic: no I/O, no clock, no loop. The caller (the
 * call code) plays the prompts, keeps the timers and feeds the walk its
 * inputs (prompt ended, a digit, a timeout, the calendar's answer); each
 * input returns the new step, which says what to do next.
 *
 * The body (docs/admin-guide.md, "Voice: IVR flows"):
 *   {"tenant":"T","name":"Main line","start":"welcome",
 *    "nodes":{"welcome":{"type":"prompt","say":{"fr":"...","en":"..."},
 *                        "next":"menu"}, ...}}
 * Node types: prompt, menu, language, calendar, set, queue, voicemail,
 * transfer, hangup. Validation refuses, with a message naming the node:
 * an unknown type or field, a missing or unknown target, an unreachable
 * node, a node from which no end (queue, voicemail, transfer, hangup) can
 * be reached, a loop without a menu or language choice on it, and sizes
 * over the limits below. Whether a queue or calendar exists is the
 * kind's check (flows.c), not this file's.
 *
 * Strings a flow or a step gives are borrowed: they live as long as the
 * flow (a run holds a reference to its flow).
 */
#ifndef RELAIS_FLOW_H
#define RELAIS_FLOW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct lang_out;
struct srv;

#define FLOW_NODES_MAX 100 /* nodes of a flow */
#define FLOW_ID_MAX    32  /* a node's id: [a-z0-9_-]{1,32} */
#define FLOW_TEXT_MAX  500 /* characters of a text to say */
#define FLOW_GUARD     50  /* steps without input before a forced hangup */

/* A parsed, validated flow; a libre mem object: mem_ref/mem_deref. */
struct flow;

/*
 * Parses and validates body (the kind's body; borrowed, copied). 0 with
 * *fp set, EINVAL with why filled (names the node: `nodes.menu:
 * options.3: no such node "x"`), or ENOMEM.
 */
int flow_parse(struct flow **fp, const json_t *body, struct lang_out *why);
/* The flow's tenant (borrowed). */
const char *flow_tenant(const struct flow *f);
/*
 * The language a text falls back to when the caller's is missing (the
 * tenant's; lang must be a code of lang.h). Unset: the first language of
 * the catalogs that the node has, then any.
 */
void flow_set_lang(struct flow *f, const char *lang);
/*
 * An uploaded recording of node's text in lang (path copied; NULL removes
 * it): a step of that node in that language gives it as its `file`.
 * 0, ENOENT (no such node), EINVAL (not a language) or ENOMEM.
 */
int flow_set_file(struct flow *f, const char *node, const char *lang,
		  const char *path);

/*
 * Every text of the flow: fn(lang, text, arg) per node and language,
 * menus' "invalid" texts included (to render them in advance).
 */
void flow_texts(const struct flow *f,
		void (*fn)(const char *lang, const char *text, void *arg),
		void *arg);
/* The uploaded recording of node in lang (borrowed), or NULL. */
const char *flow_file(const struct flow *f, const char *node, const char *lang);
/* Whether node has a text or a recording in lang (the prompts' routes). */
bool flow_has_say(const struct flow *f, const char *node, const char *lang);
/* Whether the flow names queue or calendar id in one of its nodes. */
bool flow_names(const struct flow *f, const char *field, const char *id);

enum flow_act {
	FLOW_PLAY,	/* play say/file, then flow_played() */
	FLOW_MENU,	/* play say/file, wait timeout_ms for flow_digit() */
	FLOW_CALENDAR,	/* ask whether `calendar` is open: flow_calendar() */
	FLOW_QUEUE,	/* the end: into `queue` */
	FLOW_VOICEMAIL, /* the end: play say/file, record into `queue` */
	FLOW_TRANSFER,	/* the end: transfer to `number` */
	FLOW_HANGUP,	/* the end: play say/file if any, hang up */
};

struct flow_step {
	enum flow_act act;
	const char *node; /* the node's id */
	/* PLAY, MENU, VOICEMAIL, HANGUP: the text in the caller's language
	 * (else the flow's, else any), or NULL */
	const char *say;
	/* the uploaded recording of the node in say_lang (a WAV file of
	 * 8 kHz mono, prompts.h): play it rather than render say; or NULL */
	const char *file;
	const char *say_lang; /* the language of say and file */
	const char *lang;     /* the caller's language now */
	int timeout_ms;	      /* MENU: wait for a digit after the prompt */
	const char *queue;    /* QUEUE, VOICEMAIL */
	const char *calendar; /* CALENDAR: ask flow_calendar() */
	const char *number;   /* TRANSFER */
	int priority;	      /* QUEUE/VOICEMAIL: the sum of set nodes passed */
	/*
	 * QUEUE/VOICEMAIL: the merged attributes of the set nodes passed
	 * (owned by the run), plus {"ivr_path": [...node ids...]}.
	 */
	const json_t *attributes;
};

/* One call's walk; a mem object holding a reference to its flow. */
struct flow_run;

/*
 * Starts a walk of f in lang (a code of lang.h; NULL or unknown: the
 * flow's language, else English). 0 or ENOMEM. The first step is
 * flow_run_step()'s.
 */
int flow_run_start(struct flow_run **rp, struct flow *f, const char *lang);
const struct flow_step *flow_run_step(const struct flow_run *r);

/*
 * Inputs; each returns the new current step (valid until the next input).
 * An input the current step does not wait for changes nothing; once at
 * an end (QUEUE, VOICEMAIL, TRANSFER, HANGUP) the step stays.
 */
const struct flow_step *flow_played(struct flow_run *r); /* PLAY ended */
/* MENU: a DTMF digit (0-9 * #), also while the prompt plays. */
const struct flow_step *flow_digit(struct flow_run *r, char digit);
/* MENU: no digit in time. */
const struct flow_step *flow_timeout(struct flow_run *r);
/* CALENDAR: the answer. */
const struct flow_step *flow_calendar(struct flow_run *r, bool open);

/* ---- flows.c: the configuration kind and the prompts' routes ---- */

struct kind;
struct srv_module;
extern const struct kind flows_kind;	     /* also in voice.h */
extern const struct srv_module flows_module; /* the prompts' routes */

/* Whether a flow names queue or calendar (field) id: deletes refuse it. */
bool flows_naming(struct srv *s, const char *field, const char *id);

/*
 * The parsed flow of the flows object id, or NULL: borrowed (replaced on
 * update, freed on delete); mem_ref it for a call's duration.
 */
struct flow *flows_get(struct srv *s, const char *id);
/*
 * The demo centre's flows and voice numbers (AssurMax +33180000001 to its
 * voice queue, Télécom Plus +33180000002 through a menu): demo.c, once
 * its configuration is in. 0 or errno (logged).
 */
int flows_demo_seed(struct srv *s);
/*
 * The body of the number e164 (numbers kind) if it has a flow, else NULL.
 * Borrowed: valid until the configuration changes.
 */
const json_t *voice_number(struct srv *s, const char *e164);

#endif
