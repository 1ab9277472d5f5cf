/*
 * mailnet — where an IMAP or SMTP server is and how to speak to it, for
 * the libcurl clients (imap.h, smtp.h). Their calls block (bounded by
 * timeout_ms): the server runs them off its loop, in a worker.
 */
#ifndef RELAIS_CHANNELS_EMAIL_MAILNET_H
#define RELAIS_CHANNELS_EMAIL_MAILNET_H

#include <stdint.h>

#include <curl/curl.h>

enum mail_tls {
	MAIL_TLS_NONE,	   /* plain (tests on loopback) */
	MAIL_TLS_STARTTLS, /* plain, then STARTTLS required */
	MAIL_TLS_IMPLICIT, /* imaps:// or smtps:// */
};

struct mail_server {
	const char *host;
	uint16_t port;
	enum mail_tls tls;
	const char *user; /* NULL: no login (SMTP) */
	const char *password;
	const char *ca_file; /* NULL: the system's */
	long timeout_ms;     /* 0: 30 s */
};

/* libcurl's global state; imap_open() and smtp_send() call it. */
void mailnet_init(void);
/* The handle set up for SRV at URL path PATH ("/INBOX", ""). */
int mailnet_setup(CURL *c, const struct mail_server *srv, const char *proto,
		  const char *path);
/* A libcurl result as an errno. */
int mailnet_err(CURLcode rc);

#endif
