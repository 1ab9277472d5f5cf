/*
 * phones — the agents' SIP logins, a kind of the configuration (the
 * `phones` kind, declared in voice.h; /api/v1/phones).
 */
#ifndef RELAIS_PHONES_H
#define RELAIS_PHONES_H

struct srv;
struct kind;

/* The kind (also in voice.h), for kinds[]. */
extern const struct kind phones_kind;

/*
 * The demo centre's logins: every user of role agent gets a phone for
 * its agent, username its user name, password the user name then
 * "-sip" (agent01 / agent01-sip). 0 or the error of the first that
 * cannot be made (logged).
 */
int phones_demo_seed(struct srv *s);

#endif
