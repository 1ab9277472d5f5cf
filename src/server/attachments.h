/*
 * attachments — the files of written contacts on disk, content-addressed
 * under the data folder: DATA/attachments/<sha256[0:2]>/<sha256>. A file
 * is written to a temporary name in the same folder, fsynced, renamed,
 * and its folder fsynced, so a name that exists always holds the whole
 * file; the same bytes uploaded twice share one file. Their metadata is
 * the contact.attachment event (messages.c); these functions only know
 * bytes, names and types. Plain blocking I/O: call them off the loop.
 */
#ifndef RELAIS_ATTACHMENTS_H
#define RELAIS_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest attachment by default (10 MiB; a tenant's
 * attachment_max_mb changes it: attachments_max). */
#define ATTACHMENTS_MAX (10u * 1024 * 1024)

struct srv;
/*
 * The largest attachment of tenant in bytes: its attachment_max_mb, or
 * ATTACHMENTS_MAX (unknown tenant, field absent). An upload route's body
 * limit (struct route's body_limit), so that a file over it is refused
 * with 413 before a byte of it is read. On the loop.
 */
size_t attachments_max(struct srv *s, const char *tenant);

/* Whether media type t (lower case, no parameters) may be attached. */
bool attachments_type_allowed(const char *t);
/* The allowed types, for messages ("image/png, image/jpeg, ..."). */
const char *attachments_types_text(void);

/*
 * Whether name may name a file: 1 to 255 bytes of UTF-8, no control
 * character, no '/' or '\\', not "." or "..".
 */
bool attachments_name_ok(const char *name);

/* The SHA-256 of p as 64 lower-case hex digits (hex: 65 bytes). */
void attachments_sha256(const uint8_t *p, size_t n, char hex[65]);

/*
 * Stores p (n bytes) whose SHA-256 is hex under dir/attachments, durably
 * (see above). 0 or errno.
 */
int attachments_write(const char *dir, const char *hex, const uint8_t *p,
		      size_t n);
/* Deletes the file of hex (erased or expired). 0, ENOENT, errno. */
int attachments_unlink(const char *dir, const char *hex);
/* Reads the file of hex into *pp (malloc'd, *np bytes). 0, ENOENT, errno. */
int attachments_read(const char *dir, const char *hex, uint8_t **pp,
		     size_t *np);

/*
 * The Content-Disposition value for name: attachment; filename*=UTF-8''
 * with every byte but RFC 5987's attr-chars percent-encoded. The length
 * it needs (as snprintf), out truncated to size.
 */
size_t attachments_disposition(const char *name, char *out, size_t size);

#endif
