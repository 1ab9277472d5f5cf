/*
 * test_mime — the email channel's MIME layer and HTML sanitiser on the
 * sample messages of tests/data/mail/ and on hostile HTML.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "channels/email/html_clean.h"
#include "channels/email/mime.h"

static char *slurp(const char *name, size_t *lenp)
{
	const char *dir = getenv("RELAIS_SOURCE_DIR");
	char path[1024];
	char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/data/mail/%s", dir ? dir : ".",
		 name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*lenp = (size_t)n;
	return buf;
}

static struct mail_msg *parse_file(const char *name)
{
	struct mail_msg *m = NULL;
	size_t len;
	char *buf = slurp(name, &len);

	assert_int_equal(mail_parse(&m, buf, len, NULL), 0);
	free(buf);
	return m;
}

static void plain_utf8(void **state)
{
	struct mail_msg *m = parse_file("plain-utf8.eml");

	(void)state;
	assert_string_equal(m->message_id, "m1@example.org");
	assert_string_equal(m->subject, "Problème de livraison €");
	assert_string_equal(m->from.name, "José García");
	assert_string_equal(m->from.addr, "jose@example.org");
	assert_int_equal(m->to.n, 1);
	assert_string_equal(m->to.v[0].addr, "support@relais.test");
	assert_int_equal(m->cc.n, 2);
	assert_string_equal(m->cc.v[1].name, "Ana");
	assert_string_equal(m->cc.v[1].addr, "ana@example.org");
	assert_true(m->date_ms == 1796115600000LL);
	assert_false(m->is_auto);
	assert_non_null(strstr(m->text, "n’est pas arrivé"));
	assert_string_equal(m->html, "");
	assert_int_equal(m->nparts, 0);
	assert_string_equal(m->in_reply_to, "");
	assert_int_equal(m->nreferences, 0);
	mail_msg_free(m);
}

static void latin1_qp(void **state)
{
	struct mail_msg *m = parse_file("latin1-qp.eml");

	(void)state;
	assert_string_equal(m->subject, "Réclamation facturée");
	/* Declared ISO-8859-1, read as Windows-1252: 0x80 is the euro. */
	assert_non_null(strstr(m->text, "Le débit de 12 € est erroné."));
	mail_msg_free(m);
}

static void cp1252(void **state)
{
	struct mail_msg *m = parse_file("cp1252-8bit.eml");

	(void)state;
	assert_non_null(strstr(m->text, "C’est 20 €, pas 30 €."));
	mail_msg_free(m);
}

static void html_only(void **state)
{
	struct mail_msg *m = parse_file("html-only.eml");

	(void)state;
	assert_null(strstr(m->html, "script"));
	assert_null(strstr(m->html, "alert"));
	assert_null(strstr(m->html, "evil.test"));
	assert_null(strstr(m->html, "tracker.test"));
	assert_null(strstr(m->html, "onload"));
	assert_non_null(strstr(m->html, "<p>Votre <b>commande</b> n°42</p>"));
	assert_non_null(strstr(m->html,
			       "<a href=\"https://shop.example.com/o/42\" "
			       "rel=\"noopener noreferrer\">suivi</a>"));
	assert_non_null(strstr(m->html, "<a rel=\"noopener noreferrer\">clic"));
	/* The text comes from the HTML: words, blocks on their lines. */
	assert_non_null(strstr(m->text, "Votre commande n°42\n"));
	assert_non_null(strstr(m->text, "- un\n- deux"));
	assert_null(strstr(m->text, "alert"));
	assert_null(strstr(m->text, "background"));
	mail_msg_free(m);
}

static void alternative(void **state)
{
	struct mail_msg *m = parse_file("alternative.eml");

	(void)state;
	assert_string_equal(m->text, "Texte brut.");
	assert_string_equal(m->html, "<p>Texte <i>riche</i>.</p>");
	assert_int_equal(m->nparts, 0);
	mail_msg_free(m);
}

static void attachment(void **state)
{
	struct mail_msg *m = parse_file("mixed-attachment.eml");

	(void)state;
	assert_string_equal(m->text, "Voici la facture.");
	assert_int_equal(m->nparts, 1);
	assert_string_equal(m->parts[0].name, "facture décembre.pdf");
	assert_string_equal(m->parts[0].type, "application/pdf");
	assert_false(m->parts[0].is_inline);
	assert_int_equal(m->parts[0].size, 54);
	assert_memory_equal(m->parts[0].data, "%PDF-1.4\n", 9);
	mail_msg_free(m);
}

static void inline_image(void **state)
{
	struct mail_msg *m = parse_file("related-inline.eml");

	(void)state;
	assert_int_equal(m->nparts, 1);
	assert_true(m->parts[0].is_inline);
	assert_string_equal(m->parts[0].cid, "shot1@example.org");
	assert_string_equal(m->parts[0].type, "image/png");
	assert_memory_equal(m->parts[0].data, "\x89PNG", 4);
	assert_non_null(strstr(m->html, "<img src=\"cid:shot1@example.org\" "
					"alt=\"capture\">"));
	assert_non_null(strstr(m->text, "Voir l'image"));
	mail_msg_free(m);
}

/* mixed[alternative[plain, related[html, cid image]], pdf, message]. */
static void nested(void **state)
{
	struct mail_msg *m = parse_file("nested.eml");

	(void)state;
	assert_string_equal(m->subject, "Re: [TR: facture] résumé");
	assert_string_equal(m->from.name, "Dupont, Jean");
	assert_string_equal(m->reply_to.v[0].addr, "compta@example.org");
	assert_non_null(strstr(m->text, "Résumé ci-dessous"));
	assert_non_null(strstr(m->html, "<div>Résumé <img src=\"cid:logo\">"));
	assert_int_equal(m->nparts, 3);
	assert_string_equal(m->parts[0].cid, "logo");
	assert_true(m->parts[0].is_inline);
	assert_string_equal(m->parts[0].name, "logo.png");
	assert_string_equal(m->parts[1].name, "reçu.pdf");
	assert_false(m->parts[1].is_inline);
	assert_int_equal(m->parts[1].size, 13);
	assert_string_equal(m->parts[2].type, "message/rfc822");
	assert_string_equal(m->parts[2].name, "origine.eml");
	assert_non_null(memmem(m->parts[2].data, m->parts[2].size,
			       "Subject: Votre facture", 22));
	mail_msg_free(m);
}

static void threading_and_auto(void **state)
{
	struct mail_msg *m = parse_file("reply.eml");
	struct mail_msg *a = parse_file("auto-reply.eml");

	(void)state;
	assert_string_equal(m->in_reply_to, "ans1@relais.test");
	assert_int_equal(m->nreferences, 2);
	assert_string_equal(m->references[0], "m1@example.org");
	assert_string_equal(m->references[1], "ans1@relais.test");
	assert_string_equal(m->subject, "Re: [#C-1042] Problème de livraison");
	assert_false(m->is_auto);
	assert_true(a->is_auto);
	mail_msg_free(m);
	mail_msg_free(a);
}

static void refused(void **state)
{
	struct mail_msg *m = (void *)1;
	struct mail_limits tiny = {.max_parts = 8, .max_part_size = 16};
	size_t len;
	char *buf = slurp("no-from.eml", &len);

	(void)state;
	assert_int_equal(mail_parse(&m, buf, len, NULL), EINVAL);
	assert_null(m);
	free(buf);
	assert_int_equal(mail_parse(&m, "", 0, NULL), EINVAL);
	assert_int_equal(mail_parse(&m, "\0\0\0garbage", 10, NULL), EINVAL);
	buf = slurp("mixed-attachment.eml", &len);
	assert_int_equal(mail_parse(&m, buf, len, &tiny), EFBIG);
	assert_null(m);
	free(buf);
}

static int store_part(void *arg, const struct mail_part *part, const void *data,
		      size_t size, char **refp)
{
	int *calls = arg;
	char ref[64];

	if (++*calls > 2)
		return ENOSPC;
	assert_non_null(data);
	snprintf(ref, sizeof(ref), "att-%d-%zu-%s", *calls, size, part->type);
	*refp = strdup(ref);
	return *refp ? 0 : ENOMEM;
}

/* A store callback takes the bytes; its refusal refuses the message. */
static void store(void **state)
{
	int calls = 0;
	struct mail_limits lim = {.store = store_part, .arg = &calls};
	struct mail_msg *m;
	size_t len;
	char *buf = slurp("nested.eml", &len);

	(void)state;
	assert_int_equal(mail_parse(&m, buf, len, &lim), ENOSPC);
	assert_null(m);
	calls = -10;
	assert_int_equal(mail_parse(&m, buf, len, &lim), 0);
	assert_int_equal(m->nparts, 3);
	assert_null(m->parts[1].data);
	assert_int_equal(m->parts[1].size, 13);
	assert_string_equal(m->parts[1].ref, "att--8-13-application/pdf");
	mail_msg_free(m);
	free(buf);
}

static char *clean(const char *html)
{
	char *out = NULL;

	assert_int_equal(html_clean(&out, NULL, html, strlen(html)), 0);
	return out;
}

static void expect_clean(const char *in, const char *want)
{
	char *out = clean(in);

	if (strcmp(out, want))
		fail_msg("html_clean(%s)\n got %s\nwant %s", in, out, want);
	free(out);
}

static void hostile_html(void **state)
{
	(void)state;
	expect_clean("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>");
	expect_clean("<img src=x onerror=alert(1)>", "");
	expect_clean("<img src=\"cid:a@b\" onerror=\"alert(1)\">",
		     "<img src=\"cid:a@b\">");
	expect_clean("<a href=\"javascript:alert(1)\">x</a>",
		     "<a rel=\"noopener noreferrer\">x</a>");
	expect_clean("<a href=\" JaVaScRiPt:alert(1)\">x</a>",
		     "<a rel=\"noopener noreferrer\">x</a>");
	expect_clean("<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
		     "<a rel=\"noopener noreferrer\">x</a>");
	expect_clean("<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
		     "<a rel=\"noopener noreferrer\">x</a>");
	expect_clean("<img src=\"data:image/png;base64,AAAA\">", "");
	expect_clean("<img src=\"https://tracker.test/p.gif\">", "");
	expect_clean(
		"<a href=\"mailto:a@b.c\" onclick=\"x()\">m</a>",
		"<a href=\"mailto:a@b.c\" rel=\"noopener noreferrer\">m</a>");
	expect_clean("<div style=\"background:url(http://evil/x)\">t</div>",
		     "<div>t</div>");
	expect_clean("<style>p{background:url(http://evil/x)}</style><p>t</p>",
		     "<p>t</p>");
	/* Text outside a block gets the <p> libxml2 implies. */
	expect_clean("<!-- a <!-- b --> <script>x</script> -->c",
		     "<p> --&gt;c</p>");
	expect_clean("<iframe src=\"https://evil\"></iframe>"
		     "<object data=x></object><embed src=x>"
		     "<form action=x><input name=p></form>ok",
		     "ok");
	expect_clean("<svg><script>alert(1)</script></svg>t", "t");
	expect_clean("<p <b>x</b>", "<p>x</p>"); /* "<b" an attribute */
	expect_clean("<b>unclosed <i>tags", "<b>unclosed <i>tags</i></b>");
	expect_clean("<font color=red>&lt;script&gt;</font>", "&lt;script&gt;");
	expect_clean("<table><tr><td colspan=2 onmouseover=x>c</td></tr>"
		     "</table>",
		     "<table><tr><td colspan=\"2\">c</td></tr></table>");
	expect_clean("<a href='https://x.test/?a=\"><script>'>q</a>",
		     "<a href=\"https://x.test/?a=&quot;&gt;&lt;script&gt;\" "
		     "rel=\"noopener noreferrer\">q</a>");
	expect_clean("", "");
}

static void deep_html(void **state)
{
	size_t n = 20000;
	char *html = malloc(n * 5 + 1), *out = NULL, *text = NULL;

	(void)state;
	for (size_t i = 0; i < n; i++)
		memcpy(html + i * 5, "<div>", 5);
	html[n * 5] = '\0';
	assert_int_equal(html_clean(&out, &text, html, n * 5), 0);
	assert_null(strstr(out, "<script"));
	free(out);
	free(text);
	free(html);
}

/* A reply: threading headers, Re: once, the quote, QP UTF-8, CRLF. */
static void reply_build(void **state)
{
	struct mail_msg *orig = parse_file("reply.eml"), *back;
	const char *cc[] = {"boss@example.org"};
	struct mail_reply r = {
		.orig = orig,
		.from_name = "Support Relais",
		.from_addr = "support@relais.test",
		.reply_to = "support@relais.test",
		.cc = cc,
		.ncc = 1,
		.text = "Nous regardons, désolés.",
		.quote = true,
		.auto_reply = true,
		.now_ms = 1796900000000LL,
	};
	char *out, *id;
	size_t len;

	(void)state;
	assert_int_equal(mail_reply_build(&out, &len, &id, &r), 0);
	assert_int_equal(strlen(out), len);
	assert_non_null(strstr(id, "@relais.test"));
	assert_non_null(
		strstr(out, "Content-Transfer-Encoding: quoted-printable\r\n"));
	assert_non_null(strstr(out, "charset=utf-8"));
	assert_non_null(strstr(out, "Auto-Submitted: auto-replied\r\n"));
	for (const char *p = strchr(out, '\n'); p; p = strchr(p + 1, '\n'))
		assert_true(p[-1] == '\r');
	assert_int_equal(mail_parse(&back, out, len, NULL), 0);
	assert_string_equal(back->message_id, id);
	assert_string_equal(back->subject,
			    "Re: [#C-1042] Problème de livraison");
	assert_string_equal(back->in_reply_to, "m8@example.org");
	assert_int_equal(back->nreferences, 3);
	assert_string_equal(back->references[0], "m1@example.org");
	assert_string_equal(back->references[2], "m8@example.org");
	assert_string_equal(back->to.v[0].addr, "jose@example.org");
	assert_string_equal(back->cc.v[0].addr, "boss@example.org");
	assert_string_equal(back->reply_to.v[0].addr, "support@relais.test");
	assert_string_equal(back->from.name, "Support Relais");
	assert_true(back->is_auto);
	assert_true(back->date_ms == 1796900000000LL);
	assert_non_null(strstr(back->text, "Nous regardons, désolés.\n\n"
					   "> Toujours rien."));
	mail_msg_free(back);
	free(out);
	free(id);

	/* A subject without Re: gets one; bad addresses are refused. */
	orig->subject[0] = 'X';
	orig->subject[1] = 'X';
	r.quote = false;
	r.auto_reply = false;
	assert_int_equal(mail_reply_build(&out, &len, &id, &r), 0);
	assert_non_null(strstr(out, "Subject: Re: XX: [#C-1042]"));
	assert_null(strstr(out, "Auto-Submitted"));
	free(out);
	free(id);
	r.from_addr = "support@relais.test\r\nBcc: x@y.z";
	assert_int_equal(mail_reply_build(&out, &len, &id, &r), EINVAL);
	r.from_addr = "support@relais.test";
	r.reply_to = "a@b.c\nX: y";
	assert_int_equal(mail_reply_build(&out, &len, &id, &r), EINVAL);
	r.reply_to = NULL;
	r.subject = "two\r\nlines";
	assert_int_equal(mail_reply_build(&out, &len, &id, &r), EINVAL);
	r.subject = NULL;
	r.orig = NULL;
	assert_int_equal(mail_reply_build(&out, &len, &id, &r), EINVAL);
	mail_msg_free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_utf8),
		cmocka_unit_test(latin1_qp),
		cmocka_unit_test(cp1252),
		cmocka_unit_test(html_only),
		cmocka_unit_test(alternative),
		cmocka_unit_test(attachment),
		cmocka_unit_test(inline_image),
		cmocka_unit_test(nested),
		cmocka_unit_test(threading_and_auto),
		cmocka_unit_test(refused),
		cmocka_unit_test(store),
		cmocka_unit_test(hostile_html),
		cmocka_unit_test(deep_html),
		cmocka_unit_test(reply_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
