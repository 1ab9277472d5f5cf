/*
 * attachments — see attachments.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "server/attachments.h"
#include "server/objects.h"

/*
 * What people send to a contact centre, and nothing a browser would run:
 * no HTML, SVG or archives (a zip hides what it carries from the type).
 */
static const char *const allowed[] = {
	"image/png",
	"image/jpeg",
	"image/gif",
	"image/webp",
	"application/pdf",
	"text/plain",
	"text/csv",
	"application/vnd.openxmlformats-officedocument.wordprocessingml."
	"document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.oasis.opendocument.text",
	"application/vnd.oasis.opendocument.spreadsheet",
	NULL,
};

bool attachments_type_allowed(const char *t)
{
	for (size_t i = 0; t && allowed[i]; i++)
		if (!strcmp(allowed[i], t))
			return true;
	return false;
}

const char *attachments_types_text(void)
{
	return "png, jpeg, gif, webp, pdf, text, csv, docx, xlsx, odt, ods";
}

bool attachments_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > 255 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
			return false;
	return true;
}

void attachments_sha256(const uint8_t *p, size_t n, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static bool hex_ok(const char *hex)
{
	if (strlen(hex) != 64)
		return false;
	return strspn(hex, "0123456789abcdef") == 64;
}

/* DIR/attachments/ab (sub) or DIR/attachments/ab/abcd... (file). */
static int path_of(const char *dir, const char *hex, bool file, char *out,
		   size_t size)
{
	int n;

	if (!hex_ok(hex))
		return EINVAL;
	if (file)
		n = snprintf(out, size, "%s/attachments/%.2s/%s", dir, hex,
			     hex);
	else
		n = snprintf(out, size, "%s/attachments/%.2s", dir, hex);
	return n < 0 || (size_t)n >= size ? ENAMETOOLONG : 0;
}

static int mkdir_p(const char *dir, const char *sub)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/attachments", dir);
	if (mkdir(p, 0700) && errno != EEXIST)
		return errno;
	if (mkdir(sub, 0700) && errno != EEXIST)
		return errno;
	return 0;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd))
		err = errno;
	close(fd);
	return err;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		p += w;
		n -= (size_t)w;
	}
	return fsync(fd) ? errno : 0;
}

int attachments_write(const char *dir, const char *hex, const uint8_t *p,
		      size_t n)
{
	char sub[1024], file[1100], tmp[1100];
	int fd, err;

	err = path_of(dir, hex, false, sub, sizeof(sub));
	if (!err)
		err = path_of(dir, hex, true, file, sizeof(file));
	if (!err)
		err = mkdir_p(dir, sub);
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", sub);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return errno;
	err = write_all(fd, p, n);
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, file))
		err = errno;
	if (err)
		unlink(tmp);
	else
		err = fsync_path(sub);
	return err;
}

int attachments_read(const char *dir, const char *hex, uint8_t **pp, size_t *np)
{
	char file[1100];
	struct stat st;
	uint8_t *p = NULL;
	size_t got = 0;
	int fd, err;

	err = path_of(dir, hex, true, file, sizeof(file));
	if (err)
		return err;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) || !(p = malloc((size_t)st.st_size + 1)))
		err = errno ? errno : ENOMEM;
	while (!err && got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			err = r ? errno : EIO;
		else
			got += (size_t)r;
	}
	close(fd);
	if (err) {
		free(p);
		return err;
	}
	*pp = p;
	*np = got;
	return 0;
}

/* RFC 5987's attr-char: what a filename* value may hold unescaped. */
static bool attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("!#$&+-.^_`|~", c);
}

size_t attachments_disposition(const char *name, char *out, size_t size)
{
	static const char head[] = "attachment; filename*=UTF-8''";
	size_t n = sizeof(head) - 1;

	if (size)
		snprintf(out, size, "%s", head);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		char e[4];
		size_t k;

		if (attr_char(*p) && *p)
			k = (size_t)snprintf(e, sizeof(e), "%c", *p);
		else
			k = (size_t)snprintf(e, sizeof(e), "%%%02X", *p);
		if (n + k < size)
			memcpy(out + n, e, k + 1);
		n += k;
	}
	return n;
}

int attachments_unlink(const char *dir, const char *hex)
{
	char file[4096], sub[4096];
	int err = path_of(dir, hex, true, file, sizeof(file));

	if (!err)
		err = path_of(dir, hex, false, sub, sizeof(sub));
	if (err)
		return err;
	if (unlink(file))
		return errno;
	return fsync_path(sub);
}

size_t attachments_max(struct srv *s, const char *tenant)
{
	struct obj *t = tenant ? obj_find(s, K_TENANTS, tenant) : NULL;
	json_int_t mb = t ? jv_int(t->body, "attachment_max_mb", 0) : 0;

	return mb > 0 ? (size_t)mb * 1024 * 1024 : ATTACHMENTS_MAX;
}
