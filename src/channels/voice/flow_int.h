/*
 * flow_int — what flow.c (parsing) and flow_run.c (the walk) share: the
 * parsed form of a flow. Nobody else includes it (flow.h is the API).
 */
#ifndef RELAIS_FLOW_INT_H
#define RELAIS_FLOW_INT_H

#include <stdbool.h>

#include <jansson.h>

/* The keys of a menu, in the order of their index. */
#define FLOW_DIGITS   "0123456789*#"
#define FLOW_NDIGITS  12
#define FLOW_PATH_MAX 200 /* node ids kept in ivr_path */

enum ntype {
	NT_PROMPT = 0,
	NT_MENU,
	NT_LANGUAGE,
	NT_CALENDAR,
	NT_SET,
	NT_QUEUE,
	NT_VOICEMAIL,
	NT_TRANSFER,
	NT_HANGUP,
	NT_MAX,
};

/* One node; its strings point into the flow's body. Targets: -1 none. */
struct flow_node {
	const char *id;
	enum ntype type;
	const json_t *say, *invalid; /* {lang: text} or NULL */
	json_t *files;		     /* {lang: path} uploads, or NULL */
	int next, open, closed, fail;
	int opt[FLOW_NDIGITS];		   /* menu: digit -> node */
	const char *optlang[FLOW_NDIGITS]; /* language: digit -> code */
	int timeout_ms, retries, priority;
	const json_t *attributes; /* set: or NULL */
	const char *queue, *calendar, *number;
};

struct flow {
	json_t *body; /* a copy: the nodes' strings live in it */
	const char *tenant;
	const char *lang; /* the fallback language (a static code), or NULL */
	struct flow_node *nodes;
	size_t n;
	int start;
};

/* The index of digit in FLOW_DIGITS, or -1. */
int flow_digit_index(char digit);
/* The static code of a catalog's language (lang.h), or NULL. */
const char *flow_lang_code(const char *code);
/* The index of node id, or -1. */
int flow_node_index(const struct flow *f, const char *id);
/* Whether a node of type t ends a walk. */
bool flow_type_ends(enum ntype t);

#endif
