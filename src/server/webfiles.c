/*
 * The web folder at / (the browser application): a GET or HEAD of a path
 * no API route has is a file of the folder (see webfiles.h).
 *
 * Cost: a stat and a read of the file on the loop, per request; the
 * files are small and in the page cache, and 304s read nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/libre.h"

#include "server/srv.h"
#include "server/webfiles.h"
#include "server/module.h"
#include "server/log.h"
#include "server/webpath.h"
#include "sys/readfile.h"

#define FILE_MAX (16 * 1024 * 1024)

/* Every page: scripts and styles of this origin only, no frames. */
#define CSP                                                                \
	"Content-Security-Policy: default-src 'self'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; "     \
	"font-src 'self'; object-src 'none'; base-uri 'none'; "            \
	"form-action 'self'; frame-ancestors 'none'\r\n"

int webfiles_root(const char *dir, char *out, size_t size)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(dir, real))
		return errno;
	if (stat(real, &st))
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	if (strlen(real) + 1 > size)
		return ENAMETOOLONG;
	snprintf(out, size, "%s", real);
	return 0;
}

/*
 * The regular file root/rel, its real path inside root (a symbolic link
 * that leads out is no file of ours). 0, ENOENT or another errno value.
 */
static int file_find(const char *root, const char *rel, char *out,
		     struct stat *st)
{
	char path[PATH_MAX + WEBPATH_MAX + 2];
	size_t n = strlen(root);

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!realpath(path, out))
		return errno == ENOTDIR ? ENOENT : errno;
	if (strncmp(out, root, n) || out[n] != '/')
		return ENOENT;
	if (stat(out, st))
		return errno;
	return S_ISREG(st->st_mode) ? 0 : ENOENT;
}

/* A client-side route of the application: no extension at the end. */
static bool app_route(const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return !strchr(slash ? slash + 1 : rel, '.');
}

static bool header_has(const struct hreq *r, enum http_hdrid id,
		       const char *token)
{
	const struct http_hdr *h = http_msg_hdr(r->msg, id);
	size_t n = strlen(token);

	if (!h)
		return false;
	for (size_t i = 0; i + n <= h->val.l; i++)
		if (!memcmp(h->val.p + i, token, n))
			return true;
	return false;
}

struct found {
	char path[PATH_MAX];
	struct stat st;
	bool gzip;
	char etag[64];
};

/* The file for rel, precompressed when the client takes gzip. */
static int choose(struct hreq *r, const char *root, const char *rel,
		  struct found *f)
{
	char gz[WEBPATH_MAX + 4], path[PATH_MAX];
	struct stat st;
	int err = file_find(root, rel, f->path, &f->st);

	if (err)
		return err;
	snprintf(gz, sizeof(gz), "%s.gz", rel);
	if (header_has(r, HTTP_HDR_ACCEPT_ENCODING, "gzip") &&
	    !file_find(root, gz, path, &st)) {
		memcpy(f->path, path, sizeof(path));
		f->st = st;
		f->gzip = true;
	}
	snprintf(f->etag, sizeof(f->etag), "\"%llx-%llx%s\"",
		 (unsigned long long)f->st.st_size,
		 (unsigned long long)f->st.st_mtim.tv_sec * 1000000000ull +
			 (unsigned long long)f->st.st_mtim.tv_nsec,
		 f->gzip ? "-gz" : "");
	return 0;
}

static void answer(struct hreq *r, const char *rel, const struct found *f)
{
	bool head = !strcmp(r->method, "HEAD");
	char *body = NULL;
	size_t len = 0;

	snprintf(r->extra, sizeof(r->extra),
		 "ETag: %s\r\nCache-Control: %s\r\nVary: Accept-Encoding\r\n"
		 "%s",
		 f->etag,
		 strncmp(rel, "vendor/", 7)
			 ? "no-cache"
			 : "public, max-age=31536000, immutable",
		 f->gzip ? "Content-Encoding: gzip\r\n" : "");
	if (header_has(r, HTTP_HDR_IF_NONE_MATCH, f->etag)) {
		web_file(r, 304, webpath_mime(rel), NULL, 0, CSP, true);
		return;
	}
	if (f->st.st_size > FILE_MAX ||
	    (!head && file_read_all(f->path, FILE_MAX, &body, &len))) {
		web_error(r, 500, "internal", "cannot read %s", rel);
		return;
	}
	web_file(r, 200, webpath_mime(rel), body,
		 head ? (size_t)f->st.st_size : len, CSP, head);
	free(body);
}

bool webfiles_serve(struct hreq *r, const char *root)
{
	char rel[WEBPATH_MAX + 1];
	struct found f = {0};
	int err;

	if (!root || !root[0] ||
	    (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) ||
	    !strncmp(r->path, "/api/", 5))
		return false;
	if (!webpath_map(r->path, strlen(r->path), rel, sizeof(rel))) {
		web_error(r, 404, "not_found", "no file %s", r->path);
		return true;
	}
	err = choose(r, root, rel, &f);
	if (err == ENOENT && app_route(rel)) {
		snprintf(rel, sizeof(rel), "index.html");
		err = choose(r, root, rel, &f);
	}
	if (err) {
		web_error(r, 404, "not_found", "no file %s", r->path);
		return true;
	}
	answer(r, rel, &f);
	return true;
}

/* The folder of --web, when there is one; the server does not start
 * without it. */
static int webfiles_init(struct srv *s, void **state)
{
	char *root;
	int err;

	if (!s->cfg.web_dir)
		return 0;
	root = malloc(PATH_MAX);
	if (!root)
		return ENOMEM;
	err = webfiles_root(s->cfg.web_dir, root, PATH_MAX);
	if (err) {
		log_error("http", "msg=\"no web folder\" dir=%s err=\"%s\"",
			  s->cfg.web_dir, strerror(err));
		free(root);
		return err;
	}
	log_info("http", "web=%s", root);
	*state = root;
	return 0;
}

static bool webfiles_fallback(struct hreq *r)
{
	const char *root = srv_module_state(r->srv, &webfiles_module);

	return root && webfiles_serve(r, root);
}

static void webfiles_close(struct srv *s, void *state)
{
	(void)s;
	free(state);
}

const struct srv_module webfiles_module = {
	.name = "webfiles",
	.init = webfiles_init,
	.fallback = webfiles_fallback,
	.close = webfiles_close,
};
