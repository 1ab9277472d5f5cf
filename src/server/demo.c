/*
 * The demo centre of `relais serve --demo`, created on the first start
 * with an empty store: two client tenants (an insurer and a telco), Paris
 * (onshore) and Casablanca (offshore), a dozen agents with skills, queues
 * on voice, chat and email, and logins for every role.
 */
#include <stdio.h>
#include <string.h>

#include "server/log.h"
#include "server/srv.h"
#include "server/auth.h"
#include "server/objects.h"

struct demo {
	struct srv *srv;
	int err;
	char msg[256];
};

static const char *make(struct demo *d, enum kind_id k, json_t *body,
			char id[40])
{
	int st;

	if (d->err || !body) {
		json_decref(body);
		d->err = d->err ? d->err : 500;
		return "";
	}
	st = obj_create_direct(d->srv, k, body, id, d->msg, sizeof(d->msg));
	json_decref(body);
	if (st) {
		d->err = st;
		log_error("demo", "msg=\"cannot create\" kind=%s err=\"%s\"",
			  kinds[k]->name, d->msg);
	}
	return id;
}

static void user(struct demo *d, const char *name, const char *role,
		 json_t *tenants, json_t *sites, const char *agent)
{
	char hash[128], id[40], pw[64];

	snprintf(pw, sizeof(pw), "%s-demo", name);
	if (auth_hash_fast(pw, hash)) {
		d->err = 500;
		return;
	}
	make(d, K_USERS,
	     json_pack("{s:s,s:s,s:s,s:o,s:o,s:s?}", "username", name,
		       "password_hash", hash, "role", role, "tenants", tenants,
		       "sites", sites, "agent", agent),
	     id);
}

struct demo_agent {
	const char *name;
	int site; /* 0 Paris, 1 Casablanca */
	const char *skills;
	int tenants; /* bit 0 assurmax, bit 1 telco */
};

static const struct demo_agent agents[] = {
	{"Camille Martin", 0, "{s:i,s:i,s:i}", 3},
	{"Lucas Bernard", 0, "{s:i,s:i,s:i}", 1},
	{"Chloé Dubois", 0, "{s:i,s:i,s:i}", 1},
	{"Hugo Thomas", 0, "{s:i,s:i,s:i}", 2},
	{"Léa Robert", 0, "{s:i,s:i,s:i}", 3},
	{"Emma Petit", 0, "{s:i,s:i,s:i}", 2},
	{"Youssef Alaoui", 1, "{s:i,s:i,s:i}", 2},
	{"Salma Benali", 1, "{s:i,s:i,s:i}", 3},
	{"Mehdi Idrissi", 1, "{s:i,s:i,s:i}", 2},
	{"Imane Tazi", 1, "{s:i,s:i,s:i}", 1},
	{"Omar Chraibi", 1, "{s:i,s:i,s:i}", 2},
	{"Nadia Fassi", 1, "{s:i,s:i,s:i}", 3},
};

#define NAGENTS (sizeof(agents) / sizeof(agents[0]))

static void demo_queues(struct demo *d, const char *t, const char *name,
			const char *cal)
{
	char id[40], n[64];

	snprintf(n, sizeof(n), "%s voice", name);
	make(d, K_QUEUES,
	     json_pack("{s:s,s:s,s:s,s:i,s:s,s:s?,s:s,s:[{s:i,s:s},{s:i,s:n,s:"
		       "i}],"
		       "s:[s,s,s],s:s}",
		       "tenant", t, "name", n, "channel", "voice", "priority",
		       1, "strategy", "longest-idle", "calendar", cal,
		       "closed_action", "voicemail", "steps", "after_s", 0,
		       "filter", "lang.fr >= 6", "after_s", 30, "filter",
		       "priority_delta", 1, "dispositions", "resolved",
		       "follow-up", "escalated", "wrapup", "manual"),
	     id);
	snprintf(n, sizeof(n), "%s chat", name);
	make(d, K_QUEUES,
	     json_pack("{s:s,s:s,s:s,s:s,s:[s,s,s],s:s}", "tenant", t, "name",
		       n, "channel", "chat", "strategy", "least-occupied",
		       "dispositions", "resolved", "follow-up", "escalated",
		       "wrapup", "manual"),
	     id);
	snprintf(n, sizeof(n), "%s email", name);
	make(d, K_QUEUES,
	     json_pack("{s:s,s:s,s:s,s:i,s:i,s:s}", "tenant", t, "name", n,
		       "channel", "email", "priority", -1, "sl_threshold_s",
		       4 * 3600, "wrapup", "manual"),
	     id);
}

static void demo_agents(struct demo *d, const char *tn[2], const char *site[2],
			char ids[][40])
{
	for (size_t i = 0; i < NAGENTS; i++) {
		const struct demo_agent *a = &agents[i];
		json_t *ts = json_array();

		for (int t = 0; t < 2; t++)
			if (a->tenants & (1 << t))
				json_array_append_new(ts, json_string(tn[t]));
		make(d, K_AGENTS,
		     json_pack("{s:s,s:s,s:{s:i,s:i,s:i},s:o,s:{s:i,s:i,s:i}}",
			       "name", a->name, "site", site[a->site], "skills",
			       "lang.fr", a->site ? 7 : 9, "lang.en",
			       3 + (int)(i % 5), "billing", 2 + (int)(i % 8),
			       "tenants", ts, "capacity", "voice", 1, "chat", 3,
			       "email", 2),
		     ids[i]);
	}
}

int demo_seed(struct srv *s)
{
	struct demo d = {.srv = s};
	char tids[2][40], sids[2][40], cal[40], aids[NAGENTS][40], id[40];
	const char *tn[2], *site[2];

	if (obj_set(s, K_TENANTS)->n)
		return 0; /* already there: keep what people changed */
	tn[0] = make(&d, K_TENANTS,
		     json_pack("{s:s,s:s,s:[s,s]}", "name", "AssurMax",
			       "timezone", "Europe/Paris", "languages", "fr",
			       "en"),
		     tids[0]);
	tn[1] = make(&d, K_TENANTS,
		     json_pack("{s:s,s:s,s:[s]}", "name", "Télécom Plus",
			       "timezone", "Europe/Paris", "languages", "fr"),
		     tids[1]);
	site[0] = make(&d, K_SITES,
		       json_pack("{s:s,s:s,s:s,s:s,s:f}", "name", "Paris",
				 "kind", "onshore", "timezone", "Europe/Paris",
				 "country", "FR", "cost_per_hour", 38.0),
		       sids[0]);
	site[1] = make(&d, K_SITES,
		       json_pack("{s:s,s:s,s:s,s:s,s:f}", "name", "Casablanca",
				 "kind", "offshore", "timezone",
				 "Africa/Casablanca", "country", "MA",
				 "cost_per_hour", 14.0),
		       sids[1]);
	make(&d, K_SKILLS, json_pack("{s:s}", "name", "lang.fr"), id);
	make(&d, K_SKILLS, json_pack("{s:s}", "name", "lang.en"), id);
	make(&d, K_SKILLS, json_pack("{s:s}", "name", "billing"), id);
	make(&d, K_CALENDARS,
	     json_pack("{s:s,s:s,s:[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},"
		       "{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},"
		       "{s:s,s:s,s:s}],s:[s]}",
		       "name", "7/7 08:00-22:00", "timezone", "Europe/Paris",
		       "weekly", "day", "mon", "from", "08:00", "to", "22:00",
		       "day", "tue", "from", "08:00", "to", "22:00", "day",
		       "wed", "from", "08:00", "to", "22:00", "day", "thu",
		       "from", "08:00", "to", "22:00", "day", "fri", "from",
		       "08:00", "to", "22:00", "day", "sat", "from", "08:00",
		       "to", "22:00", "day", "sun", "from", "08:00", "to",
		       "22:00", "holidays", "2026-12-25"),
	     cal);
	make(&d, K_DISPOSITIONS,
	     json_pack("{s:s,s:{s:s,s:s}}", "code", "resolved", "label", "fr",
		       "Résolu", "en", "Resolved"),
	     id);
	make(&d, K_DISPOSITIONS,
	     json_pack("{s:s,s:{s:s,s:s}}", "code", "follow-up", "label", "fr",
		       "À rappeler", "en", "Follow-up"),
	     id);
	make(&d, K_DISPOSITIONS,
	     json_pack("{s:s,s:{s:s,s:s}}", "code", "escalated", "label", "fr",
		       "Escaladé", "en", "Escalated"),
	     id);
	demo_queues(&d, tn[0], "AssurMax", NULL);
	demo_queues(&d, tn[1], "Télécom Plus", cal);
	demo_agents(&d, tn, site, aids);
	user(&d, "admin", "admin", json_array(), json_array(), NULL);
	user(&d, "supervisor", "supervisor", json_pack("[s,s]", tn[0], tn[1]),
	     json_pack("[s,s]", site[0], site[1]), NULL);
	user(&d, "client-assurmax", "client", json_pack("[s]", tn[0]),
	     json_array(), NULL);
	user(&d, "client-telecom", "client", json_pack("[s]", tn[1]),
	     json_array(), NULL);
	user(&d, "integration", "integration", json_pack("[s,s]", tn[0], tn[1]),
	     json_array(), NULL);
	for (size_t i = 0; i < NAGENTS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "agent%02zu", i + 1);
		user(&d, name, "agent", json_array(), json_array(), aids[i]);
	}
	if (d.err)
		return d.err;
	log_info("demo",
		 "msg=\"demo centre created\" tenants=2 agents=%zu "
		 "users=%zu",
		 NAGENTS, NAGENTS + 5);
	return 0;
}
