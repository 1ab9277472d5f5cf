/*
 * expr — agent filter expressions.
 *
 * A queue's routing step says which agents may take its contacts with a
 * small expression over agent attributes, compiled once and evaluated many
 * times (once per agent when an agent or a step is added, never per routing
 * decision). Examples:
 *
 *	lang.fr >= 6 && billing >= 3 && site.kind == "onshore"
 *	has(tech.l2) || tag("vip-desk")
 *	site in ["casablanca", "tunis"] && !(lang.en < 5)
 *	site.country == "MA" || agent in ["a12", "a13"]
 *
 * Grammar (whitespace is free between tokens):
 *
 *	expr     := or
 *	or       := and ( "||" and )*
 *	and      := unary ( "&&" unary )*
 *	unary    := "!" unary | primary
 *	primary  := "(" expr ")" | "true" | "false"
 *		  | "has" "(" NAME ")"			agent holds the skill
 *		  | "tag" "(" (NAME | STRING) ")"	agent carries the tag
 *		  | attr cmp literal
 *		  | attr "in" "[" literal ( "," literal )* "]"
 *	attr     := "site" | "site.kind" | "site.country" | "agent" | NAME
 *	cmp      := "==" | "!=" | ">=" | "<=" | ">" | "<"
 *	literal  := NUMBER | STRING		STRING is "..." or '...'
 *	NAME     := [A-Za-z_][A-Za-z0-9_.-]*	a skill name, e.g. lang.fr
 *
 * A NAME that is not one of the reserved attributes is a skill; its value is
 * the agent's proficiency (1-10), or 0 when the agent lacks the skill, and
 * it compares with numbers only. "site", "site.country" and "agent" compare
 * with strings by == / != / in; "site.kind" with one of "onshore",
 * "nearshore", "offshore", "home" (anything else is a compile error).
 *
 * Names are interned by the caller (the engine) into small integer ids, so
 * evaluation never touches a string. Evaluation is O(size of the
 * expression × log(skills of the agent)) and allocates nothing.
 */
#ifndef RELAIS_EXPR_H
#define RELAIS_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum site_kind {
	SITE_ONSHORE = 0,
	SITE_NEARSHORE,
	SITE_OFFSHORE,
	SITE_HOME,
};

/* What an interned name stands for. */
enum expr_ns {
	EXPR_NS_SKILL = 0,
	EXPR_NS_TAG,
	EXPR_NS_SITE,
	EXPR_NS_COUNTRY,
	EXPR_NS_AGENT,
};

/*
 * The caller's symbol table. intern() maps a name (not NUL-terminated) to a
 * stable id within its namespace, creating it if needed; it returns 0 or an
 * errno (ENOMEM). Names may be interned before any agent or site uses them.
 */
struct expr_symbols {
	int (*intern)(void *arg, enum expr_ns ns, const char *name, size_t len,
		      uint32_t *idp);
	void *arg;
};

struct expr_skill {
	uint32_t id;   /* EXPR_NS_SKILL id */
	uint8_t level; /* 1..10 */
};

/*
 * A read-only view of one agent, borrowed for the duration of expr_eval().
 * skills and tags are sorted by id, without duplicates.
 */
struct expr_agent {
	const struct expr_skill *skills;
	size_t nskills;
	const uint32_t *tags;
	size_t ntags;
	uint32_t agent;	  /* EXPR_NS_AGENT id */
	uint32_t site;	  /* EXPR_NS_SITE id */
	uint32_t country; /* EXPR_NS_COUNTRY id */
	enum site_kind site_kind;
};

/* Where and why compilation failed: pos is a 0-based byte offset. */
struct expr_error {
	size_t pos;
	char msg[160]; /* e.g. "expected ')' after has(NAME" */
};

struct expr;

/*
 * Compiles src (NUL-terminated, at most 4096 bytes) into *exprp, owned by
 * the caller and released with expr_free(). Returns 0, EINVAL with *err
 * filled when the text is not a valid expression, or ENOMEM.
 */
int expr_compile(struct expr **exprp, const char *src,
		 const struct expr_symbols *syms, struct expr_error *err);

bool expr_eval(const struct expr *e, const struct expr_agent *a);

/*
 * Writes the ids of the skills the expression mentions (in has() or a
 * comparison) into ids, at most max of them, and returns how many there
 * are in all. "most-skilled" ranks agents by their levels in these.
 */
size_t expr_skills(const struct expr *e, uint32_t *ids, size_t max);

/* The source text the expression was compiled from (owned by e). */
const char *expr_source(const struct expr *e);

void expr_free(struct expr *e);

/* "onshore" → SITE_ONSHORE; returns false for an unknown kind. */
/* The kinds' names in the order of enum site_kind, NULL-terminated. */
extern const char *const expr_site_kind_names[];
bool expr_site_kind_parse(const char *s, size_t len, enum site_kind *kindp);
const char *expr_site_kind_name(enum site_kind kind);

#endif
