/*
 * csat — POST /api/v1/contacts/{id}/csat, a customer's rating of an ended
 * contact reported by an outside survey system (csat.c). The figures are
 * metrics_csat's (core/metrics.h), counted by stats.c and reports.c.
 */
#ifndef RELAIS_CSAT_H
#define RELAIS_CSAT_H

struct srv_module;

extern const struct srv_module csat_module;

#endif
