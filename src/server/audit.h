/*
 * audit — the audit trail: who changed the configuration, who logged in
 * (or failed to), who read a customer's record. GET /api/v1/audit reads
 * the log's audit.* events, newest first, in the caller's scope.
 */
#ifndef RELAIS_AUDIT_H
#define RELAIS_AUDIT_H

struct srv_module;

extern const struct srv_module audit_module;

#endif
