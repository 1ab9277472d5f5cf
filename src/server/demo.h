/*
 * demo — the demo centre as a module (traffic.c): `relais serve --demo`
 * creates it in an empty store from the built-in file (demo.c), and
 * `--demo-traffic` lets robots work it.
 */
#ifndef RELAIS_DEMO_H
#define RELAIS_DEMO_H

struct srv;
struct srv_module;

extern const struct srv_module demo_module;

/* Creates the demo centre in an empty store; 0 or an errno value. */
int demo_seed(struct srv *s);

#endif
