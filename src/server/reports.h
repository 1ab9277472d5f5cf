/*
 * reports — the interval report and an agent's figures of today, read
 * from the event log off the loop. A server module (module.h) with routes
 * and no state.
 */
#ifndef RELAIS_REPORTS_H
#define RELAIS_REPORTS_H

#include "server/module.h"

extern const struct srv_module reports_module;

#endif
