/*
 * demo_centre — the demo centre, examples/demo-centre.json, built into
 * the program (cmake/embed.cmake): a scenario in the API's shapes
 * (model/config.h) with the demo's users. `relais serve --demo` creates
 * its objects through the API's checks (server/demo.c), `relais demo`
 * routes its day (cli/demo.c) and `relais sim` simulates it.
 */
#ifndef RELAIS_MODEL_DEMO_CENTRE_H
#define RELAIS_MODEL_DEMO_CENTRE_H

#include <stddef.h>

/* The file's text (demo_centre_json_len bytes, then a NUL); static. */
extern const char demo_centre_json[];
extern const size_t demo_centre_json_len;

#endif
