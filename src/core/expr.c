/*
 * expr — agent filter expressions, compiled to a flat bytecode.
 *
 * The parser is recursive descent, one function per grammar rule, and it
 * emits code for a machine with a single boolean register: a test sets it,
 * '!' flips it, and '&&' / '||' become forward jumps taken when the
 * register already decides the result. Jumps only go forward, so an
 * evaluation runs each instruction at most once and needs no stack.
 *
 * Every instruction, list value and skill id comes from a distinct token
 * of at least one byte, so the compiler works in one scratch block sized
 * from the source length, then copies the result into a single exact
 * allocation (code, list values, skill ids, source). The 4096-byte source
 * limit and the 64-level nesting limit bound both that block and the
 * parser's recursion.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr.h"

enum {
	MAX_SRC = 4096,
	MAX_DEPTH = 64,
	MAX_LIST = 256,
	MAX_NUM = 1000,
	SHOW_CUT = 32, /* bytes of source quoted in a message */
};

#define EXPECT_CONDITION \
	"a condition, e.g. lang.fr >= 6, has(skill) or tag(name)"

/* Token kinds; punctuation is its own first character: ( ) [ ] , ! & | */
enum { T_END = 0, T_NAME = 'a', T_NUM = '0', T_STR = '"', T_CMP = '=' };

enum cmp { CMP_EQ, CMP_NE, CMP_GE, CMP_LE, CMP_GT, CMP_LT };
enum op { OP_CONST, OP_NOT, OP_JF, OP_JT, OP_HAS, OP_TAG, OP_CMP, OP_IN };

/* Reserved words; the first five double as the attribute of a test. */
enum word {
	W_SKILL,
	W_SITE,
	W_KIND,
	W_COUNTRY,
	W_AGENT,
	W_TRUE,
	W_FALSE,
	W_HAS,
	W_TAG,
	W_IN
};

static const char *const words[] = {
	"skill", "site",  "site.kind", "site.country", "agent",
	"true",	 "false", "has",       "tag",	       "in",
};

static const enum expr_ns attr_ns[] = {
	[W_SITE] = EXPR_NS_SITE,
	[W_COUNTRY] = EXPR_NS_COUNTRY,
	[W_AGENT] = EXPR_NS_AGENT,
};

const char *const expr_site_kind_names[] = {"onshore", "nearshore", "offshore",
					    "home", NULL};

/* In the order of enum cmp, and before '!' so that "!=" wins. */
static const char *const cmps[] = {"==", "!=", ">=", "<=", ">", "<"};

/* One instruction; what id and val mean depends on op. */
struct insn {
	uint8_t op;
	uint8_t attr; /* enum word, W_SKILL to W_AGENT */
	uint16_t n;   /* enum cmp, or the length of an 'in' list */
	uint32_t id;  /* skill or tag id */
	uint32_t val; /* literal, jump target or first index in vals */
};

struct expr {
	const struct insn *code;
	const uint32_t *vals;
	const uint32_t *skills;
	const char *src;
	size_t ncode;
	size_t nskills;
};

struct token {
	int kind;
	size_t pos;
	size_t len;
	uint32_t num; /* a T_NUM's value, a T_CMP's enum cmp */
};

struct parser {
	const char *src;
	size_t len;
	struct token tok;
	unsigned depth;
	const struct expr_symbols *syms;
	struct expr_error *err;
	struct insn *code; /* scratch, cap entries each */
	uint32_t *vals;
	uint32_t *skills;
	size_t ncode, nvals, nskills, cap;
};

/* Source text fit for a message, returned by value to use inline. */
struct shown {
	char s[SHOW_CUT + 4];
};

static int parse_chain(struct parser *p, bool is_and);

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_start(int c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_';
}

static bool is_name_char(int c)
{
	return is_name_start(c) || is_digit(c) || c == '.' || c == '-';
}

__attribute__((format(printf, 3, 4))) static int
fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	p->err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return EINVAL;
}

/*
 * At most SHOW_CUT bytes, cut on a UTF-8 boundary, with control bytes
 * masked, so that a message is always short and safe to log or send.
 */
static struct shown show(const char *s, size_t len)
{
	struct shown out;
	size_t i, n = len;

	if (n > SHOW_CUT) {
		n = SHOW_CUT;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		out.s[i] =
			(unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(out.s + n, n < len ? "..." : "");
	return out;
}

static int expected(struct parser *p, const char *what)
{
	const struct token *t = &p->tok;
	const char *q = t->kind == T_STR ? "" : "'";

	if (t->kind == T_END)
		return fail(p, t->pos,
			    "unexpected end of expression, expected %s", what);
	return fail(p, t->pos, "expected %s but found %s%s%s", what, q,
		    show(p->src + t->pos, t->len).s, q);
}

static int token(struct parser *p, int kind, size_t len, uint32_t num)
{
	p->tok.kind = kind;
	p->tok.len = len;
	p->tok.num = num;
	return 0;
}

static int lex_number(struct parser *p)
{
	const char *s = p->src + p->tok.pos;
	size_t n = s[0] == '-';
	uint32_t v = 0;

	for (; is_digit(s[n]); n++) {
		if (v <= MAX_NUM)
			v = v * 10 + (uint32_t)(s[n] - '0');
	}
	if (s[n] == '.' && is_digit(s[n + 1])) {
		for (n++; is_digit(s[n]); n++)
			;
		return fail(p, p->tok.pos, "levels are whole numbers, found %s",
			    show(s, n).s);
	}
	if (s[0] == '-' || v > MAX_NUM)
		return fail(p, p->tok.pos, "number %s is out of range 0..1000",
			    show(s, n).s);
	return token(p, T_NUM, n, v);
}

static int lex_string(struct parser *p)
{
	const char *s = p->src + p->tok.pos;
	size_t n = 1;

	while (s[n] && s[n] != s[0])
		n++;
	if (!s[n])
		return fail(p, p->tok.pos,
			    "unterminated string, expected a closing %s",
			    s[0] == '"' ? "'\"'" : "\"'\"");
	return token(p, T_STR, n + 1, 0);
}

static int lex_punct(struct parser *p)
{
	const char *s = p->src + p->tok.pos;
	unsigned char c = (unsigned char)s[0];
	uint32_t i;

	for (i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++) {
		if (!strncmp(s, cmps[i], strlen(cmps[i])))
			return token(p, T_CMP, strlen(cmps[i]), i);
	}
	if ((c == '&' || c == '|') && s[1] == c)
		return token(p, c, 2, 0);
	if (strchr("()[],!", c))
		return token(p, c, 1, 0);
	if (c == '&' || c == '|' || c == '=')
		return fail(p, p->tok.pos,
			    "unexpected '%c', did you mean '%c%c'?", c, c, c);
	if (c >= 0x20 && c < 0x7f)
		return fail(p, p->tok.pos, "unexpected character '%c'", c);
	return fail(p, p->tok.pos, "unexpected byte 0x%02x", c);
}

/* Moves to the next token; the current one ends at tok.pos + tok.len. */
static int next(struct parser *p)
{
	const char *s = p->src;
	size_t i = p->tok.pos + p->tok.len;

	while (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
		i++;
	p->tok = (struct token){.kind = T_END, .pos = i};
	if (!s[i])
		return 0;
	if (is_name_start(s[i])) {
		while (is_name_char(s[i + p->tok.len]))
			p->tok.len++;
		return token(p, T_NAME, p->tok.len, 0);
	}
	if (is_digit(s[i]) || (s[i] == '-' && is_digit(s[i + 1])))
		return lex_number(p);
	if (s[i] == '"' || s[i] == '\'')
		return lex_string(p);
	return lex_punct(p);
}

/* The reserved word the current token is, or W_SKILL for any other. */
static enum word word(const struct parser *p)
{
	enum word w;

	for (w = W_SITE; p->tok.kind == T_NAME && w <= W_IN; w++) {
		if (p->tok.len == strlen(words[w]) &&
		    !memcmp(p->src + p->tok.pos, words[w], p->tok.len))
			return w;
	}
	return W_SKILL;
}

static int emit(struct parser *p, struct insn in)
{
	if (p->ncode == p->cap) /* cannot happen: see the top of the file */
		return ENOMEM;
	p->code[p->ncode++] = in;
	return 0;
}

static int add_skill(struct parser *p, uint32_t id)
{
	size_t i;

	for (i = 0; i < p->nskills; i++) {
		if (p->skills[i] == id)
			return 0;
	}
	if (p->nskills == p->cap)
		return ENOMEM;
	p->skills[p->nskills++] = id;
	return 0;
}

/* Interns a NAME token as is, or a STRING token without its quotes. */
static int intern(struct parser *p, const struct token *t, enum expr_ns ns,
		  uint32_t *idp)
{
	const char *s = p->src + t->pos + (t->kind == T_STR);
	size_t len = t->len - (t->kind == T_STR ? 2 : 0);
	int err;

	if (!len)
		return fail(p, t->pos, "names cannot be empty");
	err = p->syms->intern(p->syms->arg, ns, s, len, idp);
	if (err)
		fail(p, t->pos, "cannot intern \"%s\" (error %d)",
		     show(s, len).s, err);
	return err;
}

/* A string where a skill level belongs: say why, or spot a typo. */
static int string_for_skill(struct parser *p, const struct token *name)
{
	const char *s = p->src + name->pos;

	if (name->len > 5 && !memcmp(s, "site.", 5))
		return fail(p, name->pos,
			    "unknown attribute \"%s\" (expected site, "
			    "site.kind or site.country)",
			    show(s, name->len).s);
	return fail(p, p->tok.pos,
		    "skill levels compare with numbers, not strings");
}

static int parse_kind(struct parser *p, uint32_t *valp)
{
	const char *s = p->src + p->tok.pos + 1;
	size_t len = p->tok.len - 2;
	enum site_kind kind;

	if (!expr_site_kind_parse(s, len, &kind))
		return fail(p, p->tok.pos,
			    "unknown site kind \"%s\" (expected onshore, "
			    "nearshore, offshore or home)",
			    show(s, len).s);
	*valp = kind;
	return 0;
}

/* Reads the literal at tok, of the type attr compares with, into *valp. */
static int parse_literal(struct parser *p, const struct token *name,
			 enum word attr, const char *what, uint32_t *valp)
{
	int err = 0;

	if (p->tok.kind == T_NUM && attr != W_SKILL)
		return fail(p, p->tok.pos,
			    "%s compares with strings, not numbers",
			    words[attr]);
	if (p->tok.kind == T_NUM)
		*valp = p->tok.num;
	else if (p->tok.kind != T_STR)
		return expected(p, what);
	else if (attr == W_SKILL)
		return string_for_skill(p, name);
	else if (attr == W_KIND)
		err = parse_kind(p, valp);
	else
		err = intern(p, &p->tok, attr_ns[attr], valp);
	return err ? err : next(p);
}

static int parse_cmp(struct parser *p, const struct token *name, struct insn in)
{
	const char *op = p->src + p->tok.pos;
	int oplen = (int)p->tok.len;
	char what[48];
	int err;

	in.op = OP_CMP;
	in.n = (uint16_t)p->tok.num;
	if (in.attr != W_SKILL && in.n > CMP_NE)
		return fail(p, p->tok.pos,
			    "%s compares with ==, != or in, not '%.*s'",
			    words[in.attr], oplen, op);
	snprintf(what, sizeof(what), "a number or a string after '%.*s'", oplen,
		 op);
	err = next(p);
	err = err ? err : parse_literal(p, name, in.attr, what, &in.val);
	return err ? err : emit(p, in);
}

static int parse_list(struct parser *p, const struct token *name,
		      struct insn in)
{
	int err = next(p);

	in.op = OP_IN;
	in.val = (uint32_t)p->nvals;
	if (!err && p->tok.kind != '[')
		return expected(p, "'[' after 'in'");
	while (!err) {
		err = next(p);
		if (!err && in.n == MAX_LIST)
			return fail(p, p->tok.pos,
				    "an 'in' list holds at most 256 values");
		if (!err && p->nvals == p->cap)
			err = ENOMEM;
		if (!err)
			err = parse_literal(
				p, name, in.attr,
				in.n ? "a number or a string after ','"
				     : "a number or a string after '['",
				&p->vals[p->nvals]);
		if (err)
			return err;
		p->nvals++;
		in.n++;
		if (p->tok.kind == ']')
			break;
		if (p->tok.kind != ',')
			return expected(p, p->tok.kind == T_END ? "']'"
								: "',' or ']'");
	}
	err = next(p);
	return err ? err : emit(p, in);
}

/* attr cmp literal | attr "in" "[" literal ("," literal)* "]" */
static int parse_test(struct parser *p, enum word attr)
{
	struct token name = p->tok;
	struct insn in = {.attr = (uint8_t)attr};
	char what[80];
	int err = 0;

	if (attr == W_SKILL) {
		err = intern(p, &name, EXPR_NS_SKILL, &in.id);
		err = err ? err : add_skill(p, in.id);
	}
	err = err ? err : next(p);
	if (err)
		return err;
	if (p->tok.kind == T_CMP)
		return parse_cmp(p, &name, in);
	if (word(p) == W_IN)
		return parse_list(p, &name, in);
	snprintf(what, sizeof(what), "a comparison or 'in' after '%s'",
		 show(p->src + name.pos, name.len).s);
	return expected(p, what);
}

/* "has" "(" NAME ")" | "tag" "(" (NAME | STRING) ")" */
static int parse_call(struct parser *p, enum op op)
{
	const char *fn = op == OP_HAS ? "has" : "tag";
	struct insn in = {.op = op};
	struct token arg;
	char what[64];
	int err = next(p);

	if (!err && p->tok.kind != '(') {
		snprintf(what, sizeof(what), "'(' after '%s'", fn);
		return expected(p, what);
	}
	err = err ? err : next(p);
	if (err)
		return err;
	arg = p->tok;
	if (op == OP_HAS && (arg.kind != T_NAME || word(p) != W_SKILL))
		return expected(p, "a skill name after 'has('");
	if (op == OP_TAG && arg.kind != T_NAME && arg.kind != T_STR)
		return expected(p, "a tag name or a string after 'tag('");
	err = intern(p, &arg, op == OP_HAS ? EXPR_NS_SKILL : EXPR_NS_TAG,
		     &in.id);
	err = err ? err : next(p);
	if (!err && p->tok.kind != ')') {
		snprintf(what, sizeof(what), "')' after %s(%s", fn,
			 show(p->src + arg.pos, arg.len).s);
		return expected(p, what);
	}
	if (!err && op == OP_HAS)
		err = add_skill(p, in.id);
	err = err ? err : next(p);
	return err ? err : emit(p, in);
}

static int parse_name(struct parser *p)
{
	enum word w = word(p);
	struct insn in = {.op = OP_CONST, .val = w == W_TRUE};
	int err;

	switch (w) {
	case W_TRUE:
	case W_FALSE:
		err = next(p);
		return err ? err : emit(p, in);
	case W_HAS:
	case W_TAG:
		return parse_call(p, w == W_HAS ? OP_HAS : OP_TAG);
	case W_IN:
		return expected(p, EXPECT_CONDITION);
	default:
		return parse_test(p, w);
	}
}

/* Counts one level of '(' or '!', the two ways the parser recurses. */
static int enter(struct parser *p)
{
	if (++p->depth > MAX_DEPTH)
		return fail(p, p->tok.pos,
			    "expression nests deeper than 64 levels");
	return next(p);
}

/* unary := "!" unary | primary, where primary starts with '(' or a NAME */
static int parse_unary(struct parser *p)
{
	struct insn in = {.op = OP_NOT};
	int err;

	if (p->tok.kind == T_NAME)
		return parse_name(p);
	if (p->tok.kind == '!') {
		err = enter(p);
		err = err ? err : parse_unary(p);
		err = err ? err : emit(p, in);
	} else if (p->tok.kind == '(') {
		err = enter(p);
		err = err ? err : parse_chain(p, false);
		if (!err && p->tok.kind != ')')
			err = expected(p, p->tok.kind == T_END
						  ? "')'"
						  : "'&&', '||' or ')'");
		err = err ? err : next(p);
	} else {
		return expected(p, EXPECT_CONDITION);
	}
	p->depth--;
	return err;
}

/*
 * or := and ("||" and)*, and := unary ("&&" unary)*. Each operator jumps
 * past the operand that follows it when the register already holds the
 * answer (false for &&, true for ||); along a chain it hops jump to jump.
 */
static int parse_chain(struct parser *p, bool is_and)
{
	struct insn jump = {.op = is_and ? OP_JF : OP_JT};
	int err = is_and ? parse_unary(p) : parse_chain(p, true);

	while (!err && p->tok.kind == (is_and ? '&' : '|')) {
		size_t at = p->ncode;

		err = emit(p, jump);
		err = err ? err : next(p);
		err = err      ? err
		      : is_and ? parse_unary(p)
			       : parse_chain(p, true);
		if (!err)
			p->code[at].val = (uint32_t)p->ncode;
	}
	return err;
}

static int parse(struct parser *p)
{
	int err = next(p);

	if (!err && p->tok.kind == T_END)
		return fail(p, p->tok.pos, "empty expression");
	err = err ? err : parse_chain(p, false);
	if (!err && p->tok.kind != T_END)
		err = expected(p, "'&&', '||' or the end of the expression");
	return err;
}

/* Copies the compiled parts and the source into one exact allocation. */
static int build(struct expr **exprp, const struct parser *p)
{
	size_t code = p->ncode * sizeof(*p->code);
	size_t vals = p->nvals * sizeof(*p->vals);
	size_t skills = p->nskills * sizeof(*p->skills);
	struct expr *e = malloc(sizeof(*e) + code + vals + skills + p->len + 1);
	char *at;

	if (!e)
		return ENOMEM;
	at = (char *)(e + 1);
	e->code = memcpy(at, p->code, code);
	e->vals = memcpy(at += code, p->vals, vals);
	e->skills = memcpy(at += vals, p->skills, skills);
	e->src = memcpy(at += skills, p->src, p->len + 1);
	e->ncode = p->ncode;
	e->nskills = p->nskills;
	*exprp = e;
	return 0;
}

int expr_compile(struct expr **exprp, const char *src,
		 const struct expr_symbols *syms, struct expr_error *err)
{
	struct expr_error ignored;
	struct parser p = {
		.src = src, .syms = syms, .err = err ? err : &ignored};
	int rc;

	p.err->pos = 0;
	p.err->msg[0] = '\0';
	if (!exprp || !src || !syms || !syms->intern)
		return fail(&p, 0, "no expression, output or symbol table");
	*exprp = NULL;
	while (p.len <= MAX_SRC && src[p.len])
		p.len++;
	if (p.len > MAX_SRC)
		return fail(&p, MAX_SRC,
			    "expression is longer than 4096 bytes");
	p.cap = p.len + 1;
	p.code = malloc(p.cap * (sizeof(*p.code) + 2 * sizeof(uint32_t)));
	if (!p.code) {
		rc = ENOMEM;
		goto out;
	}
	p.vals = (uint32_t *)(p.code + p.cap);
	p.skills = p.vals + p.cap;
	rc = parse(&p);
	if (!rc)
		rc = build(exprp, &p);
out:
	if (rc && !p.err->msg[0])
		fail(&p, p.tok.pos, "out of memory");
	free(p.code);
	return rc;
}

static int cmp_id(const void *key, const void *elem)
{
	uint32_t k = *(const uint32_t *)key;
	uint32_t v = *(const uint32_t *)elem; /* a tag, or a skill's id */

	return (k > v) - (k < v);
}

static const void *find(const void *base, size_t n, size_t size, uint32_t id)
{
	return n ? bsearch(&id, base, n, size, cmp_id) : NULL;
}

static uint32_t skill_level(const struct expr_agent *a, uint32_t id)
{
	const struct expr_skill *s =
		find(a->skills, a->nskills, sizeof(*a->skills), id);

	return s ? s->level : 0;
}

static uint32_t attr_value(const struct insn *in, const struct expr_agent *a)
{
	switch (in->attr) {
	case W_SITE:
		return a->site;
	case W_KIND:
		return (uint32_t)a->site_kind;
	case W_COUNTRY:
		return a->country;
	case W_AGENT:
		return a->agent;
	default:
		return skill_level(a, in->id);
	}
}

/* Bit 0, 1 or 2 of a mask says whether x < y, x == y or x > y passes. */
static bool compare(uint32_t x, unsigned cmp, uint32_t y)
{
	static const uint8_t pass[] = {
		[CMP_EQ] = 2, [CMP_NE] = 5, [CMP_GE] = 6,
		[CMP_LE] = 3, [CMP_GT] = 4, [CMP_LT] = 1,
	};

	return pass[cmp] >> ((x >= y) + (x > y)) & 1;
}

static bool test(const struct expr *e, const struct insn *in,
		 const struct expr_agent *a)
{
	uint32_t x;
	size_t i;

	switch (in->op) {
	case OP_CONST:
		return in->val;
	case OP_HAS:
		return skill_level(a, in->id) > 0;
	case OP_TAG:
		return find(a->tags, a->ntags, sizeof(*a->tags), in->id);
	case OP_CMP:
		return compare(attr_value(in, a), in->n, in->val);
	}
	x = attr_value(in, a);
	for (i = 0; i < in->n; i++) {
		if (e->vals[in->val + i] == x)
			return true;
	}
	return false;
}

bool expr_eval(const struct expr *e, const struct expr_agent *a)
{
	bool v = false;
	size_t pc = 0;

	while (pc < e->ncode) {
		const struct insn *in = &e->code[pc++];

		if (in->op == OP_JF || in->op == OP_JT)
			pc = v == (in->op == OP_JT) ? in->val : pc;
		else if (in->op == OP_NOT)
			v = !v;
		else
			v = test(e, in, a);
	}
	return v;
}

size_t expr_skills(const struct expr *e, uint32_t *ids, size_t max)
{
	size_t n = e->nskills < max ? e->nskills : max;

	if (n)
		memcpy(ids, e->skills, n * sizeof(*ids));
	return e->nskills;
}

const char *expr_source(const struct expr *e)
{
	return e->src;
}

void expr_free(struct expr *e)
{
	free(e);
}

bool expr_site_kind_parse(const char *s, size_t len, enum site_kind *kindp)
{
	enum site_kind k;

	for (k = SITE_ONSHORE; k <= SITE_HOME; k++) {
		if (strlen(expr_site_kind_names[k]) == len &&
		    !memcmp(s, expr_site_kind_names[k], len)) {
			*kindp = k;
			return true;
		}
	}
	return false;
}

const char *expr_site_kind_name(enum site_kind kind)
{
	return (unsigned)kind <= SITE_HOME ? expr_site_kind_names[kind]
					   : "unknown";
}
