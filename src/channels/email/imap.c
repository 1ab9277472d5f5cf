/*
 * imap — the IMAP client on libcurl's easy interface. One handle per
 * mailbox: libcurl keeps the connection and the selected mailbox between
 * calls, so a poll is one login, not one per message.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/email/imap.h"

#define MAX_REPLY (1u << 20) /* a search or flags answer */

struct imap {
	CURL *c;
	struct mail_server srv;
	char *host, *user, *password, *ca_file, *mailbox;
};

struct buf {
	char *s;
	size_t len, max;
	bool over;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;
	char *s;

	if (b->len + len > b->max) {
		b->over = true;
		return 0;
	}
	s = realloc(b->s, b->len + len + 1);
	if (!s)
		return 0;
	memcpy(s + b->len, p, len);
	b->s = s;
	b->len += len;
	s[b->len] = '\0';
	return len;
}

/* A mailbox name that needs no quoting in a URL nor in a command. */
static bool mailbox_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 200 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-/") == n;
}

static char *dupn(const char *s)
{
	return s ? strdup(s) : NULL;
}

int imap_open(struct imap **imp, const struct mail_server *srv,
	      const char *mailbox)
{
	struct imap *im;

	if (!mailbox || !mailbox_ok(mailbox))
		return EINVAL;
	mailnet_init();
	im = calloc(1, sizeof(*im));
	if (!im)
		return ENOMEM;
	im->srv = *srv;
	im->host = dupn(srv->host);
	im->user = dupn(srv->user);
	im->password = dupn(srv->password);
	im->ca_file = dupn(srv->ca_file);
	im->mailbox = strdup(mailbox);
	im->srv.host = im->host;
	im->srv.user = im->user;
	im->srv.password = im->password;
	im->srv.ca_file = im->ca_file;
	im->c = curl_easy_init();
	if (!im->c || !im->mailbox || (srv->host && !im->host)) {
		imap_close(im);
		return ENOMEM;
	}
	*imp = im;
	return 0;
}

void imap_close(struct imap *im)
{
	if (!im)
		return;
	if (im->c)
		curl_easy_cleanup(im->c);
	free(im->host);
	free(im->user);
	free(im->password);
	free(im->ca_file);
	free(im->mailbox);
	free(im);
}

/* One request: PATH after the mailbox, CMD a custom command or NULL. */
static int run(struct imap *im, const char *path, const char *cmd,
	       struct buf *b)
{
	char full[512];
	int err;

	snprintf(full, sizeof(full), "/%s%s", im->mailbox, path);
	curl_easy_reset(im->c);
	err = mailnet_setup(im->c, &im->srv, "imap", full);
	if (err)
		return err;
	curl_easy_setopt(im->c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(im->c, CURLOPT_WRITEDATA, b);
	if (cmd)
		curl_easy_setopt(im->c, CURLOPT_CUSTOMREQUEST, cmd);
	err = mailnet_err(curl_easy_perform(im->c));
	if (err && b->over)
		err = EFBIG;
	return err;
}

static int add_uid(uint32_t **uidsp, size_t *np, unsigned long v)
{
	uint32_t *u = realloc(*uidsp, (*np + 1) * sizeof(*u));

	if (!u)
		return ENOMEM;
	u[(*np)++] = (uint32_t)v;
	*uidsp = u;
	return 0;
}

/* "* SEARCH 3 4 9" lines; other untagged lines are skipped. */
static int parse_search(const char *s, uint32_t **uidsp, size_t *np)
{
	const char *line = s;
	int err = 0;

	for (; line && *line && !err;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line + 8;

		if (strncmp(line, "* SEARCH", 8))
			continue;
		while (*p == ' ' && !err) {
			char *end;
			unsigned long v = strtoul(p + 1, &end, 10);

			if (end == p + 1 || v == 0 || v > UINT32_MAX)
				break;
			err = add_uid(uidsp, np, v);
			p = end;
		}
	}
	return err;
}

static bool criteria_ok(const char *c)
{
	size_t n = strlen(c);

	return n > 0 && n < 200 &&
	       strspn(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789 $\\-:") == n;
}

static int cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int imap_search(struct imap *im, const char *criteria, uint32_t **uidsp,
		size_t *np)
{
	struct buf b = {.max = MAX_REPLY};
	char cmd[256];
	int err;

	*uidsp = NULL;
	*np = 0;
	if (!criteria_ok(criteria))
		return EINVAL;
	snprintf(cmd, sizeof(cmd), "UID SEARCH %s", criteria);
	err = run(im, "", cmd, &b);
	if (!err)
		err = parse_search(b.s ? b.s : "", uidsp, np);
	free(b.s);
	if (err) {
		free(*uidsp);
		*uidsp = NULL;
		*np = 0;
		return err;
	}
	if (*np)
		qsort(*uidsp, *np, sizeof(**uidsp), cmp_uid);
	return 0;
}

int imap_fetch(struct imap *im, uint32_t uid, char **bufp, size_t *lenp,
	       size_t max)
{
	struct buf b = {.max = max};
	char path[32];
	int err;

	*bufp = NULL;
	snprintf(path, sizeof(path), "/;UID=%u", (unsigned)uid);
	err = run(im, path, NULL, &b);
	if (!err && !b.s)
		err = ENOENT; /* the server answered, without the message */
	if (err) {
		free(b.s);
		return err;
	}
	*bufp = b.s;
	*lenp = b.len;
	return 0;
}

static int command(struct imap *im, const char *cmd, char **outp)
{
	struct buf b = {.max = MAX_REPLY};
	int err = run(im, "", cmd, &b);

	if (!err && outp) {
		*outp = b.s ? b.s : strdup("");
		return *outp ? 0 : ENOMEM;
	}
	free(b.s);
	return err;
}

int imap_mark_done(struct imap *im, uint32_t uid)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "UID STORE %u +FLAGS.SILENT (\\Seen %s)",
		 (unsigned)uid, IMAP_DONE_KEYWORD);
	return command(im, cmd, NULL);
}

/* A UID set of uids from *i on ("3:7,9,12:13"), as long as fits in out. */
static void uid_set(char *out, size_t size, const uint32_t *uids, size_t n,
		    size_t *i)
{
	size_t len = 0;

	out[0] = '\0';
	while (*i < n && len + 24 < size) {
		size_t j = *i;

		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		len += (size_t)snprintf(out + len, size - len, "%s%u",
					len ? "," : "", (unsigned)uids[*i]);
		if (j > *i)
			len += (size_t)snprintf(out + len, size - len, ":%u",
						(unsigned)uids[j]);
		*i = j + 1;
	}
}

int imap_mark_done_set(struct imap *im, const uint32_t *uids, size_t n)
{
	char set[900], cmd[1000];
	size_t i = 0;
	int err = 0;

	while (!err && i < n) {
		uid_set(set, sizeof(set), uids, n, &i);
		snprintf(cmd, sizeof(cmd),
			 "UID STORE %s +FLAGS.SILENT (\\Seen %s)", set,
			 IMAP_DONE_KEYWORD);
		err = command(im, cmd, NULL);
	}
	return err;
}

int imap_delete(struct imap *im, uint32_t uid)
{
	char cmd[128];
	int err;

	snprintf(cmd, sizeof(cmd), "UID STORE %u +FLAGS.SILENT (\\Deleted)",
		 (unsigned)uid);
	err = command(im, cmd, NULL);
	return err ? err : command(im, "EXPUNGE", NULL);
}

int imap_flags(struct imap *im, uint32_t uid, char **flagsp)
{
	char cmd[64], *raw, *p, *end;
	int err;

	*flagsp = NULL;
	snprintf(cmd, sizeof(cmd), "UID FETCH %u FLAGS", (unsigned)uid);
	err = command(im, cmd, &raw);
	if (err)
		return err;
	p = strstr(raw, "FLAGS (");
	end = p ? strchr(p + 7, ')') : NULL;
	if (!end) {
		free(raw);
		return ENOENT;
	}
	*flagsp = strndup(p + 7, (size_t)(end - p - 7));
	free(raw);
	return *flagsp ? 0 : ENOMEM;
}
