/*
 * Fuzzes expr_compile() with arbitrary text, and expr_eval() with whatever
 * compiles. A compile error must point inside the text and say something;
 * a compiled expression must keep its source and report its skills.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr.h"

enum { MAX_NAMES = 256 };

/* Names point into the input copy, which outlives each compilation. */
struct symtab {
	const char *name[EXPR_NS_AGENT + 1][MAX_NAMES];
	size_t len[EXPR_NS_AGENT + 1][MAX_NAMES];
	size_t n[EXPR_NS_AGENT + 1];
};

static int intern(void *arg, enum expr_ns ns, const char *name, size_t len,
		  uint32_t *idp)
{
	struct symtab *t = arg;
	size_t i;

	if (!len || (unsigned)ns > EXPR_NS_AGENT)
		abort();
	for (i = 0; i < t->n[ns]; i++) {
		if (t->len[ns][i] == len && !memcmp(t->name[ns][i], name, len))
			break;
	}
	if (i == MAX_NAMES)
		return ENOMEM;
	if (i == t->n[ns]) {
		t->name[ns][i] = name;
		t->len[ns][i] = len;
		t->n[ns]++;
	}
	*idp = (uint32_t)i;
	return 0;
}

static void check_compiled(const struct expr *e, const char *src)
{
	static const struct expr_skill skills[] = {{0, 3}, {1, 10}, {4, 1}};
	static const uint32_t tags[] = {0, 2};
	const struct expr_agent agents[] = {
		{.skills = skills,
		 .nskills = 3,
		 .tags = tags,
		 .ntags = 2,
		 .agent = 1,
		 .site = 0,
		 .country = 0,
		 .site_kind = SITE_NEARSHORE},
		{.agent = 0, .site = 1, .country = 2, .site_kind = SITE_HOME},
	};
	uint32_t ids[4];
	size_t i, n;

	for (i = 0; i < 2; i++)
		expr_eval(e, &agents[i]);
	if (strcmp(expr_source(e), src))
		abort();
	n = expr_skills(e, ids, 4);
	if (n > strlen(src) || expr_skills(e, NULL, 0) != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct symtab table;
	struct expr_symbols syms = {intern, &table};
	struct expr_error err;
	struct expr *e;
	char *src = malloc(size + 1);
	int rc;

	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	memset(&table, 0, sizeof(table));
	rc = expr_compile(&e, src, &syms, &err);
	if (rc == 0) {
		check_compiled(e, src);
		expr_free(e);
	} else if (e || (rc != EINVAL && rc != ENOMEM) ||
		   err.pos > strlen(src) || !err.msg[0] ||
		   !memchr(err.msg, '\0', sizeof(err.msg))) {
		abort();
	}
	free(src);
	return 0;
}
