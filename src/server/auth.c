/*
 * Who is calling: users (loaded from the users table), sessions (opaque
 * random tokens, stored hashed, swept when they expire or their user's
 * password changes), login with Argon2id off the loop behind the limits
 * of throttle.h (kept in the store), CSRF and Origin checks for cookie
 * sessions, the addresses of trusted proxies, and the tenant/site scope
 * rules.
 *
 * Every login costs one Argon2id verification on the hashing thread, an
 * unknown user name included (against a dummy hash of the same cost), so
 * that timing does not tell which names exist.
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

#include "model/utctime.h"
#include "model/event.h"
#include "server/libre.h"
#include <sodium.h>

#include "server/log.h"
#include "server/module.h"
#include "server/srv.h"
#include "server/throttle.h"
#include "server/worker.h"
#include "server/auth.h"

#define SESSION_MS	       (12 * 3600 * 1000LL)
#define INTEGRATION_SESSION_MS (365 * 86400 * 1000LL)
#define SWEEP_MS	       (60 * 1000)
#define PASSWORD_MIN_CHARS     12

/* The module's state. */
struct auth {
	struct hmap users;	   /* id -> user */
	struct hmap users_by_name; /* username -> user */
	struct hmap sessions;	   /* id -> session */
	struct throttle throttle;
	uint64_t logins_ok, logins_failed; /* for /metrics */
	/* made by the first job of the hashing thread, read only there */
	char dummy_hash[128];
	struct tmr sweep;
};

static const char *const role_names[] = {"admin", "supervisor", "agent",
					 "client", "integration"};

static struct auth *A(const struct srv *s)
{
	return srv_module_state(s, &auth_module);
}

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
	json_decref(u->view);
	json_decref(u->of);
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
	struct user *u = hmap_del(&A(s)->users, hmap_hash_str(id), user_eq, id);

	if (!u)
		return;
	hmap_del(&A(s)->users_by_name, hmap_hash_str(u->username), user_name_eq,
		 u->username);
	user_free(u);
}

/*
 * Adds u, or copies it over the user of the same id: requests in flight
 * hold pointers to their user, which must stay valid across an update.
 */
static int user_put(struct srv *s, struct user *u)
{
	struct user *old =
		hmap_get(&A(s)->users, hmap_hash_str(u->id), user_eq, u->id);

	if (old) {
		hmap_del(&A(s)->users_by_name, hmap_hash_str(old->username),
			 user_name_eq, old->username);
		strv_free(old->tenants, old->ntenants);
		strv_free(old->sites, old->nsites);
		json_decref(old->view);
		json_decref(old->of);
		*old = *u;
		free(u);
		u = old;
	} else if (hmap_put(&A(s)->users, hmap_hash_str(u->id), u)) {
		user_free(u);
		return ENOMEM;
	}
	if (hmap_put(&A(s)->users_by_name, hmap_hash_str(u->username), u)) {
		auth_user_drop(s, u->id);
		return ENOMEM;
	}
	return 0;
}

int auth_user_load(struct srv *s, const json_t *b, const json_t *agent)
{
	struct user *u = calloc(1, sizeof(*u));
	const char *role = jv_str(b, "role");

	if (!u)
		return ENOMEM;
	snprintf(u->id, sizeof(u->id), "%s", jv_str(b, "id"));
	snprintf(u->username, sizeof(u->username), "%s", jv_str(b, "username"));
	snprintf(u->agent, sizeof(u->agent), "%s",
		 jv_str(b, "agent") ? jv_str(b, "agent") : "");
	snprintf(u->lang, sizeof(u->lang), "%s",
		 jv_str(b, "lang") ? jv_str(b, "lang") : "");
	snprintf(u->hash, sizeof(u->hash), "%s",
		 jv_str(b, "password_hash") ? jv_str(b, "password_hash") : "");
	for (int i = 0; i < ROLE_MAX; i++)
		if (!strcmp(role_names[i], role))
			u->role = (enum role)i;
	u->tenants = strv_from(json_object_get(b, "tenants"), &u->ntenants);
	u->sites = strv_from(json_object_get(b, "sites"), &u->nsites);
	u->view = json_deep_copy(b);
	u->of = agent ? json_deep_copy(agent) : NULL;
	if (u->view)
		json_object_del(u->view, "password_hash");
	if (!u->tenants || !u->sites || !u->view || (agent && !u->of)) {
		user_free(u);
		return ENOMEM;
	}
	return user_put(s, u);
}

static void auth_close(struct srv *s, void *arg)
{
	struct auth *a = arg;

	(void)s;
	if (!a)
		return;
	for (size_t i = 0; i < hmap_span(&a->users); i++) {
		struct user *u = hmap_at(&a->users, i);

		if (u)
			user_free(u);
	}
	for (size_t i = 0; i < hmap_span(&a->sessions); i++)
		free(hmap_at(&a->sessions, i));
	hmap_reset(&a->users);
	hmap_reset(&a->users_by_name);
	hmap_reset(&a->sessions);
	tmr_cancel(&a->sweep);
	throttle_reset(&a->throttle);
	free(a);
}

/* ---- scope ---- */

static bool strv_has(char *const *v, size_t n, const char *x)
{
	for (size_t i = 0; x && i < n; i++)
		if (!strcmp(v[i], x))
			return true;
	return false;
}

void auth_agent_changed(struct srv *s, const char *agent, const json_t *body)
{
	struct hmap *users = &A(s)->users;

	for (size_t i = 0; i < hmap_span(users); i++) {
		struct user *u = hmap_at(users, i);
		json_t *of;

		if (!u || strcmp(u->agent, agent) ||
		    !(of = json_deep_copy(body)))
			continue;
		json_decref(u->of);
		u->of = of;
	}
}

bool auth_sees_tenant(struct srv *s, const struct user *u, const char *t)
{
	const json_t *ab;
	json_t *v;
	size_t i;

	(void)s; /* the scope is the user's own (its agent's kept with it) */
	if (u->role == ROLE_ADMIN)
		return true;
	if (!t)
		return false;
	if (u->role != ROLE_AGENT)
		return strv_has(u->tenants, u->ntenants, t);
	ab = u->of; /* its agent's body, kept with it */
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

	(void)s; /* the scope is the user's own (its agent's kept with it) */
	if (u->role == ROLE_ADMIN)
		return true;
	if (!site)
		return false;
	if (u->role == ROLE_SUPERVISOR)
		return strv_has(u->sites, u->nsites, site);
	if (u->role == ROLE_AGENT) {
		ab = u->of; /* its agent's body, kept with it */
		return ab && jv_str(ab, "site") &&
		       !strcmp(jv_str(ab, "site"), site);
	}
	return false;
}

char **auth_tenants(struct srv *s, const struct user *u, size_t *n)
{
	const json_t *ab;

	(void)s; /* the scope is the user's own (its agent's kept with it) */
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
	ab = u->of; /* its agent's body, kept with it */
	return strv_from(ab ? json_object_get(ab, "tenants") : NULL, n);
}

bool auth_scope(struct hreq *r, char ***v, size_t *n)
{
	*v = auth_tenants(r->srv, r->user, n);
	if (*v || r->user->role == ROLE_ADMIN)
		return true;
	/* NULL would read as "every tenant": fail closed */
	web_error(r, 500, "internal", "out of memory");
	return false;
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
	se = hmap_get(&A(s)->sessions, hmap_hash_str(id), session_eq, id);
	if (se && se->expires_ms < srv_now(s))
		return NULL;
	return se;
}

/* Forgets a session, in memory and (with the open batch) in the store. */
static void session_end(struct srv *s, struct session *se)
{
	hmap_del(&A(s)->sessions, hmap_hash_str(se->id), session_eq, se->id);
	srv_del(s, "sessions", se->id);
	free(se);
}

/* An expired session, or one whose user is gone, is deleted on sight. */
int auth_session_load(struct srv *s, const char *id, const char *body)
{
	json_t *b = json_loads(body, 0, NULL);
	struct session *se;

	if (!b)
		return EINVAL;
	if (jv_int(b, "expires_ms", 0) < srv_now(s) || !jv_str(b, "user") ||
	    !auth_user_find(s, jv_str(b, "user"))) {
		json_decref(b);
		return srv_del(s, "sessions", id);
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
	return hmap_put(&A(s)->sessions, hmap_hash_str(se->id), se);
}

/*
 * Ends the sessions for which pred is true. They are collected first: a
 * deletion moves the entries behind it. O(sessions).
 */
static void sessions_end_if(struct srv *s,
			    bool (*pred)(struct srv *s,
					 const struct session *se,
					 const void *arg),
			    const void *arg)
{
	struct session **v = NULL, **g;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < hmap_span(&A(s)->sessions); i++) {
		struct session *se = hmap_at(&A(s)->sessions, i);

		if (!se || !pred(s, se, arg))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			g = realloc(v, cap * sizeof(*v));
			if (!g)
				break; /* the sweep does the rest */
			v = g;
		}
		v[n++] = se;
	}
	for (size_t i = 0; i < n; i++)
		session_end(s, v[i]);
	free(v);
}

struct end_arg {
	const char *user, *keep;
};

static bool session_of(struct srv *s, const struct session *se, const void *arg)
{
	const struct end_arg *e = arg;

	(void)s;
	return !strcmp(se->user, e->user) &&
	       !(e->keep && !strcmp(se->id, e->keep));
}

void auth_sessions_end(struct srv *s, const char *user, const char *keep)
{
	struct end_arg e = {user, keep};

	sessions_end_if(s, session_of, &e);
}

static bool session_stale(struct srv *s, const struct session *se,
			  const void *arg)
{
	(void)arg;
	return se->expires_ms < srv_now(s) || !auth_user_find(s, se->user);
}

struct user *auth_user_find(struct srv *s, const char *id)
{
	return hmap_get(&A(s)->users, hmap_hash_str(id), user_eq, id);
}

const char *auth_token_session(struct srv *s, const char *token)
{
	struct session *se = session_find(s, token);

	return se ? se->id : NULL;
}

bool auth_session_alive(struct srv *s, const char *id)
{
	struct session *se =
		hmap_get(&A(s)->sessions, hmap_hash_str(id), session_eq, id);

	return se && se->expires_ms >= srv_now(s);
}

struct user *auth_token_user(struct srv *s, const char *token)
{
	struct session *se = session_find(s, token);

	return se ? hmap_get(&A(s)->users, hmap_hash_str(se->user), user_eq,
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

/* ---- proxies and origins ---- */

static void trim(struct pl *v)
{
	while (v->l && (v->p[0] == ' ' || v->p[0] == '\t')) {
		v->p++;
		v->l--;
	}
	while (v->l && (v->p[v->l - 1] == ' ' || v->p[v->l - 1] == '\t'))
		v->l--;
}

/* Whether the peer is one of --trusted-proxy's addresses. */
static bool from_trusted_proxy(const struct hreq *r)
{
	const char *p = r->srv->cfg.trusted_proxy;
	struct sa peer, sa;
	char one[64];

	if (!p || sa_set_str(&peer, r->peer, 0))
		return false;
	while (*p) {
		size_t n = strcspn(p, ", ");

		if (n && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (!sa_set_str(&sa, one, 0) &&
			    sa_cmp(&peer, &sa, SA_ADDR))
				return true;
		}
		p += n + (p[n] != '\0');
	}
	return false;
}

/* The last header `name` (the one the nearest proxy wrote), or NULL. */
static bool last_hdr_h(const struct http_hdr *hdr, void *arg)
{
	*(const struct http_hdr **)arg = hdr;
	return false;
}

static const struct http_hdr *last_hdr(const struct hreq *r, const char *name)
{
	const struct http_hdr *h = NULL;

	http_msg_xhdr_apply(r->msg, true, name, last_hdr_h, &h);
	return h;
}

/*
 * The client's address: the peer, or behind a trusted proxy the last hop
 * of X-Forwarded-For (the one that proxy saw; those before it are the
 * client's word). Login limits count it.
 */
void auth_client_addr(const struct hreq *r, char *out, size_t size)
{
	const struct http_hdr *h;
	struct pl v;
	struct sa sa;
	char one[64];

	snprintf(out, size, "%s", r->peer);
	if (!from_trusted_proxy(r) || !(h = last_hdr(r, "X-Forwarded-For")))
		return;
	v = h->val;
	for (size_t i = v.l; i > 0; i--)
		if (v.p[i - 1] == ',') {
			pl_advance(&v, i);
			break;
		}
	trim(&v);
	if (v.l && v.l < sizeof(one) && !pl_strcpy(&v, one, sizeof(one)) &&
	    !sa_set_str(&sa, one, 0))
		re_snprintf(out, size, "%j", &sa);
}

/* Whether the client reached relais over HTTPS (a trusted proxy says so). */
static bool request_https(const struct hreq *r)
{
	const struct http_hdr *h;
	struct pl v;

	if (!from_trusted_proxy(r) ||
	    !(h = http_msg_xhdr(r->msg, "X-Forwarded-Proto")))
		return false;
	v = h->val;
	for (size_t i = 0; i < v.l; i++)
		if (v.p[i] == ',') {
			v.l = i;
			break;
		}
	trim(&v);
	return !pl_strcasecmp(&v, "https");
}

/* host[:port] without the scheme's default port. */
static struct pl authority(struct pl a, bool https)
{
	const char *dflt = https ? ":443" : ":80";
	size_t n = strlen(dflt);

	if (a.l > n && !strncmp(a.p + a.l - n, dflt, n))
		a.l -= n;
	return a;
}

bool auth_same_origin(const struct hreq *r, bool require)
{
	const struct http_hdr *o = http_msg_xhdr(r->msg, "Origin"), *h = NULL;
	bool https = request_https(r);
	const char *scheme = https ? "https://" : "http://";
	size_t n = strlen(scheme);
	struct pl oa, ha;

	if (!o)
		return !require;
	if (from_trusted_proxy(r))
		h = last_hdr(r, "X-Forwarded-Host");
	if (!h)
		h = http_msg_hdr(r->msg, HTTP_HDR_HOST);
	if (!h || o->val.l <= n || strncasecmp(o->val.p, scheme, n))
		return false;
	oa = o->val;
	pl_advance(&oa, n);
	oa = authority(oa, https);
	ha = authority(h->val, https);
	return oa.l == ha.l && memchr(oa.p, '/', oa.l) == NULL &&
	       !strncasecmp(oa.p, ha.p, oa.l);
}

bool auth_request(struct hreq *r)
{
	struct srv *s = r->srv;
	const struct http_hdr *csrf;
	char token[128];
	struct session *se;

	if (!request_token(r->msg, token, sizeof(token), &r->cookie) ||
	    !(se = session_find(s, token)) ||
	    !(r->user = hmap_get(&A(s)->users, hmap_hash_str(se->user), user_eq,
				 se->user))) {
		web_error(r, 401, "unauthorized",
			  "log in first (POST /api/v1/session), then send "
			  "the token");
		return false;
	}
	r->sess = se;
	/* the user's own language comes before the browser's */
	if (r->user->lang[0])
		web_set_lang(r, r->user->lang);
	if (!r->cookie || !unsafe_method(r->method))
		return true;
	/* a browser names the page's origin on every change */
	if (!auth_same_origin(r, false)) {
		web_error(r, 403, "forbidden",
			  "a cookie session refuses changes from a page of "
			  "another origin");
		return false;
	}
	csrf = http_msg_xhdr(r->msg, "X-CSRF-Token");
	if (!csrf || pl_strcmp(&csrf->val, se->csrf)) {
		web_error(r, 403, "forbidden",
			  "a cookie session needs the X-CSRF-Token header");
		return false;
	}
	return true;
}

json_t *auth_user_json(struct srv *s, const struct user *u)
{
	(void)s;
	return json_deep_copy(u->view);
}

/* ---- passwords ---- */

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

/* Characters are code points: the bytes that do not continue one. */
int auth_password_check(const char *password, char *msg, size_t size)
{
	size_t chars = 0;

	for (const char *p = password; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	if (chars >= PASSWORD_MIN_CHARS)
		return 0;
	snprintf(msg, size, "password: expected at least %d characters",
		 PASSWORD_MIN_CHARS);
	return -1;
}

/* ---- login limits, kept in the store's login_limits table ---- */

static void limit_write(const struct throttle_entry *e, bool gone, void *arg)
{
	struct srv *s = arg;
	json_t *row;

	if (gone) {
		srv_del(s, "login_limits", e->key);
		return;
	}
	row = json_pack("{s:i,s:I,s:I}", "fails", e->fails, "last_ms",
			(json_int_t)e->last_ms, "until_ms",
			(json_int_t)e->until_ms);
	if (row)
		srv_put(s, "login_limits", e->key, row);
	json_decref(row);
}

static int limit_row(const char *id, const char *body, void *arg)
{
	struct srv *s = arg;
	json_t *b = json_loads(body, 0, NULL);

	if (!b ||
	    throttle_load(&A(s)->throttle, id, (int)jv_int(b, "fails", 0),
			  jv_int(b, "last_ms", 0), jv_int(b, "until_ms", 0)))
		log_warn("auth", "msg=\"bad login limit row, ignored\"");
	json_decref(b);
	return 0;
}

/* Every minute: expired sessions and forgotten limits leave the store. */
static void sweep(void *arg)
{
	struct srv *s = arg;

	if (s->stopping)
		return;
	sessions_end_if(s, session_stale, NULL);
	throttle_sweep(&A(s)->throttle, srv_now(s), limit_write, s);
	srv_flush(s);
	tmr_start(&A(s)->sweep, SWEEP_MS, sweep, s);
}

/* ---- login ---- */

struct login {
	struct hreq *r;
	char username[64];
	char addr[64];
	char *password;
	char hash[128];
	const char *dummy; /* unknown user: the dummy hash */
	bool secure;	   /* the cookie is for HTTPS only */
	bool ok;
};

/* On the hashing thread: the same work whether the user exists or not. */
static void login_verify(void *ctx, void *arg)
{
	struct login *l = arg;
	const char *hash = l->dummy ? l->dummy : l->hash;
	bool match = hash[0] && !crypto_pwhash_str_verify(hash, l->password,
							  strlen(l->password));

	(void)ctx;
	l->ok = match && !l->dummy;
	sodium_memzero(l->password, strlen(l->password));
}

static void login_free(struct login *l)
{
	free(l->password);
	free(l);
}

/*
 * The 401 waits for the failure's count and its audit event to be on
 * disk. u: the user of that name, or NULL (the name is recorded as tried).
 */
static void login_failed(struct hreq *r, const char *username,
			 const struct user *u, const char *addr)
{
	struct srv *s = r->srv;

	A(s)->logins_failed++;
	srv_log(s, NULL,
		&(struct event){.type = EVENT_AUDIT_LOGIN_FAILED,
				.u.login = {u ? u->id : "", username, addr}});
	log_warn("auth", "msg=\"login failed\" user=%s peer=%s", username,
		 r->peer);
	snprintf(r->extra, sizeof(r->extra), "WWW-Authenticate: Bearer\r\n");
	srv_reply_durable(r, 401,
			  json_pack("{s:{s:s,s:s}}", "error", "code",
				    "unauthorized", "message",
				    "wrong user name or password"));
}

static int session_open(struct srv *s, const struct user *u, char token[64],
			struct session **out)
{
	struct session *se = calloc(1, sizeof(*se));
	char t[32];
	json_t *row;

	if (!se)
		return ENOMEM;
	random_token(token, 64, 32);
	random_token(se->csrf, sizeof(se->csrf), 24);
	token_hash(token, se->id);
	snprintf(se->user, sizeof(se->user), "%s", u->id);
	se->expires_ms = srv_now(s) + (u->role == ROLE_INTEGRATION
					       ? INTEGRATION_SESSION_MS
					       : SESSION_MS);
	if (hmap_put(&A(s)->sessions, hmap_hash_str(se->id), se)) {
		free(se);
		return ENOMEM;
	}
	row = json_pack("{s:s,s:s,s:I,s:s}", "user", u->id, "csrf", se->csrf,
			"expires_ms", (json_int_t)se->expires_ms, "created_at",
			utctime_format(srv_now(s), t, sizeof(t)));
	srv_put(s, "sessions", se->id, row);
	json_decref(row);
	*out = se;
	return 0;
}

static void login_done(void *arg)
{
	struct login *l = arg;
	struct hreq *r = l->r;
	struct srv *s = r->srv;
	struct user *u =
		hmap_get(&A(s)->users_by_name, hmap_hash_str(l->username),
			 user_name_eq, l->username);
	bool ok = l->ok && u;
	struct session *se;
	char token[64];

	throttle_done(&A(s)->throttle, l->username, l->addr, ok, srv_now(s),
		      limit_write, s);
	if (!ok) {
		login_failed(r, l->username, u, l->addr);
		login_free(l);
		return;
	}
	if (session_open(s, u, token, &se)) {
		login_free(l);
		web_error(r, 500, "internal", "out of memory");
		return;
	}
	A(s)->logins_ok++;
	srv_log(s, NULL,
		&(struct event){.type = EVENT_AUDIT_LOGIN,
				.u.login = {u->id, u->username, l->addr}});
	snprintf(r->extra, sizeof(r->extra),
		 "Set-Cookie: relais_session=%s; Path=/; HttpOnly; "
		 "SameSite=Strict; Max-Age=%lld%s\r\n",
		 token, (long long)((se->expires_ms - srv_now(s)) / 1000),
		 l->secure ? "; Secure" : "");
	login_free(l);
	srv_reply_durable(r, 201,
			  json_pack("{s:s,s:s,s:o}", "token", token, "csrf",
				    se->csrf, "user", auth_user_json(s, u)));
}

static const struct jv_field login_fields[] = {
	{"username", JV_STRING, JV_REQUIRED, 1, 63, NULL, NULL},
	{"password", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{NULL, 0, 0, 0, 0, NULL, NULL},
};

/* 429 (this user or address waits) or 503 (the hashing queue is full). */
static void login_refused(struct hreq *r, int rc, int64_t wait_ms)
{
	long long sec = (long long)((wait_ms + 999) / 1000);

	snprintf(r->extra, sizeof(r->extra), "Retry-After: %lld\r\n", sec);
	if (rc == EBUSY)
		web_error(r, 503, "unavailable",
			  "too many logins are being checked; try again in "
			  "%lld s",
			  sec);
	else
		web_error(r, 429, "rate_limited",
			  "too many failed logins; try again in %lld s", sec);
}

static struct login *login_new(struct hreq *r, const char *addr)
{
	struct srv *s = r->srv;
	struct login *l = calloc(1, sizeof(*l));
	struct user *u;

	if (!l || !(l->password = strdup(jv_str(r->body, "password")))) {
		free(l);
		return NULL;
	}
	l->r = r;
	snprintf(l->username, sizeof(l->username), "%s",
		 jv_str(r->body, "username"));
	snprintf(l->addr, sizeof(l->addr), "%s", addr);
	u = hmap_get(&A(s)->users_by_name, hmap_hash_str(l->username),
		     user_name_eq, l->username);
	if (u)
		snprintf(l->hash, sizeof(l->hash), "%s", u->hash);
	else
		l->dummy = A(s)->dummy_hash;
	l->secure = request_https(r);
	return l;
}

static void api_session_create(struct hreq *r)
{
	struct srv *s = r->srv;
	struct login *l;
	char addr[64];
	int64_t wait;
	int rc;

	if (web_check(r, r->body, login_fields, true))
		return;
	if (!auth_same_origin(r, false)) {
		web_error(r, 403, "forbidden",
			  "a login from a page of another origin is refused");
		return;
	}
	auth_client_addr(r, addr, sizeof(addr));
	rc = throttle_admit(&A(s)->throttle, jv_str(r->body, "username"), addr,
			    srv_now(s), &wait, limit_write, s);
	srv_flush(s);
	if (rc == EAGAIN || rc == EBUSY) {
		login_refused(r, rc, wait);
		return;
	}
	l = rc ? NULL : login_new(r, addr);
	if (l && !worker_submit(s->cpu, login_verify, login_done, l))
		return;
	if (l) {
		throttle_cancel(&A(s)->throttle, l->username, addr);
		login_free(l);
	} else if (!rc) {
		throttle_cancel(&A(s)->throttle, jv_str(r->body, "username"),
				addr);
	}
	web_error(r, 500, "internal", "out of memory");
}

static void dummy_run(void *ctx, void *arg)
{
	struct auth *a = arg;

	(void)ctx;
	if (auth_hash("relais-no-such-user", a->dummy_hash))
		a->dummy_hash[0] = '\0';
}

/*
 * The dummy hash is the hashing thread's first job, so every login sees
 * it made; the limits kept by the last run are read before the server
 * listens.
 */
static int auth_init(struct srv *s, void **arg)
{
	struct auth *a = calloc(1, sizeof(*a));
	int err;

	if (!a)
		return ENOMEM;
	*arg = a;
	if (sodium_init() < 0)
		log_warn("auth", "msg=\"sodium_init failed\"");
	throttle_init(&a->throttle);
	tmr_init(&a->sweep);
	err = worker_submit(s->cpu, dummy_run, NULL, a);
	if (!err)
		err = s->store->ops->rows(s->store, "login_limits", limit_row,
					  s);
	if (err)
		log_error("auth", "msg=\"cannot start\" err=\"%s\"",
			  strerror(err));
	return err;
}

static int session_row(const char *id, const char *body, void *arg)
{
	return auth_session_load(arg, id, body);
}

/* Sessions after the users (the configuration module loads them). */
static int auth_load(struct srv *s, void *arg)
{
	(void)arg;
	return s->store->ops->rows(s->store, "sessions", session_row, s);
}

static void auth_start(struct srv *s, void *arg)
{
	(void)arg;
	sweep(s);
}

static void api_session_get(struct hreq *r)
{
	web_json(r, 200,
		 json_pack("{s:o,s:s}", "user", auth_user_json(r->srv, r->user),
			   "csrf", r->sess->csrf));
}

static void api_session_delete(struct hreq *r)
{
	struct srv *s = r->srv;

	session_end(s, r->sess);
	r->sess = NULL;
	snprintf(r->extra, sizeof(r->extra),
		 "Set-Cookie: relais_session=; Path=/; HttpOnly; "
		 "SameSite=Strict; Max-Age=0%s\r\n",
		 request_https(r) ? "; Secure" : "");
	srv_reply_durable(r, 204, NULL);
}

static void auth_metrics(struct srv *s, void *state, struct mbuf *mb)
{
	const struct auth *a = state;

	(void)s;
	mbuf_printf(mb,
		    "# HELP relais_logins_total Logins by result.\n"
		    "# TYPE relais_logins_total counter\n"
		    "relais_logins_total{result=\"ok\"} %llu\n"
		    "relais_logins_total{result=\"failed\"} %llu\n",
		    (unsigned long long)a->logins_ok,
		    (unsigned long long)a->logins_failed);
}

/* The access phase (module.h): the caller, then the route's roles. */
static bool auth_access(struct hreq *r, unsigned roles)
{
	if (!auth_request(r))
		return false;
	if (!(roles & (1u << r->user->role))) {
		web_forbidden(r);
		return false;
	}
	return true;
}

static const struct route auth_routes[] = {
	WEB_ROUTE("POST", "/api/v1/session", api_session_create, R_PUBLIC),
	WEB_ROUTE("GET", "/api/v1/session", api_session_get, R_ANY),
	WEB_ROUTE("DELETE", "/api/v1/session", api_session_delete, R_ANY),
	{.method = NULL},
};

const struct srv_module auth_module = {
	.name = "auth",
	.routes = auth_routes,
	.init = auth_init,
	.load = auth_load,
	.start = auth_start,
	.metrics = auth_metrics,
	.access = auth_access,
	.close = auth_close,
};
