/*
 * retention — a tenant's messages and attachments past its retention_days
 * redacted by a daily sweep (and POST /api/v1/retention/run), and one
 * customer's data erased on request (DELETE /api/v1/customers/{id}/data).
 * A server module; see retention.c.
 */
#ifndef RELAIS_RETENTION_H
#define RELAIS_RETENTION_H

struct srv_module;

extern const struct srv_module retention_module;

#endif
