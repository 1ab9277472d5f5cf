/*
 * The server's modules, in load order: the one list srv.c goes through at
 * each phase (module.h). Adding a feature or a channel adds a line here.
 */
#include <stddef.h>

#include "server/module.h"
#include "server/stats.h"
#include "server/stream.h"

extern const struct srv_module api_module;

const struct srv_module *const srv_modules[] = {
	&api_module,
	&stats_module,
	&stream_module,
	NULL,
};
