/*
 * Agent filter expressions: what they accept, what they mean, and how they
 * explain a mistake. Names are interned by a small table of fixed arrays,
 * seeded in a known order so that every id below is a constant.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/expr.h"

enum { MAX_NAMES = 16, NAME_LEN = 24, NS_COUNT = EXPR_NS_AGENT + 1 };

struct symtab {
	char names[NS_COUNT][MAX_NAMES][NAME_LEN];
	size_t n[NS_COUNT];
	int fail; /* when set, intern() returns it */
};

/* Ids, in the order seed() interns them. */
enum { LANG_FR, LANG_EN, BILLING, TECH_L2, LANG_AR };
enum { TAG_VIP_DESK, TAG_NIGHT_SHIFT, TAG_MENTOR };
enum { SITE_CASABLANCA, SITE_TUNIS, SITE_LYON };
enum { COUNTRY_MA, COUNTRY_TN, COUNTRY_FR };
enum { AGENT_A12, AGENT_A13, AGENT_A14 };

static const char *const seeds[NS_COUNT][5] = {
	[EXPR_NS_SKILL] = {"lang.fr", "lang.en", "billing", "tech.l2",
			   "lang.ar"},
	[EXPR_NS_TAG] = {"vip-desk", "night-shift", "mentor"},
	[EXPR_NS_SITE] = {"casablanca", "tunis", "lyon"},
	[EXPR_NS_COUNTRY] = {"MA", "TN", "FR"},
	[EXPR_NS_AGENT] = {"a12", "a13", "a14"},
};

static int symtab_intern(void *arg, enum expr_ns ns, const char *name,
			 size_t len, uint32_t *idp)
{
	struct symtab *t = arg;
	size_t i;

	if (t->fail)
		return t->fail;
	for (i = 0; i < t->n[ns]; i++) {
		if (strlen(t->names[ns][i]) == len &&
		    !memcmp(t->names[ns][i], name, len)) {
			*idp = (uint32_t)i;
			return 0;
		}
	}
	if (t->n[ns] == MAX_NAMES || len >= NAME_LEN)
		return ENOMEM;
	memcpy(t->names[ns][i], name, len);
	t->names[ns][i][len] = '\0';
	*idp = (uint32_t)t->n[ns]++;
	return 0;
}

static struct symtab table;
static const struct expr_symbols syms = {symtab_intern, &table};

static void seed(void)
{
	uint32_t id;
	int ns, i;

	memset(&table, 0, sizeof(table));
	for (ns = 0; ns < NS_COUNT; ns++) {
		for (i = 0; i < 5 && seeds[ns][i]; i++)
			symtab_intern(&table, (enum expr_ns)ns, seeds[ns][i],
				      strlen(seeds[ns][i]), &id);
	}
}

static int setup(void **state)
{
	(void)state;
	seed();
	return 0;
}

/* Amina: French and Arabic, billing, at the Casablanca nearshore site. */
static const struct expr_skill amina_skills[] = {
	{LANG_FR, 8}, {BILLING, 4}, {LANG_AR, 9}};
static const uint32_t amina_tags[] = {TAG_VIP_DESK, TAG_MENTOR};
static const struct expr_agent amina = {
	.skills = amina_skills,
	.nskills = 3,
	.tags = amina_tags,
	.ntags = 2,
	.agent = AGENT_A12,
	.site = SITE_CASABLANCA,
	.country = COUNTRY_MA,
	.site_kind = SITE_NEARSHORE,
};

/* Tom: English and level-2 support, working from home in France. */
static const struct expr_skill tom_skills[] = {{LANG_EN, 7}, {TECH_L2, 3}};
static const uint32_t tom_tags[] = {TAG_NIGHT_SHIFT};
static const struct expr_agent tom = {
	.skills = tom_skills,
	.nskills = 2,
	.tags = tom_tags,
	.ntags = 1,
	.agent = AGENT_A14,
	.site = SITE_LYON,
	.country = COUNTRY_FR,
	.site_kind = SITE_HOME,
};

static struct expr *compile_ok(const char *src)
{
	struct expr_error err;
	struct expr *e = NULL;
	int rc = expr_compile(&e, src, &syms, &err);

	if (rc)
		print_error("\"%s\": %s at %zu\n", src, err.msg, err.pos);
	assert_int_equal(rc, 0);
	assert_non_null(e);
	return e;
}

static bool eval_on(const char *src, const struct expr_agent *a)
{
	struct expr *e = compile_ok(src);
	bool v = expr_eval(e, a);

	expr_free(e);
	return v;
}

static bool for_amina(const char *src)
{
	return eval_on(src, &amina);
}

static void assert_error(const char *src, size_t pos, const char *msg)
{
	struct expr_error err;
	struct expr *e = (struct expr *)&err; /* must be reset to NULL */

	assert_int_equal(expr_compile(&e, src, &syms, &err), EINVAL);
	assert_null(e);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.pos, pos);
}

/* Comparisons of a skill level */

static void test_skill_at_or_above_level_matches(void **state)
{
	(void)state;
	assert_true(for_amina("lang.fr >= 8"));
	assert_false(for_amina("lang.fr >= 9"));
}

static void test_skill_at_or_below_level_matches(void **state)
{
	(void)state;
	assert_true(for_amina("billing <= 4"));
	assert_false(for_amina("billing <= 3"));
}

static void test_greater_than_is_strict(void **state)
{
	(void)state;
	assert_true(for_amina("lang.ar > 8"));
	assert_false(for_amina("lang.ar > 9"));
}

static void test_less_than_is_strict(void **state)
{
	(void)state;
	assert_true(for_amina("billing < 5"));
	assert_false(for_amina("billing < 4"));
}

static void test_skill_equality_matches_exact_level(void **state)
{
	(void)state;
	assert_true(for_amina("lang.fr == 8"));
	assert_false(for_amina("lang.fr == 7"));
}

static void test_skill_inequality_matches_other_levels(void **state)
{
	(void)state;
	assert_true(for_amina("lang.fr != 7"));
	assert_false(for_amina("lang.fr != 8"));
}

static void test_missing_skill_counts_as_level_zero(void **state)
{
	(void)state;
	assert_true(for_amina("lang.en == 0"));
	assert_true(for_amina("tech.l2 < 1"));
	assert_false(for_amina("lang.en >= 1"));
}

static void test_unknown_skill_name_counts_as_level_zero(void **state)
{
	(void)state;
	assert_true(for_amina("lang.de == 0"));
	assert_int_equal(table.n[EXPR_NS_SKILL], 6);
}

static void test_agent_without_skills_has_level_zero(void **state)
{
	struct expr_agent nobody = {.site = SITE_TUNIS};

	(void)state;
	assert_true(eval_on("lang.fr == 0 && !has(lang.fr)", &nobody));
}

static void test_numbers_up_to_1000_are_levels(void **state)
{
	(void)state;
	assert_true(for_amina("lang.fr < 1000"));
	assert_true(for_amina("lang.fr >= 0"));
	assert_true(for_amina("lang.fr == 08"));
}

/* has() and tag() */

static void test_has_is_true_for_held_skill(void **state)
{
	(void)state;
	assert_true(for_amina("has(billing)"));
}

static void test_has_is_false_for_missing_skill(void **state)
{
	(void)state;
	assert_false(for_amina("has(tech.l2)"));
	assert_true(eval_on("has(tech.l2)", &tom));
}

static void test_tag_matches_a_name_or_a_string(void **state)
{
	(void)state;
	assert_true(for_amina("tag(vip-desk)"));
	assert_true(for_amina("tag(\"mentor\")"));
	assert_true(for_amina("tag('vip-desk')"));
}

static void test_tag_is_false_when_agent_lacks_it(void **state)
{
	(void)state;
	assert_false(for_amina("tag(night-shift)"));
	assert_false(for_amina("tag(\"weekend\")"));
}

static void test_tag_names_live_apart_from_skills(void **state)
{
	(void)state;
	/* "billing" as a tag is a new tag id, not the skill */
	assert_false(for_amina("tag(billing)"));
	assert_int_equal(table.n[EXPR_NS_TAG], 4);
}

/* Site, country and agent */

static void test_site_equality_compares_interned_site(void **state)
{
	(void)state;
	assert_true(for_amina("site == \"casablanca\""));
	assert_false(for_amina("site == \"tunis\""));
}

static void test_site_inequality(void **state)
{
	(void)state;
	assert_true(for_amina("site != \"tunis\""));
	assert_false(for_amina("site != \"casablanca\""));
}

static void test_site_kind_compares_kind(void **state)
{
	(void)state;
	assert_true(for_amina("site.kind == \"nearshore\""));
	assert_false(for_amina("site.kind == \"onshore\""));
	assert_true(eval_on("site.kind != 'offshore'", &tom));
	assert_true(eval_on("site.kind == 'home'", &tom));
}

static void test_site_country_compares_country(void **state)
{
	(void)state;
	assert_true(for_amina("site.country == \"MA\""));
	assert_false(eval_on("site.country == \"MA\"", &tom));
}

static void test_agent_compares_agent_id(void **state)
{
	(void)state;
	assert_true(for_amina("agent == \"a12\""));
	assert_false(for_amina("agent == \"a13\""));
}

static void test_names_are_case_sensitive(void **state)
{
	(void)state;
	assert_false(for_amina("site.country == \"ma\""));
}

/* in-lists */

static void test_site_in_list(void **state)
{
	(void)state;
	assert_true(for_amina("site in [\"tunis\", \"casablanca\"]"));
	assert_false(eval_on("site in [\"tunis\", \"casablanca\"]", &tom));
}

static void test_skill_level_in_list(void **state)
{
	(void)state;
	assert_true(for_amina("billing in [3, 4, 5]"));
	assert_false(for_amina("billing in [1, 2]"));
	assert_true(for_amina("lang.en in [0]"));
}

static void test_site_kind_in_list(void **state)
{
	(void)state;
	assert_true(for_amina("site.kind in ['onshore', 'nearshore']"));
	assert_false(eval_on("site.kind in ['onshore', 'nearshore']", &tom));
}

static void test_country_and_agent_in_list(void **state)
{
	(void)state;
	assert_true(for_amina("site.country in [\"TN\", \"MA\"]"));
	assert_true(for_amina("agent in [\"a12\", \"a13\"]"));
	assert_false(eval_on("agent in [\"a12\", \"a13\"]", &tom));
}

static void test_in_list_holds_256_values(void **state)
{
	char src[2048] = "lang.fr in [";
	int i;

	(void)state;
	for (i = 0; i < 256; i++)
		strcat(src, i ? ",0" : "0");
	assert_false(for_amina(strcat(src, "]")));
	src[strlen(src) - 2] = '8';
	assert_true(for_amina(src));
}

/* Logic and precedence */

static void test_true_and_false_literals(void **state)
{
	(void)state;
	assert_true(for_amina("true"));
	assert_false(for_amina("false"));
}

static void test_not_negates(void **state)
{
	(void)state;
	assert_false(for_amina("!has(billing)"));
	assert_true(for_amina("!!has(billing)"));
	assert_true(for_amina("!(lang.en >= 5)"));
}

static void test_and_requires_both(void **state)
{
	(void)state;
	assert_true(for_amina("lang.fr >= 6 && billing >= 3"));
	assert_false(for_amina("lang.fr >= 6 && billing >= 5"));
	assert_false(for_amina("lang.fr >= 9 && billing >= 3"));
}

static void test_or_requires_either(void **state)
{
	(void)state;
	assert_true(for_amina("lang.en >= 6 || billing >= 3"));
	assert_true(for_amina("billing >= 3 || lang.en >= 6"));
	assert_false(for_amina("lang.en >= 6 || tech.l2 >= 1"));
}

static void test_and_binds_tighter_than_or(void **state)
{
	(void)state;
	/* true || (false && false), not (true || false) && false */
	assert_true(for_amina("true || false && false"));
	assert_false(for_amina("false && true || false"));
}

static void test_not_binds_tighter_than_and(void **state)
{
	(void)state;
	/* (!false) && false, not !(false && false) */
	assert_false(for_amina("!false && false"));
}

static void test_parentheses_override_precedence(void **state)
{
	(void)state;
	assert_false(for_amina("(true || false) && false"));
	assert_true(for_amina("!(false && false)"));
	assert_true(for_amina("((((true))))"));
}

/* Writes shape with each '?' replaced by true or false, from bits of m. */
static void fill(char *dst, const char *shape, int m)
{
	for (dst[0] = '\0'; *shape; shape++) {
		if (*shape == '?') {
			strcat(dst, m & 1 ? "true" : "false");
			m >>= 1;
		} else {
			strncat(dst, shape, 1);
		}
	}
}

/*
 * Short-circuit jumps are easy to get subtly wrong, so compare every
 * assignment of four atoms, in several shapes, against C itself.
 */
static void test_logic_agrees_with_c_for_every_input(void **state)
{
	static const char *const shapes[] = {
		"? && ? || ? && ?",	  "? || ? && ? || ?",
		"!(? || ?) && (? || !?)", "(? && (? || ?)) || !?",
		"!? && !? && !? || ?",	  "? || !(? && !(? || ?))",
	};
	char src[128];
	int m, s;

	(void)state;
	for (m = 0; m < 16; m++) {
		bool a = m & 1, b = m & 2, c = m & 4, d = m & 8;
		bool want[] = {
			(a && b) || (c && d),	a || (b && c) || d,
			!(a || b) && (c || !d), (a && (b || c)) || !d,
			(!a && !b && !c) || d,	a || !(b && !(c || d)),
		};

		for (s = 0; s < 6; s++) {
			fill(src, shapes[s], m);
			assert_int_equal(for_amina(src), want[s]);
		}
	}
}

/* Lexical freedom */

static void test_single_and_double_quotes_are_equivalent(void **state)
{
	(void)state;
	assert_true(for_amina("site == 'casablanca' && agent == \"a12\""));
	assert_true(for_amina("tag('it\"s') || site != \"l'usine\""));
}

static void test_whitespace_is_free_between_tokens(void **state)
{
	(void)state;
	assert_true(for_amina("lang.fr>=8&&!(billing<3)||false"));
	assert_true(for_amina(" \t\n lang.fr\r\n>=\t8 \n"));
	assert_true(for_amina("site in[ 'tunis' ,'casablanca' ]"));
	assert_true(for_amina("has ( billing )"));
}

static void test_header_examples_evaluate_as_documented(void **state)
{
	(void)state;
	assert_false(for_amina("lang.fr >= 6 && billing >= 3 && "
			       "site.kind == \"onshore\""));
	assert_true(for_amina("has(tech.l2) || tag(\"vip-desk\")"));
	assert_false(for_amina("site in [\"casablanca\", \"tunis\"] && "
			       "!(lang.en < 5)"));
	assert_true(eval_on("site.country == \"MA\" || "
			    "agent in [\"a12\", \"a13\"]",
			    &amina));
	assert_false(eval_on("site in [\"casablanca\", \"tunis\"] && "
			     "!(lang.en < 5)",
			     &tom));
}

static void test_source_longer_than_4096_bytes_is_rejected(void **state)
{
	char *src = malloc(4098);

	(void)state;
	memset(src, ' ', 4097);
	memcpy(src, "true", 4);
	src[4097] = '\0';
	assert_error(src, 4096, "expression is longer than 4096 bytes");
	src[4096] = '\0';
	assert_true(for_amina(src));
	free(src);
}

/* Nesting */

static void nested(char *src, const char *open, int depth, const char *mid)
{
	int i;

	src[0] = '\0';
	for (i = 0; i < depth; i++)
		strcat(src, open);
	strcat(src, mid);
	for (i = 0; open[0] == '(' && i < depth; i++)
		strcat(src, ")");
}

static void test_64_levels_of_parentheses_are_allowed(void **state)
{
	char src[256];

	(void)state;
	nested(src, "(", 64, "true");
	assert_true(for_amina(src));
}

static void test_parentheses_deeper_than_64_are_rejected(void **state)
{
	char src[256];

	(void)state;
	nested(src, "(", 65, "true");
	assert_error(src, 64, "expression nests deeper than 64 levels");
}

static void test_negations_deeper_than_64_are_rejected(void **state)
{
	char src[256];

	(void)state;
	nested(src, "!", 64, "true");
	assert_true(for_amina(src));
	nested(src, "!(", 33, "true");
	assert_error(src, 64, "expression nests deeper than 64 levels");
}

/* Errors: what, and exactly where */

static void test_empty_expression_is_rejected(void **state)
{
	(void)state;
	assert_error("", 0, "empty expression");
	assert_error(" \t\n", 3, "empty expression");
}

static void test_error_reports_position_of_unexpected_token(void **state)
{
	(void)state;
	assert_error("lang.fr >= )", 11,
		     "expected a number or a string after '>=' but found ')'");
	assert_error("lang.fr >= 6 billing", 13,
		     "expected '&&', '||' or the end of the expression but "
		     "found 'billing'");
}

static void test_trailing_garbage_is_rejected(void **state)
{
	(void)state;
	assert_error("has(billing))", 12,
		     "expected '&&', '||' or the end of the expression but "
		     "found ')'");
}

static void test_missing_operand_at_end_is_reported(void **state)
{
	(void)state;
	assert_error("lang.fr >= 6 &&", 15,
		     "unexpected end of expression, expected a condition, "
		     "e.g. lang.fr >= 6, has(skill) or tag(name)");
	assert_error("|| true", 0,
		     "expected a condition, e.g. lang.fr >= 6, has(skill) or "
		     "tag(name) but found '||'");
}

static void test_name_without_comparison_is_rejected(void **state)
{
	(void)state;
	assert_error("lang.fr", 7,
		     "unexpected end of expression, expected a comparison or "
		     "'in' after 'lang.fr'");
	assert_error("billing = 3", 8, "unexpected '=', did you mean '=='?");
}

static void test_unclosed_parenthesis_is_reported_at_end(void **state)
{
	(void)state;
	assert_error("(true && false", 14,
		     "unexpected end of expression, expected ')'");
	assert_error("(true false)", 6,
		     "expected '&&', '||' or ')' but found 'false'");
}

static void test_single_ampersand_suggests_double(void **state)
{
	(void)state;
	assert_error("true & false", 5, "unexpected '&', did you mean '&&'?");
	assert_error("true | false", 5, "unexpected '|', did you mean '||'?");
}

static void test_unknown_character_is_rejected(void **state)
{
	(void)state;
	assert_error("lang.fr >= 6 ; true", 13, "unexpected character ';'");
	assert_error("lang.fr\x01 >= 6", 7, "unexpected byte 0x01");
	assert_error("langue.fran\xc3\xa7"
		     "ais >= 6",
		     11, "unexpected byte 0xc3");
}

static void test_number_above_1000_is_rejected(void **state)
{
	(void)state;
	assert_error("lang.fr >= 1001", 11,
		     "number 1001 is out of range 0..1000");
	assert_error("lang.fr < 99999999999999999999", 10,
		     "number 99999999999999999999 is out of range 0..1000");
}

static void test_negative_number_is_rejected(void **state)
{
	(void)state;
	assert_error("lang.fr >= -1", 11, "number -1 is out of range 0..1000");
}

static void test_fractional_level_is_rejected(void **state)
{
	(void)state;
	assert_error("lang.fr >= 6.5", 11,
		     "levels are whole numbers, found 6.5");
}

static void test_unterminated_string_is_reported_at_its_quote(void **state)
{
	(void)state;
	assert_error("site == \"casa", 8,
		     "unterminated string, expected a closing '\"'");
	assert_error("true && tag('vip", 12,
		     "unterminated string, expected a closing \"'\"");
}

static void test_empty_name_is_rejected(void **state)
{
	(void)state;
	assert_error("site == \"\"", 8, "names cannot be empty");
	assert_error("tag('')", 4, "names cannot be empty");
}

static void test_skill_levels_compare_with_numbers_not_strings(void **state)
{
	(void)state;
	assert_error("lang.fr == \"high\"", 11,
		     "skill levels compare with numbers, not strings");
	assert_error("billing in [3, '4']", 15,
		     "skill levels compare with numbers, not strings");
}

static void test_misspelt_site_attribute_is_named(void **state)
{
	(void)state;
	assert_error("site.knd == \"home\"", 0,
		     "unknown attribute \"site.knd\" (expected site, "
		     "site.kind or site.country)");
}

static void test_site_compares_with_strings_not_numbers(void **state)
{
	(void)state;
	assert_error("site == 3", 8, "site compares with strings, not numbers");
	assert_error("agent in ['a12', 12]", 17,
		     "agent compares with strings, not numbers");
	assert_error("site.kind != 0", 13,
		     "site.kind compares with strings, not numbers");
}

static void test_site_rejects_ordering_operators(void **state)
{
	(void)state;
	assert_error("site > \"lyon\"", 5,
		     "site compares with ==, != or in, not '>'");
	assert_error("site.country <= 'MA'", 13,
		     "site.country compares with ==, != or in, not '<='");
	assert_error("agent >= 'a12'", 6,
		     "agent compares with ==, != or in, not '>='");
	assert_error("site.kind < 'home'", 10,
		     "site.kind compares with ==, != or in, not '<'");
}

static void test_unknown_site_kind_is_rejected(void **state)
{
	(void)state;
	assert_error("site.kind == \"onshre\"", 13,
		     "unknown site kind \"onshre\" (expected onshore, "
		     "nearshore, offshore or home)");
	assert_error("site.kind in ['home', 'Home']", 22,
		     "unknown site kind \"Home\" (expected onshore, "
		     "nearshore, offshore or home)");
}

static void test_in_needs_a_bracketed_list(void **state)
{
	(void)state;
	assert_error("site in \"tunis\"", 8,
		     "expected '[' after 'in' but found \"tunis\"");
}

static void test_empty_in_list_is_rejected(void **state)
{
	(void)state;
	assert_error("site in []", 9,
		     "expected a number or a string after '[' but found ']'");
}

static void test_in_list_with_trailing_comma_is_rejected(void **state)
{
	(void)state;
	assert_error("billing in [1, 2,]", 17,
		     "expected a number or a string after ',' but found ']'");
}

static void test_unterminated_in_list_is_reported_at_end(void **state)
{
	(void)state;
	assert_error("site in [\"tunis\"", 16,
		     "unexpected end of expression, expected ']'");
	assert_error("site in [\"tunis\" \"lyon\"]", 17,
		     "expected ',' or ']' but found \"lyon\"");
}

static void test_in_list_longer_than_256_is_rejected(void **state)
{
	char src[2048] = "billing in [";
	int i;

	(void)state;
	for (i = 0; i < 257; i++)
		strcat(src, i ? ",1" : "1");
	strcat(src, "]");
	assert_error(src, 12 + 256 * 2,
		     "an 'in' list holds at most 256 values");
}

static void test_has_needs_parenthesised_skill_name(void **state)
{
	(void)state;
	assert_error("has billing", 4,
		     "expected '(' after 'has' but found 'billing'");
	assert_error("has(\"billing\")", 4,
		     "expected a skill name after 'has(' but found "
		     "\"billing\"");
	assert_error("has(site)", 4,
		     "expected a skill name after 'has(' but found 'site'");
	assert_error("has(billing", 11,
		     "unexpected end of expression, expected ')' after "
		     "has(billing");
}

static void test_tag_needs_a_name_or_string(void **state)
{
	(void)state;
	assert_error("tag(3)", 4,
		     "expected a tag name or a string after 'tag(' but found "
		     "'3'");
	assert_error("tag('vip' 'desk')", 10,
		     "expected ')' after tag('vip' but found 'desk'");
}

static void test_long_token_is_shortened_in_message(void **state)
{
	(void)state;
	assert_error(
		"site.kind == 'abcdefghijklmnopqrstuvwxyz0123456789'", 13,
		"unknown site kind \"abcdefghijklmnopqrstuvwxyz012345...\" "
		"(expected onshore, nearshore, offshore or home)");
}

static void test_symbol_table_failure_is_returned(void **state)
{
	struct expr_error err;
	struct expr *e;

	(void)state;
	table.fail = ENOMEM;
	assert_int_equal(expr_compile(&e, "true || billing > 2", &syms, &err),
			 ENOMEM);
	assert_null(e);
	assert_int_equal(err.pos, 8);
	assert_string_equal(err.msg, "cannot intern \"billing\" (error 12)");
	assert_int_equal(expr_compile(&e, "true", &syms, &err), 0);
	expr_free(e);
}

static void test_error_is_optional(void **state)
{
	struct expr *e;

	(void)state;
	assert_int_equal(expr_compile(&e, "true &&", &syms, NULL), EINVAL);
	assert_int_equal(expr_compile(&e, "true", &syms, NULL), 0);
	expr_free(e);
}

/* expr_skills, expr_source, site kinds */

static void test_skills_lists_each_skill_once_in_order_of_mention(void **state)
{
	struct expr *e = compile_ok("lang.ar >= 6 && has(billing) || "
				    "lang.ar < 9 && billing in [1, 2] || "
				    "site == 'lyon' || tag(mentor)");
	uint32_t ids[4];

	(void)state;
	assert_int_equal(expr_skills(e, ids, 4), 2);
	assert_int_equal(ids[0], LANG_AR);
	assert_int_equal(ids[1], BILLING);
	expr_free(e);
}

static void test_skills_reports_total_beyond_buffer(void **state)
{
	struct expr *e =
		compile_ok("lang.fr > 1 || lang.en > 1 || has(tech.l2)");
	uint32_t ids[2] = {99, 99};

	(void)state;
	assert_int_equal(expr_skills(e, NULL, 0), 3);
	assert_int_equal(expr_skills(e, ids, 1), 3);
	assert_int_equal(ids[0], LANG_FR);
	assert_int_equal(ids[1], 99);
	expr_free(e);
}

static void test_skills_is_empty_without_skills(void **state)
{
	struct expr *e = compile_ok("site.kind == 'home' && tag(mentor)");

	(void)state;
	assert_int_equal(expr_skills(e, NULL, 0), 0);
	expr_free(e);
}

static void test_source_is_a_copy_of_the_text(void **state)
{
	char src[] = "  lang.fr >= 6 ";
	struct expr *e = compile_ok(src);

	(void)state;
	src[2] = 'X';
	assert_string_equal(expr_source(e), "  lang.fr >= 6 ");
	expr_free(e);
}

static void test_site_kind_names_round_trip(void **state)
{
	enum site_kind k, parsed;

	(void)state;
	for (k = SITE_ONSHORE; k <= SITE_HOME; k++) {
		const char *name = expr_site_kind_name(k);

		assert_true(expr_site_kind_parse(name, strlen(name), &parsed));
		assert_int_equal(parsed, k);
	}
	assert_string_equal(expr_site_kind_name(SITE_NEARSHORE), "nearshore");
}

static void test_site_kind_parse_rejects_unknown_and_prefixes(void **state)
{
	enum site_kind k = SITE_HOME;

	(void)state;
	assert_false(expr_site_kind_parse("onshre", 6, &k));
	assert_false(expr_site_kind_parse("home", 3, &k));
	assert_false(expr_site_kind_parse("homes", 5, &k));
	assert_int_equal(k, SITE_HOME);
	assert_true(expr_site_kind_parse("offshore-x", 8, &k));
	assert_int_equal(k, SITE_OFFSHORE);
}

static void test_site_kind_name_of_unknown_kind(void **state)
{
	(void)state;
	assert_string_equal(expr_site_kind_name((enum site_kind)7), "unknown");
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_skill_at_or_above_level_matches),
		T(test_skill_at_or_below_level_matches),
		T(test_greater_than_is_strict),
		T(test_less_than_is_strict),
		T(test_skill_equality_matches_exact_level),
		T(test_skill_inequality_matches_other_levels),
		T(test_missing_skill_counts_as_level_zero),
		T(test_unknown_skill_name_counts_as_level_zero),
		T(test_agent_without_skills_has_level_zero),
		T(test_numbers_up_to_1000_are_levels),
		T(test_has_is_true_for_held_skill),
		T(test_has_is_false_for_missing_skill),
		T(test_tag_matches_a_name_or_a_string),
		T(test_tag_is_false_when_agent_lacks_it),
		T(test_tag_names_live_apart_from_skills),
		T(test_site_equality_compares_interned_site),
		T(test_site_inequality),
		T(test_site_kind_compares_kind),
		T(test_site_country_compares_country),
		T(test_agent_compares_agent_id),
		T(test_names_are_case_sensitive),
		T(test_site_in_list),
		T(test_skill_level_in_list),
		T(test_site_kind_in_list),
		T(test_country_and_agent_in_list),
		T(test_in_list_holds_256_values),
		T(test_true_and_false_literals),
		T(test_not_negates),
		T(test_and_requires_both),
		T(test_or_requires_either),
		T(test_and_binds_tighter_than_or),
		T(test_not_binds_tighter_than_and),
		T(test_parentheses_override_precedence),
		T(test_logic_agrees_with_c_for_every_input),
		T(test_single_and_double_quotes_are_equivalent),
		T(test_whitespace_is_free_between_tokens),
		T(test_header_examples_evaluate_as_documented),
		T(test_source_longer_than_4096_bytes_is_rejected),
		T(test_64_levels_of_parentheses_are_allowed),
		T(test_parentheses_deeper_than_64_are_rejected),
		T(test_negations_deeper_than_64_are_rejected),
		T(test_empty_expression_is_rejected),
		T(test_error_reports_position_of_unexpected_token),
		T(test_trailing_garbage_is_rejected),
		T(test_missing_operand_at_end_is_reported),
		T(test_name_without_comparison_is_rejected),
		T(test_unclosed_parenthesis_is_reported_at_end),
		T(test_single_ampersand_suggests_double),
		T(test_unknown_character_is_rejected),
		T(test_number_above_1000_is_rejected),
		T(test_negative_number_is_rejected),
		T(test_fractional_level_is_rejected),
		T(test_unterminated_string_is_reported_at_its_quote),
		T(test_empty_name_is_rejected),
		T(test_skill_levels_compare_with_numbers_not_strings),
		T(test_misspelt_site_attribute_is_named),
		T(test_site_compares_with_strings_not_numbers),
		T(test_site_rejects_ordering_operators),
		T(test_unknown_site_kind_is_rejected),
		T(test_in_needs_a_bracketed_list),
		T(test_empty_in_list_is_rejected),
		T(test_in_list_with_trailing_comma_is_rejected),
		T(test_unterminated_in_list_is_reported_at_end),
		T(test_in_list_longer_than_256_is_rejected),
		T(test_has_needs_parenthesised_skill_name),
		T(test_tag_needs_a_name_or_string),
		T(test_long_token_is_shortened_in_message),
		T(test_symbol_table_failure_is_returned),
		T(test_error_is_optional),
		T(test_skills_lists_each_skill_once_in_order_of_mention),
		T(test_skills_reports_total_beyond_buffer),
		T(test_skills_is_empty_without_skills),
		T(test_source_is_a_copy_of_the_text),
		T(test_site_kind_names_round_trip),
		T(test_site_kind_parse_rejects_unknown_and_prefixes),
		T(test_site_kind_name_of_unknown_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
