/* smtp — the SMTP client on libcurl's easy interface. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "channels/email/smtp.h"

struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *out, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t len = size * n;

	if (len > u->left)
		len = u->left;
	memcpy(out, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

/* An envelope address: no space, no control, no bracket, one '@'. */
static bool addr_ok(const char *a)
{
	size_t n = a ? strlen(a) : 0;

	if (n < 3 || n > 320 || !strchr(a, '@'))
		return false;
	for (; *a; a++) {
		if ((unsigned char)*a <= ' ' || *a == '<' || *a == '>')
			return false;
	}
	return true;
}

static int recipients(struct curl_slist **listp, const char *const *rcpt,
		      size_t n)
{
	char one[330];

	for (size_t i = 0; i < n; i++) {
		struct curl_slist *l;

		if (!addr_ok(rcpt[i]))
			return EINVAL;
		snprintf(one, sizeof(one), "<%s>", rcpt[i]);
		l = curl_slist_append(*listp, one);
		if (!l)
			return ENOMEM;
		*listp = l;
	}
	return n ? 0 : EINVAL;
}

int smtp_send(const struct mail_server *srv, const char *from,
	      const char *const *rcpt, size_t nrcpt, const char *msg,
	      size_t len)
{
	struct upload up = {msg, len};
	struct curl_slist *list = NULL;
	char sender[330];
	CURL *c;
	int err;

	if (!addr_ok(from))
		return EINVAL;
	mailnet_init();
	err = recipients(&list, rcpt, nrcpt);
	c = err ? NULL : curl_easy_init();
	if (!err && !c)
		err = ENOMEM;
	if (!err)
		err = mailnet_setup(c, srv, "smtp", "/relais");
	if (!err) {
		snprintf(sender, sizeof(sender), "<%s>", from);
		curl_easy_setopt(c, CURLOPT_MAIL_FROM, sender);
		curl_easy_setopt(c, CURLOPT_MAIL_RCPT, list);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &up);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
		err = mailnet_err(curl_easy_perform(c));
	}
	if (c)
		curl_easy_cleanup(c);
	curl_slist_free_all(list);
	return err;
}
