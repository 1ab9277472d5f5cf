/*
 * sms_stop — the French opt-out keywords, whatever their case, accents
 * and surrounding spaces, and only as the whole message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/sms_stop.h"

static bool optout(const char *s)
{
	return sms_stop_is_optout(s, strlen(s));
}

static void test_keywords_in_any_case_and_accent(void **state)
{
	static const char *const yes[] = {
		"STOP",		  "stop",	 "Stop",
		" STOP ",	  "STOP.",	 "stop !",
		"STOP SMS",	  "stop  sms",	 "Stop\nSMS",
		"STOPSMS",	  "ARRET",	 "ARRÊT",
		"arrêt",	  "Arrêt !",	 "ARRÉT",
		"arreter",	  "Arrêter",	 "STOPPER",
		"stopper.",	  "désabonner",	 "DÉSABONNEMENT",
		"désinscription", "Désinscrire", "\xc2\xa0stop",
		"STOP!!",	  "arrêt sms",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!optout(yes[i]))
			fail_msg("\"%s\" should be an opt-out", yes[i]);
	}
}

static void test_anything_else_is_a_conversation(void **state)
{
	static const char *const no[] = {
		"",
		"   ",
		".",
		"STOP merci",
		"ne stoppez pas ma commande",
		"Pouvez-vous arrêter le prélèvement ?",
		"STO P",
		"S.T.O.P",
		"STOPS",
		"STOP 😀",
		"STOP?",
		"OK",
		"stop sms stop sms stop sms",
		"\xffSTOP",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (optout(no[i]))
			fail_msg("\"%s\" should not be an opt-out", no[i]);
	}
	/* The length is the message's: what follows it is not read. */
	assert_true(sms_stop_is_optout("STOP me", 4));
	assert_false(sms_stop_is_optout("STOP", 3));
}

static void test_start_opts_back_in_and_nothing_else(void **state)
{
	static const char *const yes[] = {"START", "start", " Start. ",
					  "START SMS", "startsms!"};
	static const char *const no[] = {"STOP", "START me", "RESTART",
					 "on start ?", ""};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!sms_stop_is_optin(yes[i], strlen(yes[i])))
			fail_msg("\"%s\" should opt back in", yes[i]);
		if (sms_stop_is_optout(yes[i], strlen(yes[i])))
			fail_msg("\"%s\" should not opt out", yes[i]);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		if (sms_stop_is_optin(no[i], strlen(no[i])))
			fail_msg("\"%s\" should not opt back in", no[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords_in_any_case_and_accent),
		cmocka_unit_test(test_anything_else_is_a_conversation),
		cmocka_unit_test(test_start_opts_back_in_and_nothing_else),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
