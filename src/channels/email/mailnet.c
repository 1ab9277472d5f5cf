/* mailnet — the libcurl options the IMAP and SMTP clients share. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "channels/email/mailnet.h"

static bool host_ok(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	return n > 0 && n < 254 &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789.-:[]") == n;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libcurl's global state, once, before any handle of any thread. */
static void init_curl(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void mailnet_init(void)
{
	pthread_once(&init_once, init_curl);
}

int mailnet_setup(CURL *c, const struct mail_server *srv, const char *proto,
		  const char *path)
{
	long ms = srv->timeout_ms ? srv->timeout_ms : 30000;
	char url[512];

	if (!host_ok(srv->host) || !srv->port)
		return EINVAL;
	snprintf(url, sizeof(url), "%s%s://%s:%u%s", proto,
		 srv->tls == MAIL_TLS_IMPLICIT ? "s" : "", srv->host,
		 (unsigned)srv->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps,smtp,smtps");
	if (srv->tls == MAIL_TLS_STARTTLS)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (srv->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, srv->ca_file);
	if (srv->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, srv->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
				 srv->password ? srv->password : "");
	}
	return 0;
}

int mailnet_err(CURLcode rc)
{
	switch (rc) {
	case CURLE_OK:
		return 0;
	case CURLE_OUT_OF_MEMORY:
		return ENOMEM;
	case CURLE_OPERATION_TIMEDOUT:
		return ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return ECONNREFUSED;
	case CURLE_LOGIN_DENIED:
		return EACCES;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_USE_SSL_FAILED:
		return EPROTO;
	case CURLE_REMOTE_FILE_NOT_FOUND:
		return ENOENT;
	case CURLE_FILESIZE_EXCEEDED:
		return EFBIG;
	default:
		return EIO;
	}
}
