/*
 * email_bench — how fast an inbound email becomes a struct mail_msg
 * (GMime, charsets, the HTML sanitiser included). The first line is the
 * result:
 *
 *	email parse_per_s=X
 *
 * X: messages parsed per second, one core, cycling through the sample
 * messages of tests/data/mail/ (0.3-0.6 KB each; the one without a sender
 * is refused and not counted) for about two seconds. Then, indented, the
 * same for one larger message made here: 20 KB of HTML beside its text
 * and a 100 KB attachment in base64, the shape of a customer's mail with
 * a photo or a PDF. The issue's `email ingest_per_s` (fetched from
 * Dovecot, made durable) needs the server wiring and is not measured here.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channels/email/mime.h"

#define MAX_SAMPLES 64

struct sample {
	char *buf;
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(struct sample *s, const char *dir, const char *name)
{
	char path[1024];
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s->buf = malloc((size_t)n + 1);
	s->len = s->buf ? fread(s->buf, 1, (size_t)n, f) : 0;
	fclose(f);
	return s->buf ? 0 : -1;
}

/* The samples that parse; the count. */
static size_t load_all(struct sample *v, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)) && n < MAX_SAMPLES) {
		struct mail_msg *m;

		if (!strstr(e->d_name, ".eml") || load(&v[n], dir, e->d_name))
			continue;
		if (mail_parse(&m, v[n].buf, v[n].len, NULL)) {
			free(v[n].buf);
			continue;
		}
		mail_msg_free(m);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static char *large_message(size_t *lenp)
{
	size_t cap = 256 * 1024, len = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	len += (size_t)snprintf(
		s + len, cap - len,
		"From: Client <client@example.org>\r\nTo: "
		"support@relais.test\r\n"
		"Subject: =?UTF-8?Q?Photo_du_colis_ab=C3=AEm=C3=A9?=\r\n"
		"Message-ID: <big@example.org>\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
		"--m\r\nContent-Type: multipart/alternative; "
		"boundary=\"a\"\r\n\r\n"
		"--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	for (int i = 0; i < 100; i++)
		len += (size_t)snprintf(
			s + len, cap - len,
			"Ligne %d du message, le colis est arrivé abîmé.\r\n",
			i);
	len += (size_t)snprintf(s + len, cap - len,
				"--a\r\nContent-Type: text/html; "
				"charset=utf-8\r\n\r\n<html><body>");
	for (int i = 0; i < 250; i++)
		len += (size_t)snprintf(
			s + len, cap - len,
			"<p style=\"color:red\">Ligne <b>%d</b>, "
			"<a href=\"https://example.org/%d\">lien</a></p>\r\n",
			i, i);
	len += (size_t)snprintf(
		s + len, cap - len,
		"</body></html>\r\n--a--\r\n--m\r\nContent-Type: image/jpeg\r\n"
		"Content-Disposition: attachment; filename=\"colis.jpg\"\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n");
	for (int i = 0; i < 1700; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s\r\n",
					"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYm"
					"NkZWZnaGlqa2xtbm9wcXJzdHV2");
	len += (size_t)snprintf(s + len, cap - len, "--m--\r\n");
	*lenp = len;
	return s;
}

/* Parses V[0..N) round robin for about SECONDS; messages per second. */
static double rate(const struct sample *v, size_t n, double seconds)
{
	double start = now_s(), t;
	long done = 0;

	do {
		for (int k = 0; k < 50; k++, done++) {
			struct mail_msg *m;
			const struct sample *s = &v[done % (long)n];

			if (mail_parse(&m, s->buf, s->len, NULL))
				return -1;
			mail_msg_free(m);
		}
		t = now_s() - start;
	} while (t < seconds);
	return (double)done / t;
}

int main(void)
{
	static struct sample v[MAX_SAMPLES];
	const char *dir = RELAIS_SOURCE_DIR "/tests/data/mail";
	struct sample big;
	size_t n = load_all(v, dir);
	double r, rb;

	if (!n) {
		fprintf(stderr, "email_bench: no sample in %s\n", dir);
		return 1;
	}
	big.buf = large_message(&big.len);
	if (!big.buf)
		return 1;
	r = rate(v, n, 2.0);
	rb = rate(&big, 1, 1.0);
	if (r < 0 || rb < 0) {
		fprintf(stderr, "email_bench: a message failed to parse\n");
		return 1;
	}
	printf("email parse_per_s=%.0f\n", r);
	printf("  samples=%zu (tests/data/mail)\n", n);
	printf("  large message %zu KB: parse_per_s=%.0f\n", big.len / 1024,
	       rb);
	for (size_t i = 0; i < n; i++)
		free(v[i].buf);
	free(big.buf);
	return 0;
}
