/*
 * presence — see presence.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/libre.h"

#include "lang/lang.h"
#include "server/auth.h"
#include "server/contacts.h"
#include "server/log.h"
#include "server/presence.h"
#include "server/srv.h"

#define GRACE_MS_DEFAULT 60000

struct presence {
	struct srv *srv;
	struct list pending; /* struct gone: agents within their grace */
	uint64_t grace_ms;
};

/* An agent's user whose streams all closed, within its grace. */
struct gone {
	struct le le;
	struct tmr tmr;
	struct presence *p;
	char user[40];
};

static void gone_destroy(void *arg)
{
	struct gone *g = arg;

	tmr_cancel(&g->tmr);
	list_unlink(&g->le);
}

static uint64_t grace_ms(void)
{
	const char *v = getenv("RELAIS_PRESENCE_GRACE_MS");
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return GRACE_MS_DEFAULT;
	n = strtoull(v, &end, 10);
	if (*end || n < 100 || n > 86400000ULL) {
		log_warn("presence",
			 "msg=\"ignored: expected 100 to 86400000\" "
			 "var=RELAIS_PRESENCE_GRACE_MS value=\"%s\"",
			 v);
		return GRACE_MS_DEFAULT;
	}
	return n;
}

int presence_new(struct presence **pp, struct srv *s)
{
	struct presence *p = mem_zalloc(sizeof(*p), NULL);

	if (!p)
		return ENOMEM;
	p->srv = s;
	list_init(&p->pending);
	p->grace_ms = grace_ms();
	*pp = p;
	return 0;
}

static struct gone *find(struct presence *p, const char *user)
{
	for (struct le *le = list_head(&p->pending); le; le = le->next) {
		struct gone *g = le->data;

		if (!strcmp(g->user, user))
			return g;
	}
	return NULL;
}

void presence_open(struct presence *p, const char *user)
{
	mem_deref(find(p, user));
}

/* The grace is over: offline, or another grace while it holds contacts. */
static void grace_over(void *arg)
{
	struct gone *g = arg;
	struct srv *s = g->p->srv;
	const struct user *u = auth_user_find(s, g->user);
	char msg[256];
	int err;

	if (!u || !u->agent[0]) {
		mem_deref(g);
		return;
	}
	err = contacts_agent_state(s, u->agent, AS_OFFLINE, "disconnected",
				   &LANG_OUT(NULL, msg));
	if (err == EBUSY) {
		tmr_start(&g->tmr, g->p->grace_ms, grace_over, g);
		return;
	}
	log_info("presence", "msg=\"desktop gone, offline\" agent=%s err=%d",
		 u->agent, err);
	mem_deref(g);
}

void presence_gone(struct presence *p, const char *user)
{
	const struct user *u = auth_user_find(p->srv, user);
	struct gone *g;

	if (!u || u->role != ROLE_AGENT || !u->agent[0] || find(p, user))
		return;
	g = mem_zalloc(sizeof(*g), gone_destroy);
	if (!g)
		return; /* the agent stays as it is: no harm */
	g->p = p;
	snprintf(g->user, sizeof(g->user), "%s", user);
	tmr_init(&g->tmr);
	list_append(&p->pending, &g->le, g);
	tmr_start(&g->tmr, p->grace_ms, grace_over, g);
}

void presence_free(struct presence *p)
{
	if (!p)
		return;
	list_flush(&p->pending);
	mem_deref(p);
}
