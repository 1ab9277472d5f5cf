/*
 * prompts — what callers hear, as files: texts rendered by the espeak-ng
 * command (run, never linked: it is GPL-3), then sox to 8 kHz mono 16-bit
 * WAV, and recordings uploaded by admins, converted the same way.
 *
 * Files live in <data_dir>/prompts/: a rendered text is
 * <sha256 of lang, voice and text>.wav (rendered once, kept across
 * restarts, shared by every flow that says the same words); an upload is
 * flow-<flow>-<node>-<lang>.wav. The commands run on a thread of the
 * module (flows.c owns it), one job at a time in submission order, so a
 * job submitted after a rendering finds its file. Everything else is
 * called on the loop.
 */
#ifndef RELAIS_PROMPTS_H
#define RELAIS_PROMPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "server/worker.h"

struct srv;
struct prompts;

#define PROMPTS_TEXT_MAX   2000	      /* bytes of one text to render */
#define PROMPTS_UPLOAD_MAX (5u << 20) /* bytes of an uploaded WAV */

/* The renderer of srv s (0 or errno) and its end (joins its thread). */
int prompts_alloc(struct prompts **pp, struct srv *s, const char *data_dir);
void prompts_free(struct prompts *p);
/* s's renderer (the flows module's), or NULL when it is not loaded. */
struct prompts *prompts_of(struct srv *s);

/*
 * The rendered file of text in lang (a code of lang.h) into path: 0
 * (ready), EAGAIN (rendering started, or under way: done(arg) is called
 * on the loop once ready or failed; done may be NULL), or errno (EINVAL:
 * no such language, an empty or too long text; EIO: its rendering failed
 * before, e.g. espeak-ng is not installed: not retried until a restart).
 */
int prompts_get(struct srv *s, const char *lang, const char *text, char *path,
		size_t size, void (*done)(void *arg), void *arg);
/* Forgets every done(arg) still waiting for arg (a call that ended). */
void prompts_cancel(struct srv *s, void *arg);

/* The path an upload of node in lang of flow id has (it may not exist). */
void prompts_upload_path(struct srv *s, const char *flow, const char *node,
			 const char *lang, char *path, size_t size);

/*
 * A job on the renderer's thread: fn(NULL, arg) there, then done(arg) on
 * the loop (not at all once prompts_free() began). 0 or ENOMEM (the routes'
 * uploads, reads and deletes).
 */
int prompts_job(struct prompts *p, worker_fn *fn, worker_done *done, void *arg);
/*
 * On the renderer's thread: converts the WAV file in to path (8 kHz mono
 * 16-bit) through a temporary file and a rename. 0, EINVAL (sox cannot
 * read it) or errno.
 */
int prompts_convert(const char *in, const char *path);

#endif
