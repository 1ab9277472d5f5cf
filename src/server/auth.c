/*
 * Who is calling: users (loaded from the users table), sessions (opaque
 * random tokens, stored hashed), login with Argon2id off the loop and a
 * rate limit, CSRF for cookie sessions, and the tenant/site scope rules.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "server/libre.h"
#include <sodium.h>

#include "server/log.h"
#include "server/srv.h"
#include "server/worker.h"

#define SESSION_MS	       (12 * 3600 * 1000LL)
#define INTEGRATION_SESSION_MS (365 * 86400 * 1000LL)
#define FAIL_WINDOW_MS	       (15 * 60 * 1000LL)
#define FAIL_MAX_USER	       5
#define FAIL_MAX_PEER	       20

struct login_fail {
	struct login_fail *next;
	char key[96];
	int count;
	int64_t first_ms;
};

static const char *const role_names[] = {"admin", "supervisor", "agent",
					 "client", "integration"};

static bool user_eq(const void *val, const void *key)
{
	return !strcmp(((const struct user *)val)->id, key);
}

static bool user_name_eq(const void *val, const void *key)
{
	return !strcmp(((const struct user *)val)->username, key);
}

static bool session_eq(const void *val, const void *key)
{
	return !strcmp(((const struct session *)val)->id, key);
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void user_free(struct user *u)
{
	strv_free(u->tenants, u->ntenants);
	strv_free(u->sites, u->nsites);
	free(u);
}

static char **strv_from(const json_t *arr, size_t *n)
{
	char **v = calloc(json_array_size(arr) + 1, sizeof(*v));
	json_t *x;
	size_t i;

	*n = 0;
	if (!v)
		return NULL;
	json_array_foreach(arr, i, x)
	{
		v[i] = strdup(json_string_value(x));
		if (!v[i]) {
			strv_free(v, i);
			return NULL;
		}
		*n = i + 1;
	}
	return v;
}

void auth_user_drop(struct srv *s, const char *id)
{
	struct user *u = hmap_del(&s->users, hmap_hash_str(id), user_eq, id);

	if (!u)
		return;
	hmap_del(&s->users_by_name, hmap_hash_str(u->username), user_name_eq,
		 u->username);
	user_free(u);
}

int auth_user_load(struct srv *s, const json_t *b)
{
	struct user *u = calloc(1, sizeof(*u));
	const char *role = jv_str(b, "role");

	if (!u)
		return ENOMEM;
	snprintf(u->id, sizeof(u->id), "%s", jv_str(b, "id"));
	snprintf(u->username, sizeof(u->username), "%s", jv_str(b, "username"));
	snprintf(u->agent, sizeof(u->agent), "%s",
		 jv_str(b, "agent") ? jv_str(b, "agent") : "");
	snprintf(u->hash, sizeof(u->hash), "%s",
		 jv_str(b, "password_hash") ? jv_str(b, "password_hash") : "");
	for (int i = 0; i < ROLE_MAX; i++)
		if (!strcmp(role_names[i], role))
			u->role = (enum role)i;
	u->tenants = strv_from(json_object_get(b, "tenants"), &u->ntenants);
	u->sites = strv_from(json_object_get(b, "sites"), &u->nsites);
	if (!u->tenants || !u->sites) {
		user_free(u);
		return ENOMEM;
	}
	auth_user_drop(s, u->id);
	if (hmap_put(&s->users, hmap_hash_str(u->id), u) ||
	    hmap_put(&s->users_by_name, hmap_hash_str(u->username), u)) {
		hmap_del(&s->users, hmap_hash_str(u->id), user_eq, u->id);
		user_free(u);
		return ENOMEM;
	}
	return 0;
}

void auth_free(struct srv *s)
{
	struct login_fail *f, *next;

	for (size_t i = 0; i < hmap_span(&s->users); i++) {
		struct user *u = hmap_at(&s->users, i);

		if (u)
			user_free(u);
	}
	for (size_t i = 0; i < hmap_span(&s->sessions); i++)
		free(hmap_at(&s->sessions, i));
	hmap_reset(&s->users);
	hmap_reset(&s->users_by_name);
	hmap_reset(&s->sessions);
	for (f = s->fails; f; f = next) {
		next = f->next;
		free(f);
	}
}

/* ---- scope ---- */

static bool strv_has(char *const *v, size_t n, const char *x)
{
	for (size_t i = 0; x && i < n; i++)
		if (!strcmp(v[i], x))
			return true;
	return false;
}

static const json_t *agent_body(struct srv *s, const struct user *u)
{
	struct obj *o = obj_find(s, K_AGENTS, u->agent);

	return o ? o->body : NULL;
}

bool auth_sees_tenant(struct srv *s, const struct user *u, const char *t)
{
	const json_t *ab;
	json_t *v;
	size_t i;

	if (u->role == ROLE_ADMIN)
		return true;
	if (!t)
		return false;
	if (u->role != ROLE_AGENT)
		return strv_has(u->tenants, u->ntenants, t);
	ab = agent_body(s, u);
	json_array_foreach(ab ? json_object_get(ab, "tenants") : NULL, i, v)
	{
		if (!strcmp(json_string_value(v), t))
			return true;
	}
	return false;
}

bool auth_sees_site(struct srv *s, const struct user *u, const char *site)
{
	const json_t *ab;

	if (u->role == ROLE_ADMIN)
		return true;
	if (!site)
		return false;
	if (u->role == ROLE_SUPERVISOR)
		return strv_has(u->sites, u->nsites, site);
	if (u->role == ROLE_AGENT) {
		ab = agent_body(s, u);
		return ab && jv_str(ab, "site") &&
		       !strcmp(jv_str(ab, "site"), site);
	}
	return false;
}

char **auth_tenants(struct srv *s, const struct user *u, size_t *n)
{
	const json_t *ab;

	*n = 0;
	if (u->role == ROLE_ADMIN)
		return NULL;
	if (u->role != ROLE_AGENT) {
		json_t *arr = json_array();
		char **v;

		for (size_t i = 0; i < u->ntenants; i++)
			json_array_append_new(arr, json_string(u->tenants[i]));
		v = strv_from(arr, n);
		json_decref(arr);
		return v;
	}
	ab = agent_body(s, u);
	return strv_from(ab ? json_object_get(ab, "tenants") : NULL, n);
}

void auth_tenants_free(char **v, size_t n)
{
	if (v)
		strv_free(v, n);
}

/* ---- sessions ---- */

static void token_hash(const char *token, char out[72])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 72, h, sizeof(h));
}

static void random_token(char *out, size_t size, size_t bytes)
{
	unsigned char buf[48];

	randombytes_buf(buf, bytes);
	sodium_bin2base64(out, size, buf, bytes,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static struct session *session_find(struct srv *s, const char *token)
{
	char id[72];
	struct session *se;

	token_hash(token, id);
	se = hmap_get(&s->sessions, hmap_hash_str(id), session_eq, id);
	if (se && se->expires_ms < srv_now(s))
		return NULL;
	return se;
}

int auth_session_load(struct srv *s, const char *id, const char *body)
{
	json_t *b = json_loads(body, 0, NULL);
	struct session *se;

	if (!b)
		return EINVAL;
	if (jv_int(b, "expires_ms", 0) < srv_now(s)) {
		json_decref(b);
		return 0; /* expired: forgotten */
	}
	se = calloc(1, sizeof(*se));
	if (!se) {
		json_decref(b);
		return ENOMEM;
	}
	snprintf(se->id, sizeof(se->id), "%s", id);
	snprintf(se->user, sizeof(se->user), "%s", jv_str(b, "user"));
	snprintf(se->csrf, sizeof(se->csrf), "%s", jv_str(b, "csrf"));
	se->expires_ms = jv_int(b, "expires_ms", 0);
	json_decref(b);
	return hmap_put(&s->sessions, hmap_hash_str(se->id), se);
}

struct user *auth_user_find(struct srv *s, const char *id)
{
	return hmap_get(&s->users, hmap_hash_str(id), user_eq, id);
}

struct user *auth_token_user(struct srv *s, const char *token)
{
	struct session *se = session_find(s, token);

	return se ? hmap_get(&s->users, hmap_hash_str(se->user), user_eq,
			     se->user)
		  : NULL;
}

/* The value of cookie `name` in the Cookie header, into buf. */
static bool cookie_get(const struct http_msg *msg, const char *name, char *buf,
		       size_t size)
{
	const struct http_hdr *h = http_msg_xhdr(msg, "Cookie");
	size_t nlen = strlen(name);
	const char *p, *end;

	if (!h)
		return false;
	p = h->val.p;
	end = p + h->val.l;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *e = semi ? semi : end;

		while (p < e && *p == ' ')
			p++;
		if ((size_t)(e - p) > nlen + 1 && !strncmp(p, name, nlen) &&
		    p[nlen] == '=') {
			size_t len = (size_t)(e - p) - nlen - 1;

			if (len >= size)
				return false;
			memcpy(buf, p + nlen + 1, len);
			buf[len] = '\0';
			return true;
		}
		p = e + 1;
	}
	return false;
}

/* The request's token: bearer header, else the cookie. */
static bool request_token(const struct http_msg *msg, char *buf, size_t size,
			  bool *cookie)
{
	const struct http_hdr *h = http_msg_hdr(msg, HTTP_HDR_AUTHORIZATION);

	*cookie = false;
	if (h && h->val.l > 7 && !strncasecmp(h->val.p, "Bearer ", 7)) {
		if (h->val.l - 7 >= size)
			return false;
		memcpy(buf, h->val.p + 7, h->val.l - 7);
		buf[h->val.l - 7] = '\0';
		return true;
	}
	*cookie = true;
	return cookie_get(msg, "relais_session", buf, size);
}

static bool unsafe_method(const char *m)
{
	return strcmp(m, "GET") && strcmp(m, "HEAD");
}

bool auth_request(struct hreq *r)
{
	struct srv *s = r->srv;
	const struct http_hdr *csrf;
	char token[128];
	struct session *se;

	if (!request_token(r->msg, token, sizeof(token), &r->cookie) ||
	    !(se = session_find(s, token)) ||
	    !(r->user = hmap_get(&s->users, hmap_hash_str(se->user), user_eq,
				 se->user))) {
		web_error(r, 401, "unauthorized",
			  "log in first (POST /api/v1/session), then send "
			  "the token");
		return false;
	}
	r->sess = se;
	if (r->cookie && unsafe_method(r->method)) {
		csrf = http_msg_xhdr(r->msg, "X-CSRF-Token");
		if (!csrf || pl_strcmp(&csrf->val, se->csrf)) {
			web_error(r, 403, "forbidden",
				  "a cookie session needs the X-CSRF-Token "
				  "header");
			return false;
		}
	}
	return true;
}

json_t *auth_user_json(struct srv *s, const struct user *u)
{
	struct obj *o = obj_find(s, K_USERS, u->id);
	json_t *out = o ? o->kind->present(s, o) : json_object();

	return out;
}

/* ---- login ---- */

static struct login_fail *fail_get(struct srv *s, const char *key, bool create)
{
	int64_t now = srv_now(s);
	struct login_fail **pp = &s->fails, *f;

	while ((f = *pp)) {
		if (now - f->first_ms > FAIL_WINDOW_MS) {
			*pp = f->next;
			free(f);
			continue;
		}
		if (!strcmp(f->key, key))
			return f;
		pp = &f->next;
	}
	if (!create || !(f = calloc(1, sizeof(*f))))
		return NULL;
	snprintf(f->key, sizeof(f->key), "%s", key);
	f->first_ms = now;
	f->next = s->fails;
	s->fails = f;
	return f;
}

static bool rate_limited(struct srv *s, const char *user, const char *peer)
{
	char key[96];
	struct login_fail *f;

	snprintf(key, sizeof(key), "u:%s", user);
	f = fail_get(s, key, false);
	if (f && f->count >= FAIL_MAX_USER)
		return true;
	snprintf(key, sizeof(key), "p:%s", peer);
	f = fail_get(s, key, false);
	return f && f->count >= FAIL_MAX_PEER;
}

static void fail_count(struct srv *s, const char *user, const char *peer)
{
	char key[96];
	struct login_fail *f;

	snprintf(key, sizeof(key), "u:%s", user);
	if ((f = fail_get(s, key, true)))
		f->count++;
	snprintf(key, sizeof(key), "p:%s", peer);
	if ((f = fail_get(s, key, true)))
		f->count++;
}

int auth_hash(const char *password, char out[128])
{
	return crypto_pwhash_str(out, password, strlen(password),
				 crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE)
		       ? ENOMEM
		       : 0;
}

int auth_hash_fast(const char *password, char out[128])
{
	return crypto_pwhash_str(out, password, strlen(password),
				 crypto_pwhash_OPSLIMIT_MIN,
				 crypto_pwhash_MEMLIMIT_MIN)
		       ? ENOMEM
		       : 0;
}

struct login {
	struct hreq *r;
	char username[64];
	char *password;
	char hash[128];
	bool ok;
};

static void login_verify(void *ctx, void *arg)
{
	struct login *l = arg;

	(void)ctx;
	l->ok = l->hash[0] && !crypto_pwhash_str_verify(l->hash, l->password,
							strlen(l->password));
	sodium_memzero(l->password, strlen(l->password));
}

static void login_done(void *arg)
{
	struct login *l = arg;
	struct hreq *r = l->r;
	struct srv *s = r->srv;
	struct user *u = hmap_get(&s->users_by_name, hmap_hash_str(l->username),
				  user_name_eq, l->username);
	struct session *se;
	char token[64], t[32];
	int64_t life;

	free(l->password);
	if (!l->ok || !u) {
		fail_count(s, l->username, r->peer);
		s->logins_failed++;
		log_warn("auth", "msg=\"login failed\" user=%s peer=%s",
			 l->username, r->peer);
		free(l);
		web_error(r, 401, "unauthorized",
			  "wrong user name or password");
		return;
	}
	free(l);
	se = calloc(1, sizeof(*se));
	if (!se) {
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	random_token(token, sizeof(token), 32);
	random_token(se->csrf, sizeof(se->csrf), 24);
	token_hash(token, se->id);
	snprintf(se->user, sizeof(se->user), "%s", u->id);
	life = u->role == ROLE_INTEGRATION ? INTEGRATION_SESSION_MS
					   : SESSION_MS;
	se->expires_ms = srv_now(s) + life;
	if (hmap_put(&s->sessions, hmap_hash_str(se->id), se)) {
		free(se);
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	s->logins_ok++;
	json_t *row =
		json_pack("{s:s,s:s,s:I,s:s}", "user", u->id, "csrf", se->csrf,
			  "expires_ms", (json_int_t)se->expires_ms,
			  "created_at", web_time(srv_now(s), t, sizeof(t)));
	srv_put(s, "sessions", se->id, row);
	json_decref(row);
	srv_event(s, NULL, "audit.login",
		  json_pack("{s:s,s:s,s:s}", "user", u->id, "username",
			    u->username, "peer", r->peer));
	snprintf(r->extra, sizeof(r->extra),
		 "Set-Cookie: relais_session=%s; Path=/; HttpOnly; "
		 "SameSite=Strict; Max-Age=%lld\r\n",
		 token, (long long)(life / 1000));
	srv_reply_durable(r, 201,
			  json_pack("{s:s,s:s,s:o}", "token", token, "csrf",
				    se->csrf, "user", auth_user_json(s, u)));
}

static const struct jv_field login_fields[] = {
	{"username", JV_STRING, JV_REQUIRED, 1, 63, NULL, NULL},
	{"password", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

/* A hash to verify against when the user does not exist (same cost). */
static char dummy_hash[128];

void api_session_create(struct hreq *r)
{
	struct srv *s = r->srv;
	struct login *l;
	struct user *u;
	char msg[256];
	int rc = jv_check(r->body, login_fields, true, msg, sizeof(msg));

	if (rc) {
		web_bad_field(r, rc, msg);
		return;
	}
	if (rate_limited(s, jv_str(r->body, "username"), r->peer)) {
		web_error(r, 429, "rate_limited",
			  "too many failed logins; try again later");
		return;
	}
	l = calloc(1, sizeof(*l));
	if (!l || !(l->password = strdup(jv_str(r->body, "password")))) {
		free(l);
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	l->r = r;
	snprintf(l->username, sizeof(l->username), "%s",
		 jv_str(r->body, "username"));
	u = hmap_get(&s->users_by_name, hmap_hash_str(l->username),
		     user_name_eq, l->username);
	snprintf(l->hash, sizeof(l->hash), "%s", u ? u->hash : dummy_hash);
	if (worker_submit(s->cpu, login_verify, login_done, l)) {
		free(l->password);
		free(l);
		web_error(r, 500, "internal", "out of memory");
	}
}

static void dummy_run(void *ctx, void *arg)
{
	(void)ctx;
	(void)arg;
	auth_hash("relais-no-such-user", dummy_hash);
}

/* Called once at start-up: the dummy hash is made off the loop. */
void auth_init(struct srv *s)
{
	if (sodium_init() < 0)
		log_warn("auth", "msg=\"sodium_init failed\"");
	worker_submit(s->cpu, dummy_run, NULL, NULL);
}

void api_session_get(struct hreq *r)
{
	web_json(r, 200,
		 json_pack("{s:o,s:s}", "user", auth_user_json(r->srv, r->user),
			   "csrf", r->sess->csrf));
}

void api_session_delete(struct hreq *r)
{
	struct srv *s = r->srv;
	struct session *se = r->sess;

	hmap_del(&s->sessions, hmap_hash_str(se->id), session_eq, se->id);
	srv_del(s, "sessions", se->id);
	free(se);
	r->sess = NULL;
	snprintf(r->extra, sizeof(r->extra),
		 "Set-Cookie: relais_session=; Path=/; HttpOnly; "
		 "SameSite=Strict; Max-Age=0\r\n");
	srv_reply_durable(r, 204, NULL);
}
