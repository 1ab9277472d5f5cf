/*
 * prompts — rendering texts and converting uploads to what callers hear
 * (prompts.h).
 *
 * A rendering is a job of the module's worker thread: the text goes to
 * a temporary file (never to a command line: a text may start with '-'),
 * espeak-ng writes a 22 kHz WAV from it, sox makes it 8 kHz mono 16-bit
 * under a temporary name, and a rename publishes it: a name that exists
 * always holds a whole file. While a rendering is under way, asking for
 * the same text again adds a waiter to it rather than a second job.
 */
#include "server/libre.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channels/voice/flow_int.h"
#include "channels/voice/prompts.h"
#include "server/attachments.h"
#include "server/log.h"
#include "server/worker.h"

#define SPEED_WPM "150"

struct prompts {
	struct worker *w;
	char dir[512];	     /* <data_dir>/prompts */
	struct list renders; /* struct render, under way */
	json_t *failed;	     /* names whose rendering failed: not retried */
};

struct waiter {
	void (*done)(void *arg);
	void *arg;
};

struct render {
	struct le le;
	struct prompts *p;
	char hex[65];
	char voice[8];
	char *text;
	struct waiter *waiters;
	size_t n, cap;
	int err;
};

extern char **environ;

/* Runs argv (its output to /dev/null), waits: 0, or EIO if it failed. */
static int run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int st = 0, err;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return err;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return errno;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : EIO;
}

int prompts_convert(const char *in, const char *path)
{
	char tmp[700];
	int err;

	snprintf(tmp, sizeof(tmp), "%s.tmp.wav", path);
	err = run((char *const[]){"sox", "-q", "-t", "wav", (char *)in, "-r",
				  "8000", "-c", "1", "-b", "16", "-e",
				  "signed-integer", "-t", "wav", tmp, NULL});
	if (!err && rename(tmp, path))
		err = errno;
	if (err)
		unlink(tmp);
	return err == EIO ? EINVAL : err;
}

/* text into file: 0 or errno. */
static int write_text(const char *file, const char *text)
{
	FILE *f = fopen(file, "w");
	int err = 0;

	if (!f)
		return errno;
	if (fputs(text, f) == EOF)
		err = EIO;
	if (fclose(f) && !err)
		err = errno;
	return err;
}

/* On the worker: espeak-ng then sox, through temporary files. */
static void render_run(void *ctx, void *arg)
{
	struct render *r = arg;
	char txt[700], raw[700], path[700];

	(void)ctx;
	snprintf(txt, sizeof(txt), "%s/.%s.txt", r->p->dir, r->hex);
	snprintf(raw, sizeof(raw), "%s/.%s.22k.wav", r->p->dir, r->hex);
	snprintf(path, sizeof(path), "%s/%s.wav", r->p->dir, r->hex);
	r->err = write_text(txt, r->text);
	if (!r->err)
		r->err = run((char *const[]){"espeak-ng", "-v", r->voice, "-s",
					     SPEED_WPM, "-f", txt, "-w", raw,
					     NULL});
	if (!r->err)
		r->err = prompts_convert(raw, path);
	unlink(txt);
	unlink(raw);
}

static void render_destructor(void *arg)
{
	struct render *r = arg;

	list_unlink(&r->le);
	free(r->waiters);
	mem_deref(r->text);
}

/* On the loop: tells the waiters, forgets the rendering. */
static void render_done(void *arg)
{
	struct render *r = arg;

	list_unlink(&r->le);
	if (r->err) {
		log_error("prompts",
			  "msg=\"cannot render\" voice=%s err=\"%s\"", r->voice,
			  strerror(r->err));
		json_object_set_new(r->p->failed, r->hex, json_true());
	}
	for (size_t i = 0; i < r->n; i++)
		if (r->waiters[i].done)
			r->waiters[i].done(r->waiters[i].arg);
	mem_deref(r);
}

static int wait_for(struct render *r, void (*done)(void *arg), void *arg)
{
	if (!done)
		return 0;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		struct waiter *w = realloc(r->waiters, cap * sizeof(*w));

		if (!w)
			return ENOMEM;
		r->waiters = w;
		r->cap = cap;
	}
	r->waiters[r->n++] = (struct waiter){done, arg};
	return 0;
}

static struct render *under_way(struct prompts *p, const char *hex)
{
	struct le *le;

	LIST_FOREACH(&p->renders, le)
	{
		struct render *r = le->data;

		if (!strcmp(r->hex, hex))
			return r;
	}
	return NULL;
}

/* The name of text in lang: the SHA-256 of lang, voice and text. */
static void name_of(const char *lang, const char *voice, const char *text,
		    char hex[65])
{
	struct mbuf *mb = mbuf_alloc(64 + strlen(text));

	if (!mb) {
		hex[0] = '\0';
		return;
	}
	mbuf_printf(mb, "%s\n%s\n%s", lang, voice, text);
	attachments_sha256(mb->buf, mb->end, hex);
	mem_deref(mb);
}

static int render_start(struct prompts *p, const char *hex, const char *voice,
			const char *text, void (*done)(void *arg), void *arg)
{
	struct render *r = mem_zalloc(sizeof(*r), render_destructor);
	int err;

	if (!r)
		return ENOMEM;
	r->p = p;
	snprintf(r->hex, sizeof(r->hex), "%s", hex);
	snprintf(r->voice, sizeof(r->voice), "%s", voice);
	err = str_dup(&r->text, text);
	if (!err)
		err = wait_for(r, done, arg);
	if (!err)
		err = worker_submit(p->w, render_run, render_done, r);
	if (err) {
		mem_deref(r);
		return err;
	}
	list_append(&p->renders, &r->le, r);
	return EAGAIN;
}

int prompts_get(struct srv *s, const char *lang, const char *text, char *path,
		size_t size, void (*done)(void *arg), void *arg)
{
	struct prompts *p = prompts_of(s);
	const char *voice = flow_lang_code(lang);
	struct render *r;
	char hex[65];
	size_t n = text ? strlen(text) : 0;

	if (!p)
		return ENOTSUP;
	if (!voice || !n || n > PROMPTS_TEXT_MAX)
		return EINVAL;
	name_of(voice, voice, text, hex);
	if (!hex[0])
		return ENOMEM;
	if ((size_t)snprintf(path, size, "%s/%s.wav", p->dir, hex) >= size)
		return ENAMETOOLONG;
	if (!access(path, F_OK))
		return 0;
	if (json_object_get(p->failed, hex))
		return EIO; /* once is enough: espeak-ng or sox is missing */
	r = under_way(p, hex);
	if (r)
		return wait_for(r, done, arg) ? ENOMEM : EAGAIN;
	return render_start(p, hex, voice, text, done, arg);
}

void prompts_cancel(struct srv *s, void *arg)
{
	struct prompts *p = prompts_of(s);
	struct le *le;

	LIST_FOREACH(p ? &p->renders : NULL, le)
	{
		struct render *r = le->data;

		for (size_t i = 0; i < r->n; i++)
			if (r->waiters[i].arg == arg)
				r->waiters[i].done = NULL;
	}
}

void prompts_upload_path(struct srv *s, const char *flow, const char *node,
			 const char *lang, char *path, size_t size)
{
	struct prompts *p = prompts_of(s);

	snprintf(path, size, "%s/flow-%s-%s-%s.wav", p ? p->dir : ".", flow,
		 node, lang);
}

int prompts_job(struct prompts *p, worker_fn *fn, worker_done *done, void *arg)
{
	return worker_submit(p->w, fn, done, arg);
}

int prompts_alloc(struct prompts **pp, struct srv *s, const char *data_dir)
{
	struct prompts *p = calloc(1, sizeof(*p));
	int err;

	(void)s;
	if (!p)
		return ENOMEM;
	snprintf(p->dir, sizeof(p->dir), "%s/prompts", data_dir);
	if (mkdir(p->dir, 0700) && errno != EEXIST) {
		err = errno;
		free(p);
		return err;
	}
	list_init(&p->renders);
	p->failed = json_object();
	err = p->failed ? worker_start(&p->w, NULL, "prompts") : ENOMEM;
	if (err) {
		json_decref(p->failed);
		free(p);
		return err;
	}
	*pp = p;
	return 0;
}

void prompts_free(struct prompts *p)
{
	if (!p)
		return;
	worker_stop(p->w);
	list_flush(&p->renders);
	json_decref(p->failed);
	free(p);
}
