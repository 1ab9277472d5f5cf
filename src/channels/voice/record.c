/*
 * Recordings of calls: a stereo WAV (the caller left, the agent right)
 * written while they talk, then stored as an attachment of the contact
 * (attachments.h, contact.attachment): the tenant's staff play it from
 * the desktop and the history, and retention and erasure treat it as
 * they treat a message's file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channels/voice/callint.h"
#include "channels/voice/voice.h"
#include "model/jv.h"
#include "server/attachments.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/messages.h"
#include "server/objects.h"
#include "server/srv.h"

/* Whether the contact's calls are recorded: its queue's recording, else
 * its tenant's (absent: no). */
static bool policy(struct srv *s, const struct call *c)
{
	struct obj *q = obj_find(s, K_QUEUES, c->queue);
	struct obj *t = obj_find(s, K_TENANTS, c->tenant);
	json_t *v = q ? json_object_get(q->body, "recording") : NULL;

	if (!json_is_boolean(v))
		v = t ? json_object_get(t->body, "recording") : NULL;
	return json_is_true(v);
}

void call_record_start(struct call *c)
{
	struct srv *s = c->v->s;
	char dir[256];

	if (c->rec || !c->caller || !c->agent || !policy(s, c))
		return;
	snprintf(dir, sizeof(dir), "%s/recordings", s->cfg.data_dir);
	(void)mkdir(dir, 0700);
	snprintf(c->rec_file, sizeof(c->rec_file), "%s/%s.wav", dir, c->id);
	if (recorder_open(&c->rec, c->v, c->rec_file, 2)) {
		log_warn("voice", "msg=\"cannot record\" file=%s", c->rec_file);
		c->rec_file[0] = '\0';
		return;
	}
	recorder_attach(c->rec, c->caller->md, 0);
	recorder_attach(c->rec, c->agent->md, 1);
}

/* The finished file becomes an attachment of the contact. */
static int store(struct call *c, const char *what)
{
	struct srv *s = c->v->s;
	struct crec *cr = contacts_find(s, c->id);
	uint8_t *p = NULL;
	size_t n = 0;
	char hex[65], id[40], name[80];
	FILE *f = fopen(c->rec_file, "rb");
	struct stat st;
	int err = 0;

	if (!f)
		return errno;
	if (fstat(fileno(f), &st) || !(p = malloc((size_t)st.st_size + 1)))
		err = ENOMEM;
	else if ((n = fread(p, 1, (size_t)st.st_size, f)) != (size_t)st.st_size)
		err = EIO;
	fclose(f);
	if (!err)
		attachments_sha256(p, n, hex);
	if (!err)
		err = attachments_write(s->cfg.data_dir, hex, p, n);
	free(p);
	if (err)
		return err;
	snprintf(name, sizeof(name), "%s-%.8s.wav", what, c->id);
	if (cr)
		err = messages_add_attachment(s, cr, name, "audio/wav",
					      (int64_t)n, hex, id);
	if (!err)
		srv_commit_soon(s);
	return err;
}

void call_record_keep(struct call *c, const char *what)
{
	int err;

	if (!c->rec)
		return;
	recorder_close(c->rec); /* the header gets its sizes */
	c->rec = NULL;
	c->rec_paused = false;
	err = store(c, what);
	if (err)
		log_warn("voice",
			 "msg=\"recording not kept\" contact=%s err=%d", c->id,
			 err);
	unlink(c->rec_file);
	c->rec_file[0] = '\0';
}

void call_record_drop(struct call *c)
{
	if (!c->rec)
		return;
	recorder_close(c->rec);
	c->rec = NULL;
	c->rec_paused = false;
	unlink(c->rec_file);
	c->rec_file[0] = '\0';
}

void call_record_stop(struct call *c)
{
	call_record_keep(c, "recording");
}
