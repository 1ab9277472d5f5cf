/*
 * test_mailref — how the email channel recognises its threads (the
 * contact's reference in a subject, its own Message-IDs) and when it may
 * answer a mail automatically.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "channels/email/mailref.h"

#define CONTACT "0190abcd-ef01-7234-8567-89abcdef0123"

static void test_reference_is_the_first_eight_digits_in_capitals(void **st)
{
	char ref[MAILREF_SIZE];

	(void)st;
	mailref_of_contact(CONTACT, ref);
	assert_string_equal(ref, "0190ABCD");
}

static void test_subject_reference_found_anywhere_any_case(void **st)
{
	char ref[MAILREF_SIZE];

	(void)st;
	assert_true(mailref_in_subject("Re: Facture [#0190abcd]", ref));
	assert_string_equal(ref, "0190ABCD");
	assert_true(mailref_in_subject("[#12] then [#DEADBEEF] end", ref));
	assert_string_equal(ref, "DEADBEEF");
}

static void test_subject_without_a_whole_reference_has_none(void **st)
{
	char ref[MAILREF_SIZE];

	(void)st;
	assert_false(mailref_in_subject("Facture", ref));
	assert_false(mailref_in_subject("[#0190abc]", ref));
	assert_false(mailref_in_subject("[#0190abcdz]", ref));
	assert_false(mailref_in_subject("[#0190ABCD", ref));
	assert_false(mailref_in_subject("[#GGGGGGGG]", ref));
	assert_false(mailref_in_subject("", ref));
}

static void test_our_message_id_names_its_contact(void **st)
{
	char id[200], contact[40];

	(void)st;
	mailref_msgid(id, sizeof(id), CONTACT, "msg1", "assurmax.test");
	assert_string_equal(id, "relais." CONTACT ".msg1@assurmax.test");
	assert_true(mailref_msgid_contact(id, contact));
	assert_string_equal(contact, CONTACT);
}

static void test_other_message_ids_are_not_ours(void **st)
{
	char contact[40];

	(void)st;
	assert_false(mailref_msgid_contact("abc@example.org", contact));
	assert_false(mailref_msgid_contact("relais.x.y@example.org", contact));
	assert_false(mailref_msgid_contact("relais." CONTACT "@x", contact));
	assert_false(mailref_msgid_contact("relais." CONTACT ".m", contact));
	assert_false(mailref_msgid_contact("relais.../../etc.m@x", contact));
	assert_false(mailref_msgid_contact(NULL, contact));
}

static struct mail_msg msg_from(char *addr, bool is_auto)
{
	struct mail_msg m = {.is_auto = is_auto};

	m.from.addr = addr;
	m.from.name = "";
	return m;
}

static void test_a_person_gets_an_automatic_answer(void **st)
{
	struct mail_msg m = msg_from("alice@example.org", false);

	(void)st;
	assert_true(mailref_may_autoreply(&m, "support@assurmax.test"));
}

static void
test_no_automatic_answer_to_automatic_mail_self_or_daemons(void **st)
{
	struct mail_msg a = msg_from("robot@example.org", true);
	struct mail_msg self = msg_from("Support@AssurMax.test", false);
	struct mail_msg d1 = msg_from("MAILER-DAEMON@example.org", false);
	struct mail_msg d2 = msg_from("no-reply@shop.example", false);
	struct mail_msg d3 = msg_from("noreply+x@shop.example", false);
	struct mail_msg none = msg_from("", false);

	(void)st;
	assert_false(mailref_may_autoreply(&a, "support@assurmax.test"));
	assert_false(mailref_may_autoreply(&self, "support@assurmax.test"));
	assert_false(mailref_may_autoreply(&d1, "support@assurmax.test"));
	assert_false(mailref_may_autoreply(&d2, "support@assurmax.test"));
	assert_false(mailref_may_autoreply(&d3, "support@assurmax.test"));
	assert_false(mailref_may_autoreply(&none, "support@assurmax.test"));
}

static void test_a_name_that_starts_like_a_daemon_is_a_person(void **st)
{
	struct mail_msg m = msg_from("bouncer.bob@example.org", false);

	(void)st;
	assert_true(mailref_may_autoreply(&m, "support@assurmax.test"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_reference_is_the_first_eight_digits_in_capitals),
		cmocka_unit_test(
			test_subject_reference_found_anywhere_any_case),
		cmocka_unit_test(
			test_subject_without_a_whole_reference_has_none),
		cmocka_unit_test(test_our_message_id_names_its_contact),
		cmocka_unit_test(test_other_message_ids_are_not_ours),
		cmocka_unit_test(test_a_person_gets_an_automatic_answer),
		cmocka_unit_test(
			test_no_automatic_answer_to_automatic_mail_self_or_daemons),
		cmocka_unit_test(
			test_a_name_that_starts_like_a_daemon_is_a_person),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
