/*
 * csat — POST /api/v1/contacts/{id}/csat, a customer's rating of an ended
 * contact reported by an outside survey system (csat.c). The figures are
 * metrics_csat's (core/metrics.h), counted by stats.c and reports.c.
 */
#ifndef RELAIS_CSAT_H
#define RELAIS_CSAT_H

#include <stdbool.h>

#include "core/engine.h"

struct srv;
struct srv_module;

extern const struct srv_module csat_module;

/* A rating, and who handled the contact it rates. */
struct csat_rating {
	const char *tenant, *contact, *queue,
		*agent; /* queue, agent: or NULL */
	enum channel channel;
	int score;	     /* 1..5, checked by the caller */
	const char *comment; /* or NULL */
};

/*
 * Logs contact.csat in the open batch (the agent's site looked up) and
 * marks the contact rated; the one writer of ratings, for the survey
 * route and the web chat's visitor.
 */
void csat_record(struct srv *s, const struct csat_rating *rt);
/* Whether contact was rated since start-up (the log says for before). */
bool csat_rated(struct srv *s, const char *contact);

#endif
