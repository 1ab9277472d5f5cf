/*
 * The registrar (registrar.h): REGISTER read by regmsg.c, checked by
 * digest against the phones kind (phones.c), bound in bindings.c's table,
 * which a timer expires.
 *
 * Nonces are stateless (regmsg.h): the registrar keeps no state per
 * challenge, and a nonce from before a restart is not ours (a new
 * challenge). Within its 5 minutes a nonce may be replayed, as with any
 * stateless nonce; the digest still binds it to the method and URI.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "channels/voice/sipre.h"

#include "channels/voice/bindings.h"
#include "channels/voice/regmsg.h"
#include "channels/voice/registrar.h"
#include "channels/voice/voice.h"
#include "model/jv.h"
#include "model/utctime.h"
#include "server/log.h"
#include "server/objects.h"
#include "server/srv.h"
#include "server/throttle.h"

#define SWEEP_MS (60 * 1000) /* the throttle's forgetting */

struct registrar {
	struct voice *v;
	struct list bindings;	       /* struct binding (bindings.h) */
	struct tmr tmr;		       /* the next expiry */
	uint8_t key[REGMSG_NONCE_KEY]; /* the nonces' */
	struct throttle throttle;
	int64_t swept; /* the throttle's last sweep */
	/* /metrics: REGISTER answered 200, 401, 403, 400 or 423 */
	uint64_t ok, challenged, refused, bad;
};

static void registrar_destroy(void *arg)
{
	struct registrar *r = arg;

	tmr_cancel(&r->tmr);
	bindings_clear(&r->bindings, NULL, NULL, NULL);
	throttle_reset(&r->throttle);
}

int registrar_alloc(struct registrar **rp, struct voice *v)
{
	struct registrar *r = mem_zalloc(sizeof(*r), registrar_destroy);

	if (!r)
		return ENOMEM;
	r->v = v;
	list_init(&r->bindings);
	tmr_init(&r->tmr);
	rand_bytes(r->key, sizeof(r->key));
	throttle_init(&r->throttle);
	*rp = r;
	return 0;
}

static int64_t now_ms(const struct registrar *r)
{
	return srv_now(r->v->s);
}

/* ---- answers ---- */

static void challenge(struct registrar *r, const struct sip_msg *msg,
		      bool stale)
{
	char nonce[REGMSG_NONCE_LEN + 1];

	regmsg_nonce_make(r->key, now_ms(r), nonce);
	r->challenged++;
	sip_treplyf(NULL, NULL, r->v->sip, msg, false, 401, "Unauthorized",
		    "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", "
		    "algorithm=MD5, qop=\"auth\"%s\r\n"
		    "Content-Length: 0\r\n\r\n",
		    VOICE_REALM, nonce, stale ? ", stale=true" : "");
}

static void refuse(struct registrar *r, const struct sip_msg *msg,
		   uint16_t status)
{
	static const char *const reasons[] = {
		[0] = "Bad Request",
		[1] = "Forbidden",
		[2] = "Interval Too Brief",
		[3] = "Server Internal Error",
	};
	int i = status == 403 ? 1 : status == 423 ? 2 : status == 500 ? 3 : 0;

	if (status == 403)
		r->refused++;
	else
		r->bad++;
	sip_treplyf(NULL, NULL, r->v->sip, msg, false, status, reasons[i],
		    "%sContent-Length: 0\r\n\r\n",
		    status == 423 ? "Min-Expires: 60\r\n" : "");
}

/* The 200: every binding of the phone, with the seconds it has left. */
static void reply_ok(struct registrar *r, const struct sip_msg *msg,
		     const char *phone)
{
	struct mbuf *mb = mbuf_alloc(256);
	int64_t now = now_ms(r);

	if (!mb) {
		refuse(r, msg, 500);
		return;
	}
	for (struct le *le = list_head(&r->bindings); le; le = le->next) {
		const struct binding *b = le->data;

		if (!strcmp(b->phone, phone))
			mbuf_printf(
				mb, "Contact: <%s>;expires=%lld\r\n", b->uri,
				(long long)(b->expires_at - now + 999) / 1000);
	}
	mbuf_set_pos(mb, 0);
	r->ok++;
	sip_treplyf(NULL, NULL, r->v->sip, msg, false, 200, "OK",
		    "%bContent-Length: 0\r\n\r\n", mbuf_buf(mb),
		    mbuf_get_left(mb));
	mem_deref(mb);
}

/* ---- the digest ---- */

static void throttle_write_none(const struct throttle_entry *e, bool gone,
				void *arg)
{
	(void)e;
	(void)gone;
	(void)arg;
}

/* Whether the phone's HA1 answers the credentials. */
static bool digest_ok(const struct obj *phone, const struct regmsg *m,
		      const struct sip_msg *msg)
{
	const char *hex = jv_str(phone->body, "ha1");
	uint8_t ha1[16];

	if (!hex || strlen(hex) != 32 || str_hex(ha1, sizeof(ha1), hex))
		return false;
	return !httpauth_digest_response_auth(&m->auth, &msg->met, ha1);
}

/*
 * The phone whose login the credentials prove, or NULL with the answer
 * sent (401: none or not ours or stale; 403: unknown user, wrong
 * password, too many failures, or a To that is not the login).
 */
static const struct obj *authenticate(struct registrar *r,
				      const struct sip_msg *msg,
				      const struct regmsg *m)
{
	struct srv *s = r->v->s;
	char user[72], addr[64];
	const struct obj *phone;
	int64_t now = now_ms(r), wait;
	bool ok;
	int st;

	if (!m->has_auth || pl_strcmp(&m->auth.realm, VOICE_REALM) ||
	    (st = regmsg_nonce_check(r->key, &m->auth.nonce, now)) == EINVAL) {
		challenge(r, msg, false);
		return NULL;
	}
	if (st == ETIMEDOUT) {
		challenge(r, msg, true);
		return NULL;
	}
	pl_strcpy(&m->auth.username, user, sizeof(user));
	re_snprintf(addr, sizeof(addr), "%j", &msg->src);
	if (now - r->swept > SWEEP_MS) {
		throttle_sweep(&r->throttle, now, throttle_write_none, NULL);
		r->swept = now;
	}
	if (throttle_admit(&r->throttle, user, addr, now, &wait,
			   throttle_write_none, NULL)) {
		log_warn("voice",
			 "msg=\"register throttled\" user=\"%s\" addr=%s "
			 "wait_ms=%lld",
			 user, addr, (long long)wait);
		refuse(r, msg, 403);
		return NULL;
	}
	phone = m->auth.username.l < 65
			? obj_find_by(s, K_PHONES, "username", user)
			: NULL;
	ok = phone && digest_ok(phone, m, msg);
	throttle_done(&r->throttle, user, addr, ok, now, throttle_write_none,
		      NULL);
	if (!ok) {
		log_warn("voice",
			 "msg=\"register refused: wrong credentials\" "
			 "user=\"%s\" addr=%s",
			 user, addr);
		refuse(r, msg, 403);
		return NULL;
	}
	if (pl_strcmp(&m->to_user, user)) {
		log_warn("voice",
			 "msg=\"register refused: To is not the login\" "
			 "user=\"%s\" addr=%s",
			 user, addr);
		refuse(r, msg, 403);
		return NULL;
	}
	return phone;
}

/* ---- bindings ---- */

static void log_gone(const struct binding *b, void *arg)
{
	struct registrar *r = arg;
	const struct obj *phone = obj_find(r->v->s, K_PHONES, b->phone);

	log_info("voice", "msg=\"unregistered\" agent=%s contact=\"%s\"",
		 phone ? jv_str(phone->body, "agent") : "-", b->uri);
}

static void expire_h(void *arg);

/* The timer at the soonest expiry. */
static void schedule(struct registrar *r)
{
	int64_t next = bindings_next(&r->bindings), wait;

	if (!next) {
		tmr_cancel(&r->tmr);
		return;
	}
	wait = next - now_ms(r);
	tmr_start(&r->tmr, wait < 10 ? 10 : (uint64_t)wait, expire_h, r);
}

static void expire_h(void *arg)
{
	struct registrar *r = arg;

	bindings_expire(&r->bindings, now_ms(r), log_gone, r);
	schedule(r);
}

/* One contact of the REGISTER: 0, ENOSPC (too many devices), ENOMEM. */
static int bind_one(struct registrar *r, const struct obj *phone,
		    const struct regmsg *m, const struct regmsg_contact *c,
		    enum sip_transp tp)
{
	bool added;
	int err;

	if (!c->expires) {
		bindings_remove(&r->bindings, phone->id, &c->uri, log_gone, r);
		return 0;
	}
	err = bindings_set(&r->bindings, phone->id, &c->uri, &m->user_agent, tp,
			   now_ms(r) + 1000LL * c->expires, &added);
	if (!err && added)
		log_info("voice",
			 "msg=\"registered\" agent=%s contact=\"%.*s\" "
			 "expires=%u",
			 jv_str(phone->body, "agent"), (int)c->uri.l, c->uri.p,
			 c->expires);
	return err;
}

/* Applies the REGISTER's contacts: 0 or the status to answer. */
static uint16_t bind_all(struct registrar *r, const struct obj *phone,
			 const struct regmsg *m, enum sip_transp tp)
{
	int err = 0;

	if (m->star)
		bindings_clear(&r->bindings, phone->id, log_gone, r);
	for (size_t i = 0; !err && i < m->n; i++)
		err = bind_one(r, phone, m, &m->c[i], tp);
	schedule(r);
	return err == ENOSPC ? 403 : err ? 500 : 0;
}

void registrar_request(struct registrar *r, const struct sip_msg *msg)
{
	const struct obj *phone;
	struct regmsg m;
	uint16_t st;

	st = regmsg_parse(&m, msg);
	if (st) {
		refuse(r, msg, st);
		return;
	}
	phone = authenticate(r, msg, &m);
	if (!phone)
		return;
	st = bind_all(r, phone, &m, msg->tp);
	if (st)
		refuse(r, msg, st);
	else
		reply_ok(r, msg, phone->id);
}

/* ---- what the rest of the server asks ---- */

/* fn for each live binding of the phone whose field is id; how many. */
static size_t bindings_of(struct registrar *r, const char *field,
			  const char *id,
			  void (*fn)(const char *uri, void *arg), void *arg)
{
	const struct obj *phone = obj_find_by(r->v->s, K_PHONES, field, id);
	size_t n = 0;

	if (!phone)
		return 0;
	for (struct le *le = list_head(&r->bindings); le; le = le->next) {
		const struct binding *b = le->data;

		if (strcmp(b->phone, phone->id))
			continue;
		fn(b->uri, arg);
		n++;
	}
	return n;
}

size_t registrar_bindings(struct registrar *r, const char *agent,
			  void (*fn)(const char *uri, void *arg), void *arg)
{
	return bindings_of(r, "agent", agent, fn, arg);
}

size_t registrar_user_bindings(struct registrar *r, const char *user,
			       void (*fn)(const char *uri, void *arg),
			       void *arg)
{
	return bindings_of(r, "user", user, fn, arg);
}

const char *registrar_agent_of(struct registrar *r, const char *user)
{
	const struct obj *phone =
		obj_find_by(r->v->s, K_PHONES, "username", user);

	return phone ? jv_str(phone->body, "agent") : NULL;
}

static const char *transport_name(enum sip_transp tp)
{
	switch (tp) {
	case SIP_TRANSP_TCP:
		return "tcp";
	case SIP_TRANSP_TLS:
		return "tls";
	case SIP_TRANSP_WS:
		return "ws";
	case SIP_TRANSP_WSS:
		return "wss";
	default:
		return "udp";
	}
}

json_t *registrar_view(struct registrar *r, const char *phone)
{
	json_t *out = json_array();
	char t[32];

	if (!r)
		return out;
	for (struct le *le = list_head(&r->bindings); le; le = le->next) {
		const struct binding *b = le->data;

		if (strcmp(b->phone, phone))
			continue;
		json_array_append_new(
			out,
			json_pack("{s:s,s:s,s:s,s:s}", "contact", b->uri,
				  "expires_at",
				  utctime_format(b->expires_at, t, sizeof(t)),
				  "user_agent", b->ua, "transport",
				  transport_name(b->tp)));
	}
	return out;
}

void registrar_forget(struct registrar *r, const char *phone)
{
	if (!r)
		return;
	bindings_clear(&r->bindings, phone, log_gone, r);
	schedule(r);
}

void registrar_metrics(struct registrar *r, struct mbuf *mb)
{
	if (!r)
		return;
	mbuf_printf(mb,
		    "# HELP relais_voice_registrations Live bindings of the "
		    "agents' phones\n"
		    "# TYPE relais_voice_registrations gauge\n"
		    "relais_voice_registrations %u\n"
		    "# HELP relais_voice_register_total REGISTER requests by "
		    "answer\n"
		    "# TYPE relais_voice_register_total counter\n"
		    "relais_voice_register_total{status=\"200\"} %llu\n"
		    "relais_voice_register_total{status=\"401\"} %llu\n"
		    "relais_voice_register_total{status=\"403\"} %llu\n"
		    "relais_voice_register_total{status=\"4xx\"} %llu\n",
		    list_count(&r->bindings), (unsigned long long)r->ok,
		    (unsigned long long)r->challenged,
		    (unsigned long long)r->refused, (unsigned long long)r->bad);
}
