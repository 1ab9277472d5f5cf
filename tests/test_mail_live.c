/*
 * test_mail_live — the IMAP and SMTP clients against real servers: a
 * Dovecot and an aiosmtpd sink started here, on loopback, in a temporary
 * folder, and stopped by PID (they also get SIGTERM if this process dies:
 * PR_SET_PDEATHSIG). Messages arrive as a delivery agent leaves them, as
 * files in the Maildir's new/.
 *
 * Each test has its own user, so its own mailbox: the tests do not see
 * each other's messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "channels/email/imap.h"
#include "channels/email/mime.h"
#include "channels/email/smtp.h"

#define DEADLINE_S 30

struct rig {
	char dir[256];
	pid_t dovecot, sink;
	uint16_t imap_port, imaps_port, smtp_port;
	uid_t uid; /* the mail files' owner */
	gid_t gid;
	const char *login_user, *internal_user;
};

static struct rig rig;

static uint16_t free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	return ntohs(a.sin_port);
}

static void path(char *out, size_t size, const char *rel)
{
	snprintf(out, size, "%s/%s", rig.dir, rel);
}

static pid_t spawn(char *const argv[], const char *log)
{
	char logpath[512];
	pid_t pid;

	path(logpath, sizeof(logpath), log);
	pid = fork();
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);

		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (chdir(rig.dir) == 0)
			execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void stop(pid_t *pid)
{
	int status;

	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	for (int i = 0; i < DEADLINE_S * 10; i++) {
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			*pid = 0;
			return;
		}
		poll(NULL, 0, 100);
	}
	kill(*pid, SIGKILL);
	waitpid(*pid, &status, 0);
	*pid = 0;
}

/* Whether the server on PORT greets with PREFIX, while PID lives. */
static bool greets(pid_t pid, uint16_t port, const char *prefix)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	time_t end = time(NULL) + DEADLINE_S;
	char buf[256];

	while (time(NULL) < end) {
		int fd = socket(AF_INET, SOCK_STREAM, 0), status;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n = 0;

		if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a)) &&
		    poll(&p, 1, 2000) == 1)
			n = read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			return !strncmp(buf, prefix, strlen(prefix));
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			return false; /* it died: the port was taken? */
		poll(NULL, 0, 50);
	}
	return false;
}

static int write_file(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	path(p, sizeof(p), rel);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int dovecot_conf(void)
{
	char conf[4096];

	snprintf(conf, sizeof(conf),
		 "base_dir = %1$s/run\n"
		 "state_dir = %1$s/state\n"
		 "log_path = %1$s/dovecot.log\n"
		 "protocols = imap\n"
		 "listen = 127.0.0.1\n"
		 "ssl = yes\n"
		 "ssl_cert = <%1$s/cert.pem\n"
		 "ssl_key = <%1$s/key.pem\n"
		 "disable_plaintext_auth = no\n"
		 "auth_mechanisms = plain login\n"
		 "first_valid_uid = 1\n"
		 "default_login_user = %2$s\n"
		 "default_internal_user = %3$s\n"
		 "passdb {\n  driver = passwd-file\n"
		 "  args = scheme=PLAIN username_format=%%u %1$s/passwd\n}\n"
		 "userdb {\n  driver = static\n"
		 "  args = uid=%4$u gid=%5$u home=%1$s/home/%%u\n}\n"
		 "mail_location = maildir:~/Maildir\n"
		 "service imap-login {\n"
		 "  inet_listener imap {\n    address = 127.0.0.1\n"
		 "    port = %6$u\n  }\n"
		 "  inet_listener imaps {\n    address = 127.0.0.1\n"
		 "    port = %7$u\n  }\n"
		 "  chroot =\n}\n"
		 "service anvil {\n  chroot =\n}\n",
		 rig.dir, rig.login_user, rig.internal_user, (unsigned)rig.uid,
		 (unsigned)rig.gid, (unsigned)rig.imap_port,
		 (unsigned)rig.imaps_port);
	return write_file("dovecot.conf", conf);
}

static int start_dovecot(void)
{
	char conf[512];
	char *argv[] = {"/usr/sbin/dovecot", "-F", "-c", conf, NULL};

	path(conf, sizeof(conf), "dovecot.conf");
	for (int tries = 0; tries < 3; tries++) {
		rig.imap_port = free_port();
		rig.imaps_port = free_port();
		if (dovecot_conf())
			return -1;
		rig.dovecot = spawn(argv, "dovecot.out");
		if (greets(rig.dovecot, rig.imap_port, "* OK"))
			return 0;
		stop(&rig.dovecot);
	}
	return -1;
}

static int start_sink(void)
{
	char listen[64], maildir[512], cert[512], key[512];
	/* STARTTLS offered, not required: plain and TLS on one port. */
	char *argv[] = {"/usr/bin/python3",
			"-m",
			"aiosmtpd",
			"-n",
			"-l",
			listen,
			"--tlscert",
			cert,
			"--tlskey",
			key,
			"--no-requiretls",
			"-c",
			"aiosmtpd.handlers.Mailbox",
			maildir,
			NULL};

	path(maildir, sizeof(maildir), "sink");
	path(cert, sizeof(cert), "cert.pem");
	path(key, sizeof(key), "key.pem");
	for (int tries = 0; tries < 3; tries++) {
		rig.smtp_port = free_port();
		snprintf(listen, sizeof(listen), "127.0.0.1:%u",
			 (unsigned)rig.smtp_port);
		rig.sink = spawn(argv, "sink.out");
		if (greets(rig.sink, rig.smtp_port, "220"))
			return 0;
		stop(&rig.sink);
	}
	return -1;
}

/* Root runs the rig with Debian's dovecot users; anyone else as self. */
static void pick_users(void)
{
	struct passwd *pw;

	if (getuid() != 0) {
		pw = getpwuid(getuid());
		rig.uid = getuid();
		rig.gid = getgid();
		rig.login_user = pw ? strdup(pw->pw_name) : "nobody";
		rig.internal_user = rig.login_user;
		return;
	}
	pw = getpwnam("nobody");
	rig.uid = pw ? pw->pw_uid : 65534;
	rig.gid = pw ? pw->pw_gid : 65534;
	rig.login_user = "dovenull";
	rig.internal_user = "dovecot";
}

/* A certificate for 127.0.0.1, its own authority, made for this run. */
static int make_cert(void)
{
	char cmd[1400];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:prime256v1 -nodes -keyout key.pem "
		 "-out cert.pem -days 2 -subj /CN=127.0.0.1 -addext "
		 "subjectAltName=IP:127.0.0.1 >openssl.out 2>&1",
		 rig.dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int rig_up(void **state)
{
	char p[512];

	(void)state;
	snprintf(rig.dir, sizeof(rig.dir), "/tmp/relais-mail.XXXXXX");
	if (!mkdtemp(rig.dir) || chmod(rig.dir, 0755))
		return -1;
	pick_users();
	path(p, sizeof(p), "home");
	if (mkdir(p, 0755) || chown(p, rig.uid, rig.gid))
		return -1;
	if (write_file("passwd", "fetch:{PLAIN}secret::::::\n"
				 "mark:{PLAIN}secret::::::\n"
				 "delete:{PLAIN}secret::::::\n"
				 "tls:{PLAIN}secret::::::\n"))
		return -1;
	if (make_cert() || start_dovecot() || start_sink()) {
		stop(&rig.dovecot);
		stop(&rig.sink);
		fprintf(stderr, "mail rig: see the logs in %s\n", rig.dir);
		return -1;
	}
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int rig_down(void **state)
{
	(void)state;
	stop(&rig.dovecot);
	stop(&rig.sink);
	nftw(rig.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static int mkdir_owned(const char *p)
{
	if (mkdir(p, 0700) && errno != EEXIST)
		return -1;
	return chown(p, rig.uid, rig.gid);
}

/* A delivery agent's way: write in tmp/, rename into new/. */
static void deliver(const char *user, const char *sample)
{
	static unsigned seq;
	const char *src = getenv("RELAIS_SOURCE_DIR");
	char md[512], from[1024], tmp[1024], dst[1024], cmd[2200];

	snprintf(md, sizeof(md), "%s/home/%s", rig.dir, user);
	assert_int_equal(mkdir_owned(md), 0);
	strcat(md, "/Maildir");
	assert_int_equal(mkdir_owned(md), 0);
	for (int i = 0; i < 3; i++) {
		const char *sub[] = {"/cur", "/new", "/tmp"};

		snprintf(tmp, sizeof(tmp), "%s%s", md, sub[i]);
		assert_int_equal(mkdir_owned(tmp), 0);
	}
	snprintf(from, sizeof(from), "%s/tests/data/mail/%s", src ? src : ".",
		 sample);
	snprintf(tmp, sizeof(tmp), "%s/tmp/%ld.%u.relais", md, (long)getpid(),
		 ++seq);
	snprintf(dst, sizeof(dst), "%s/new/%ld.%u.relais", md, (long)getpid(),
		 seq);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, tmp);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(chown(tmp, rig.uid, rig.gid), 0);
	assert_int_equal(rename(tmp, dst), 0);
}

static struct imap *open_box(const char *user, const char *password)
{
	struct mail_server srv = {.host = "127.0.0.1",
				  .port = rig.imap_port,
				  .user = user,
				  .password = password,
				  .timeout_ms = 20000};
	struct imap *im = NULL;

	assert_int_equal(imap_open(&im, &srv, "INBOX"), 0);
	return im;
}

static struct mail_msg *fetch_parse(struct imap *im, uint32_t uid)
{
	struct mail_msg *m = NULL;
	size_t len;
	char *raw;

	assert_int_equal(imap_fetch(im, uid, &raw, &len, 1u << 20), 0);
	assert_int_equal(mail_parse(&m, raw, len, NULL), 0);
	free(raw);
	return m;
}

static void fetch_and_parse(void **state)
{
	const char *samples[] = {"plain-utf8.eml", "html-only.eml",
				 "mixed-attachment.eml", "latin1-qp.eml",
				 "reply.eml"};
	struct imap *im = open_box("fetch", "secret");
	unsigned seen = 0;
	uint32_t *uids;
	size_t n;

	(void)state;
	for (size_t i = 0; i < 5; i++)
		deliver("fetch", samples[i]);
	assert_int_equal(imap_search(im, IMAP_PENDING, &uids, &n), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		struct mail_msg *m = fetch_parse(im, uids[i]);

		if (!strcmp(m->message_id, "m1@example.org")) {
			assert_string_equal(m->subject,
					    "Problème de livraison €");
			seen |= 1;
		} else if (!strcmp(m->message_id, "m4@example.com")) {
			assert_null(strstr(m->html, "script"));
			assert_non_null(strstr(m->text, "Votre commande"));
			seen |= 2;
		} else if (!strcmp(m->message_id, "m6@example.org")) {
			assert_int_equal(m->nparts, 1);
			assert_string_equal(m->parts[0].name,
					    "facture décembre.pdf");
			assert_int_equal(m->parts[0].size, 54);
			seen |= 4;
		} else if (!strcmp(m->message_id, "m2@example.fr")) {
			assert_string_equal(m->subject, "Réclamation facturée");
			seen |= 8;
		} else if (!strcmp(m->message_id, "m8@example.org")) {
			assert_string_equal(m->in_reply_to, "ans1@relais.test");
			assert_int_equal(m->nreferences, 2);
			seen |= 16;
		}
		mail_msg_free(m);
	}
	assert_int_equal(seen, 31);
	free(uids);
	imap_close(im);
}

static bool has_uid(const uint32_t *uids, size_t n, uint32_t uid)
{
	for (size_t i = 0; i < n; i++) {
		if (uids[i] == uid)
			return true;
	}
	return false;
}

/*
 * libcurl's fetch sets \Seen by itself; only imap_mark_done() takes a
 * message out of what is pending.
 */
static void mark_done(void **state)
{
	struct imap *im = open_box("mark", "secret");
	uint32_t *uids, uid;
	struct mail_msg *m;
	char *flags;
	size_t n;

	(void)state;
	deliver("mark", "alternative.eml");
	assert_int_equal(imap_search(im, "UNSEEN", &uids, &n), 0);
	assert_int_equal(n, 1);
	uid = uids[0];
	free(uids);
	m = fetch_parse(im, uid);
	assert_string_equal(m->text, "Texte brut.");
	mail_msg_free(m);
	assert_int_equal(imap_search(im, IMAP_PENDING, &uids, &n), 0);
	assert_true(has_uid(uids, n, uid)); /* fetched, not yet durable */
	free(uids);
	assert_int_equal(imap_mark_done(im, uid), 0);
	assert_int_equal(imap_search(im, IMAP_PENDING, &uids, &n), 0);
	assert_int_equal(n, 0);
	free(uids);
	assert_int_equal(imap_flags(im, uid, &flags), 0);
	assert_non_null(strstr(flags, "\\Seen"));
	assert_non_null(strstr(flags, IMAP_DONE_KEYWORD));
	free(flags);
	imap_close(im);
}

static void delete_and_errors(void **state)
{
	struct imap *im = open_box("delete", "secret"), *bad;
	uint32_t *uids, uid;
	size_t n, len;
	char *raw;

	(void)state;
	deliver("delete", "auto-reply.eml");
	assert_int_equal(imap_search(im, "ALL", &uids, &n), 0);
	assert_int_equal(n, 1);
	uid = uids[0];
	free(uids);
	assert_int_equal(imap_delete(im, uid), 0);
	assert_int_equal(imap_search(im, "ALL", &uids, &n), 0);
	assert_int_equal(n, 0);
	free(uids);
	assert_int_equal(imap_fetch(im, uid, &raw, &len, 1u << 20), ENOENT);
	assert_int_equal(imap_search(im, "ALL\r\nA1 LOGOUT", &uids, &n),
			 EINVAL);
	imap_close(im);

	bad = open_box("delete", "wrong");
	assert_int_equal(imap_search(bad, "ALL", &uids, &n), EACCES);
	imap_close(bad);
	assert_int_equal(imap_open(&bad, &(struct mail_server){0}, "a\r\nb"),
			 EINVAL);
}

/* The newest file in the sink's new/, as text; NULL until there is one. */
static char *sink_message(void)
{
	char cmd[600], *buf = calloc(1, 1 << 16);
	FILE *f;
	size_t n;

	snprintf(cmd, sizeof(cmd), "cat %s/sink/new/* 2>/dev/null", rig.dir);
	f = popen(cmd, "r");
	n = f ? fread(buf, 1, (1 << 16) - 1, f) : 0;
	if (f)
		pclose(f);
	if (!n) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void smtp_reply(void **state)
{
	struct mail_server srv = {.host = "127.0.0.1",
				  .port = rig.smtp_port,
				  .timeout_ms = 20000};
	const char *cc[] = {"boss@example.org"};
	const char *rcpt[] = {"jose@example.org", "boss@example.org"};
	struct mail_msg *orig = NULL, *got = NULL;
	const char *src = getenv("RELAIS_SOURCE_DIR");
	char p[1024], *raw, *out, *id, *body;
	size_t len;
	FILE *f;

	(void)state;
	snprintf(p, sizeof(p), "%s/tests/data/mail/reply.eml", src ? src : ".");
	f = fopen(p, "rb");
	assert_non_null(f);
	raw = calloc(1, 4096);
	len = fread(raw, 1, 4095, f);
	fclose(f);
	assert_int_equal(mail_parse(&orig, raw, len, NULL), 0);
	free(raw);

	struct mail_reply r = {.orig = orig,
			       .from_name = "Support",
			       .from_addr = "support@relais.test",
			       .reply_to = "support@relais.test",
			       .cc = cc,
			       .ncc = 1,
			       .text = "Votre colis part demain.",
			       .quote = true,
			       .now_ms = 1796900000000LL};
	assert_int_equal(mail_reply_build(&out, &len, &id, &r), 0);
	assert_int_equal(
		smtp_send(&srv, "support@relais.test", rcpt, 2, out, len), 0);
	/* The sink has written it before its 250: it is there now. */
	body = sink_message();
	assert_non_null(body);
	assert_non_null(strstr(body, "X-MailFrom: support@relais.test"));
	assert_non_null(
		strstr(body, "X-RcptTo: jose@example.org, boss@example.org"));
	assert_int_equal(mail_parse(&got, body, strlen(body), NULL), 0);
	assert_string_equal(got->message_id, id);
	assert_string_equal(got->in_reply_to, "m8@example.org");
	assert_int_equal(got->nreferences, 3);
	assert_string_equal(got->subject,
			    "Re: [#C-1042] Problème de livraison");
	assert_non_null(strstr(got->text, "Votre colis part demain."));
	assert_non_null(strstr(got->text, "> Toujours rien."));
	assert_false(got->is_auto);
	mail_msg_free(got);
	free(body);

	/* Refusals: a header in an address, a closed port. */
	const char *evil[] = {"a@b.c>\r\nRCPT TO:<x@y.z"};
	assert_int_equal(
		smtp_send(&srv, "support@relais.test", evil, 1, out, len),
		EINVAL);
	srv.port = free_port();
	assert_int_equal(
		smtp_send(&srv, "support@relais.test", rcpt, 1, out, len),
		ECONNREFUSED);
	free(out);
	free(id);
	mail_msg_free(orig);
}

static int tls_search(enum mail_tls tls, uint16_t port, const char *ca)
{
	struct mail_server srv = {.host = "127.0.0.1",
				  .port = port,
				  .tls = tls,
				  .user = "tls",
				  .password = "secret",
				  .ca_file = ca,
				  .timeout_ms = 20000};
	struct imap *im;
	uint32_t *uids;
	size_t n;
	int err;

	assert_int_equal(imap_open(&im, &srv, "INBOX"), 0);
	err = imap_search(im, "ALL", &uids, &n);
	if (!err)
		free(uids);
	imap_close(im);
	return err;
}

static int tls_send(enum mail_tls tls, const char *ca)
{
	struct mail_server srv = {.host = "127.0.0.1",
				  .port = rig.smtp_port,
				  .tls = tls,
				  .ca_file = ca,
				  .timeout_ms = 20000};
	const char *rcpt[] = {"tls@example.org"};
	const char msg[] = "From: support@relais.test\r\n"
			   "To: tls@example.org\r\nSubject: tls\r\n\r\nx\r\n";

	return smtp_send(&srv, "support@relais.test", rcpt, 1, msg,
			 sizeof(msg) - 1);
}

/*
 * STARTTLS and implicit TLS, verified against this run's certificate;
 * the same servers refused without it (so TLS was really spoken).
 */
static void tls(void **state)
{
	char ca[512];

	(void)state;
	path(ca, sizeof(ca), "cert.pem");
	assert_int_equal(tls_search(MAIL_TLS_STARTTLS, rig.imap_port, ca), 0);
	assert_int_equal(tls_search(MAIL_TLS_IMPLICIT, rig.imaps_port, ca), 0);
	assert_int_equal(tls_search(MAIL_TLS_STARTTLS, rig.imap_port, NULL),
			 EPROTO);
	assert_int_equal(tls_search(MAIL_TLS_IMPLICIT, rig.imaps_port, NULL),
			 EPROTO);
	assert_int_equal(tls_send(MAIL_TLS_STARTTLS, ca), 0);
	assert_int_equal(tls_send(MAIL_TLS_STARTTLS, NULL), EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fetch_and_parse),
		cmocka_unit_test(mark_done),
		cmocka_unit_test(delete_and_errors),
		cmocka_unit_test(smtp_reply),
		cmocka_unit_test(tls),
	};

	return cmocka_run_group_tests(tests, rig_up, rig_down);
}
