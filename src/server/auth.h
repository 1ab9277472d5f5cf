/*
 * auth — users, sessions and scope: who the caller is (a session cookie or
 * a bearer token), what it may see (tenants, sites), login with its limits
 * (throttle.h), the sessions' sweep.
 */
#ifndef RELAIS_AUTH_H
#define RELAIS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "server/web.h"

struct srv;
struct srv_module;

extern const struct srv_module auth_module;

struct user {
	char id[40];
	char username[64];
	enum role role;
	char **tenants;
	size_t ntenants;
	char **sites;
	size_t nsites;
	char agent[40];
	char lang[8];	/* its language (lang.h), "" for the browser's */
	char hash[128]; /* Argon2id string */
	json_t *view;	/* its API view: the body without the hash */
	json_t *of;	/* role agent: its agent's body (its scope) */
};

struct session {
	char id[72]; /* hex SHA-256 of the token */
	char user[40];
	char csrf[48];
	int64_t expires_ms;
};

/*
 * Adds or replaces the user of body; agent is the body of its agent (NULL
 * for none), whose tenants and site are an agent's scope.
 */
int auth_user_load(struct srv *s, const json_t *body, const json_t *agent);
/* An agent changed: the users who are that agent see its new scope. */
void auth_agent_changed(struct srv *s, const char *agent, const json_t *body);
void auth_user_drop(struct srv *s, const char *id);
/* Authenticates a request from its headers; false: reply 401 sent. */
bool auth_request(struct hreq *r);
bool auth_sees_tenant(struct srv *s, const struct user *u, const char *t);
bool auth_sees_site(struct srv *s, const struct user *u, const char *site);
/* The tenants a user may see (copies), or NULL (all) for an admin. */
char **auth_tenants(struct srv *s, const struct user *u, size_t *n);
void auth_tenants_free(char **v, size_t n);
/*
 * auth_tenants() for a request: false when memory ran out (the 500 was
 * sent; a NULL must never be taken for "every tenant").
 */
bool auth_scope(struct hreq *r, char ***v, size_t *n);
int auth_hash(const char *password, char out[128]);
/* 0, or -1 with msg naming the rule (at least 12 characters). */
int auth_password_check(const char *password, char *msg, size_t size);
/* Ends user's sessions but keep_session (an id, may be NULL). */
void auth_sessions_end(struct srv *s, const char *user, const char *keep);
/*
 * Whether the request's Origin is this server (Host, or X-Forwarded-Host
 * from a trusted proxy). No Origin: !require (not a browser).
 */
bool auth_same_origin(const struct hreq *r, bool require);
/*
 * The client's address of r: the peer, or behind a trusted proxy the last
 * hop of X-Forwarded-For (login limits and the web chat's count it).
 */
void auth_client_addr(const struct hreq *r, char *out, size_t size);
int auth_session_load(struct srv *s, const char *id, const char *body);
json_t *auth_user_json(struct srv *s, const struct user *u);
/* The token of a WebSocket upgrade (header, cookie or ?token=). */
struct user *auth_token_user(struct srv *s, const char *token);
/* The id of a token's live session (borrowed), or NULL. */
const char *auth_token_session(struct srv *s, const char *token);
/* Whether the session of that id exists and has not expired (a logout, a
 * password change or a deleted user ends it). */
bool auth_session_alive(struct srv *s, const char *id);
struct user *auth_user_find(struct srv *s, const char *id);
/* A hash for trusted, throw-away passwords (the demo): fast. */
int auth_hash_fast(const char *password, char out[128]);

#endif
