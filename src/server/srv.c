/*
 * The server's life: start-up (store, migrations, state rebuilt from the
 * store), the loop, the group commit, the engine's clock, the shutdown.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "server/libre.h"
#include <uuid.h>

#include "model/event.h"
#include "server/hconn.h"
#include "server/log.h"
#include "server/module.h"
#include "server/srv.h"
#include "server/worker.h"

/* Descriptors kept out of the connection cap: the store's files, the
 * workers' pipes, the listening socket, logs. */
#define FD_RESERVE 64
/* How long a stop waits for the answers of what it commits. */
#define STOP_GRACE_MS 10000

/* ---- modules ---- */

void *srv_module_state(const struct srv *s, const struct srv_module *m)
{
	for (size_t i = 0; srv_modules[i]; i++)
		if (srv_modules[i] == m)
			return s->mods[i];
	return NULL;
}

/* Calls hook (a member of struct srv_module) of every module that has it. */
#define EACH_MODULE(s, hook, ...)                  \
	for (size_t i_ = 0; srv_modules[i_]; i_++) \
		if (srv_modules[i_]->hook)         \
	srv_modules[i_]->hook((s), (s)->mods[i_], ##__VA_ARGS__)

void srv_metrics(struct srv *s, struct mbuf *mb)
{
	EACH_MODULE(s, metrics, mb);
}

static int modules_init(struct srv *s)
{
	int err = 0;

	for (size_t i = 0; !err && srv_modules[i]; i++) {
		if (i >= SRV_MODULES_MAX)
			return E2BIG;
		if (srv_modules[i]->init)
			err = srv_modules[i]->init(s, &s->mods[i]);
		if (err)
			log_error("srv",
				  "msg=\"cannot start\" module=%s err=%d",
				  srv_modules[i]->name, err);
	}
	return err;
}

static int modules_load(struct srv *s)
{
	int err = 0;

	for (size_t i = 0; !err && srv_modules[i]; i++)
		if (srv_modules[i]->load) {
			err = srv_modules[i]->load(s, s->mods[i]);
			if (err)
				log_error("srv",
					  "msg=\"cannot load\" module=%s "
					  "err=%d",
					  srv_modules[i]->name, err);
		}
	return err;
}

/* Also after a failed start: close() is called for every module. */
static void modules_close(struct srv *s)
{
	EACH_MODULE(s, close);
}

struct batch {
	struct srv *srv;
	struct store_batch sb;
	struct hreq *waiters, **tail;
	struct pub *pubs;
	size_t npubs, cap;
	int64_t last_seq;
	int err;
	char msg[256];
	uint64_t us;
};

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int64_t utc_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t srv_now(const struct srv *s)
{
	return (int64_t)(mono_us() / 1000) - s->mono0_ms + s->utc0_ms;
}

/*
 * Ids are UUIDs of version 7 (RFC 9562): 48 bits of UTC milliseconds,
 * then random bits. Ids made later sort later, so the store's indexes
 * grow at their right edge instead of dirtying a random page per insert
 * (this halved the pages written per commit).
 */
void srv_uuid(char out[40])
{
	uint64_t ms = (uint64_t)utc_ms();
	uuid_t u;

	uuid_generate_random(u);
	for (int i = 0; i < 6; i++)
		u[i] = (unsigned char)(ms >> (40 - 8 * i));
	u[6] = (unsigned char)(0x70 | (u[6] & 0x0f)); /* version 7 */
	u[8] = (unsigned char)(0x80 | (u[8] & 0x3f)); /* variant 10 */
	uuid_unparse_lower(u, out);
}

static struct batch *batch_new(struct srv *s)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (!b) {
		log_error("store", "msg=\"out of memory\"");
		abort();
	}
	b->srv = s;
	b->tail = &b->waiters;
	return b;
}

static void batch_free(struct batch *b)
{
	store_batch_reset(&b->sb);
	free(b->sb.ops);
	for (size_t i = 0; i < b->npubs; i++) {
		free(b->pubs[i].tenant);
		json_decref(b->pubs[i].data);
		free(b->pubs[i].text);
	}
	free(b->pubs);
	free(b);
}

static void oom(void)
{
	log_error("srv", "msg=\"out of memory\"");
	abort();
}

/* Records an event in the open batch; data is stolen. */
static int64_t srv_event(struct srv *s, const char *tenant, const char *type,
			 json_t *data)
{
	struct batch *b = s->open;
	int64_t now = srv_now(s);
	char *text;
	struct pub *p;

	text = json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(15));
	if (!text ||
	    store_batch_event(&b->sb, ++s->seq, now, tenant, type, text))
		oom();
	if (b->npubs == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->pubs = realloc(b->pubs, b->cap * sizeof(*b->pubs));
		if (!b->pubs)
			oom();
	}
	p = &b->pubs[b->npubs++];
	p->seq = s->seq;
	p->time_ms = now;
	p->tenant = tenant ? strdup(tenant) : NULL;
	p->type = type;
	p->data = data;
	p->text = text; /* the stream sends it as the log holds it */
	b->last_seq = s->seq;
	s->events_total++;
	return s->seq;
}

int64_t srv_log(struct srv *s, const char *tenant, const struct event *e)
{
	json_t *data = event_encode(e);

	if (!data)
		oom();
	return srv_event(s, tenant, event_type_name(e->type), data);
}

int srv_put(struct srv *s, const char *table, const char *id,
	    const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));

	if (!text || store_batch_put(&s->open->sb, table, id, text))
		oom();
	free(text);
	return 0;
}

int srv_del(struct srv *s, const char *table, const char *id)
{
	if (store_batch_del(&s->open->sb, table, id))
		oom();
	return 0;
}

int srv_rewrite(struct srv *s, int64_t seq, const json_t *data)
{
	char *text = json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(15));

	if (!text || store_batch_rewrite(&s->open->sb, seq, text))
		oom();
	free(text);
	return 0;
}

void srv_reply_durable(struct hreq *r, int status, json_t *body)
{
	struct batch *b = r->srv->open;

	r->held = body;
	r->held_status = status;
	r->next = NULL;
	*b->tail = r;
	b->tail = &r->next;
	srv_flush(r->srv);
}

static void commit_job(void *ctx, void *arg)
{
	struct store *st = ctx;
	struct batch *b = arg;
	uint64_t t0 = mono_us();

	b->err = st->ops->commit(st, &b->sb);
	if (b->err)
		snprintf(b->msg, sizeof(b->msg), "%s", st->ops->errmsg(st));
	b->us = mono_us() - t0;
}

static void commit_done(void *arg)
{
	struct batch *b = arg;
	struct srv *s = b->srv;
	struct hreq *r, *next;

	s->inflight--;
	if (b->err) {
		/*
		 * The engine is ahead of the disk: stop rather than
		 * acknowledge anything. A restart rebuilds from the store.
		 */
		log_error("store", "msg=\"commit failed, stopping\" err=\"%s\"",
			  b->msg);
		exit(75);
	}
	s->commits++;
	s->commit_us_sum += b->us;
	if (b->last_seq > s->durable_seq)
		s->durable_seq = b->last_seq;
	for (r = b->waiters; r; r = next) {
		json_t *body = r->held;

		next = r->next;
		r->held = NULL;
		web_json(r, r->held_status, body);
	}
	EACH_MODULE(s, on_commit, b->pubs, b->npubs);
	batch_free(b);
	srv_flush(s);
}

void srv_flush(struct srv *s)
{
	struct batch *b;

	EACH_MODULE(s, before_commit);
	b = s->open;
	if (!b->sb.n && !b->waiters)
		return;
	if (s->inflight && s->cfg.group_commit)
		return; /* the running commit's done handler comes back */
	s->open = batch_new(s);
	s->inflight++;
	if (worker_submit(s->db, commit_job, commit_done, b))
		oom();
}

static void flush_fire(void *arg)
{
	srv_flush(arg);
}

void srv_commit_soon(struct srv *s)
{
	if (!tmr_isrunning(s->flush_tmr))
		tmr_start(s->flush_tmr, 0, flush_fire, s);
}

int srv_query(struct srv *s, void (*fn)(void *store, void *arg),
	      void (*done)(void *arg), void *arg)
{
	return worker_submit(s->db, fn, done, arg);
}

/* ---- the engine ---- */

static void engine_timer_fire(void *arg)
{
	struct srv *s = arg;

	engine_advance(s->eng, srv_now(s));
	srv_flush(s);
	srv_engine_timer(s);
}

void srv_engine_timer(struct srv *s)
{
	int64_t next = engine_next_timer(s->eng), now = srv_now(s);
	uint64_t delay;

	if (next == INT64_MAX) {
		tmr_cancel(s->eng_tmr);
		return;
	}
	delay = next <= now ? 0 : (uint64_t)(next - now);
	tmr_start(s->eng_tmr, delay, engine_timer_fire, s);
}

static void on_engine_event(void *arg, const struct engine_event *ev)
{
	struct srv *s = arg;

	if (s->restoring)
		return;
	EACH_MODULE(s, on_engine_event, ev);
}

static void tick(void *arg)
{
	struct srv *s = arg;

	EACH_MODULE(s, tick);
	tmr_start(s->tick_tmr, 1000, tick, s);
}

/* ---- start-up ---- */

/* The state of every module, from the store. */
static int load_state(struct srv *s)
{
	struct store *st = s->store;
	int err;

	s->seq = s->durable_seq = st->ops->last_seq(st);
	err = modules_load(s);
	if (err)
		log_error("store", "msg=\"cannot load the state\" err=\"%s\"",
			  st->ops->errmsg(st));
	return err;
}

static int open_store(struct srv *s)
{
	char msg[256];
	int version = 0, err;

	s->lock_fd = store_lock(s->cfg.data_dir, msg, sizeof(msg));
	if (s->lock_fd < 0) {
		log_error("store", "msg=\"%s\"", msg);
		return EBUSY;
	}
	err = store_sqlite_open(&s->store, s->cfg.data_dir, s->cfg.fsync, msg,
				sizeof(msg));
	if (err) {
		log_error("store", "msg=\"cannot open the store\" err=\"%s\"",
			  msg);
		return err;
	}
	err = s->store->ops->migrate(s->store, &version);
	if (err) {
		log_error("store", "msg=\"migration failed\" err=\"%s\"",
			  s->store->ops->errmsg(s->store));
		return err;
	}
	log_info("store", "engine=sqlite dir=%s schema=%d", s->cfg.data_dir,
		 version);
	return 0;
}

int srv_migrate(const char *data_dir, int *version, char *msg, size_t size)
{
	struct store *st;
	int lock = store_lock(data_dir, msg, size), err;

	if (lock < 0)
		return EBUSY;
	err = store_sqlite_open(&st, data_dir, true, msg, size);
	if (err) {
		close(lock);
		return err;
	}
	err = st->ops->migrate(st, version);
	if (err)
		snprintf(msg, size, "%s", st->ops->errmsg(st));
	st->ops->close(st);
	close(lock);
	return err;
}

/*
 * libre's loop handles 1,024 descriptors unless told otherwise: every
 * stream subscriber holds one. Raise the soft limit to the hard one and
 * size the loop for it. Returns the limit.
 */
static rlim_t raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = 65536;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		want = rl.rlim_max;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (fd_setsize((int)(rl.rlim_cur < want ? rl.rlim_cur : want)))
		log_warn("srv", "msg=\"cannot size the event loop\"");
	log_debug("srv", "max_fds=%llu", (unsigned long long)rl.rlim_cur);
	return rl.rlim_cur < want ? rl.rlim_cur : want;
}

/*
 * SIGTERM and SIGINT may come at any time, start-up included: until the
 * loop runs, the handler only notes it (the default action would kill the
 * process with 143 and no clean stop); a timer that runs first in the loop
 * looks at the note. Inside the loop, libre's handler calls this one.
 */
static volatile sig_atomic_t stop_asked;

static void early_signal(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* In the loop, called by libre (not in the signal's context). */
static void signal_handler(int sig)
{
	(void)sig;
	stop_asked = 1;
	re_cancel();
}

static void signals_early(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = early_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static void stop_if_asked(void *arg)
{
	(void)arg;
	if (stop_asked)
		re_cancel();
}

/* The connection caps: as configured, and below the descriptor limit. */
static void conn_limits(struct srv *s, struct hconn_config *hc, rlim_t fds)
{
	const struct srv_config *c = &s->cfg;
	rlim_t cap = fds > 2 * FD_RESERVE ? fds - FD_RESERVE : fds / 2;

	hconn_config_default(hc);
	hc->conns_max = c->conns_max ? c->conns_max : (unsigned)cap;
	if (hc->conns_max > cap)
		hc->conns_max = (unsigned)cap;
	if (c->conns_per_addr)
		hc->conns_per_addr = c->conns_per_addr;
	if (c->head_ms)
		hc->head_ms = c->head_ms;
	if (c->idle_ms)
		hc->idle_ms = c->idle_ms;
	log_info("http",
		 "max_connections=%u per_address=%u header_ms=%u "
		 "idle_ms=%u",
		 hc->conns_max, hc->conns_per_addr, hc->head_ms, hc->idle_ms);
}

static int listen_http(struct srv *s, rlim_t fds)
{
	const struct hconn_handlers h = {
		.bodyh = web_body_max,
		.reqh = web_request,
		.errh = web_conn_error,
		.arg = s->web,
	};
	struct hconn_config hc;
	struct sa laddr, bound;
	char url[80];
	int err = sa_decode(&laddr, s->cfg.http_addr, strlen(s->cfg.http_addr));

	if (err) {
		log_error("http",
			  "msg=\"bad address, expected HOST:PORT\" "
			  "addr=%s",
			  s->cfg.http_addr);
		return EINVAL;
	}
	conn_limits(s, &hc, fds);
	err = hconn_listen(&s->hs, &laddr, &hc, &h);
	/* libre listens with a backlog of 5: bursts of connections would be
	 * dropped and retried seconds later */
	if (!err)
		err = tcp_sock_listen(hconn_sock_tcp(s->hs), SOMAXCONN);
	if (err) {
		log_error("http", "msg=\"cannot listen\" addr=%s err=\"%s\"",
			  s->cfg.http_addr, strerror(err));
		return err;
	}
	tcp_sock_local_get(hconn_sock_tcp(s->hs), &bound);
	re_snprintf(url, sizeof(url), "http://%J/", &bound);
	log_info("http", "msg=listening url=%s", url);
	re_snprintf(url, sizeof(url), "http://%s:%u/",
		    sa_af(&bound) == AF_INET6 ? "[::1]" : "127.0.0.1",
		    sa_port(&bound));
	printf("relais: listening on %s\n", url);
	if (sa_is_any(&laddr) || strncmp(s->cfg.http_addr, "127.", 4))
		printf("relais: (bound to %s)\n", s->cfg.http_addr);
	if (s->cfg.on_ready)
		s->cfg.on_ready(url, s->cfg.arg);
	fflush(stdout);
	return 0;
}

static int srv_init(struct srv *s, const struct srv_config *cfg)
{
	struct engine_config ec;
	int err;

	s->cfg = *cfg;
	s->lock_fd = -1;
	s->mono0_ms = (int64_t)(mono_us() / 1000);
	s->utc0_ms = utc_ms();
	s->started_ms = s->utc0_ms;
	s->open = batch_new(s);
	engine_config_default(&ec);
	ec.seed = (uint64_t)s->utc0_ms;
	if (cfg->offer_ms)
		ec.offer_timeout_ms = cfg->offer_ms;
	err = engine_new(&s->eng, &ec, on_engine_event, s);
	if (err)
		return err;
	engine_set_wallclock(s->eng, srv_now(s), srv_now(s));
	s->eng_tmr = mem_zalloc(sizeof(struct tmr), NULL);
	s->tick_tmr = mem_zalloc(sizeof(struct tmr), NULL);
	s->flush_tmr = mem_zalloc(sizeof(struct tmr), NULL);
	if (!s->eng_tmr || !s->tick_tmr || !s->flush_tmr)
		return ENOMEM;
	tmr_init(s->eng_tmr);
	tmr_init(s->tick_tmr);
	tmr_init(s->flush_tmr);
	return web_new(&s->web, s);
}

/* The workers stop before the modules close: a job may still write into a
 * module's state (the dummy hash into auth's). */
static void srv_close(struct srv *s)
{
	s->hs = mem_deref(s->hs);
	worker_stop(s->db);
	worker_stop(s->cpu);
	modules_close(s);
	web_free(s->web);
	if (s->store)
		s->store->ops->close(s->store);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	if (s->eng_tmr)
		tmr_cancel(s->eng_tmr);
	if (s->tick_tmr)
		tmr_cancel(s->tick_tmr);
	if (s->flush_tmr)
		tmr_cancel(s->flush_tmr);
	mem_deref(s->eng_tmr);
	mem_deref(s->tick_tmr);
	mem_deref(s->flush_tmr);
	if (s->eng)
		engine_free(s->eng);
	if (s->open)
		batch_free(s->open);
}

/*
 * SIGTERM: stop accepting and reading requests, commit what is pending,
 * answer every request that was read (its answer waits for the commit),
 * then close. The loop runs until the last commit is done, every
 * connection has sent its answers and closed (or STOP_GRACE_MS pass),
 * and the grace modules asked for (srv_stop_grace: the close handshakes
 * of the streams).
 */
static void stop_check(void *arg)
{
	struct srv *s = arg;
	int64_t now = srv_now(s);

	if ((!s->inflight && hconn_sock_count(s->hs) == 0 &&
	     now >= s->stop_until) ||
	    now >= s->stop_deadline)
		re_cancel();
	else
		tmr_start(s->eng_tmr, 20, stop_check, s);
}

void srv_stop_grace(struct srv *s, int64_t ms)
{
	if (s->stop_until < srv_now(s) + ms)
		s->stop_until = srv_now(s) + ms;
}

static void shutdown_gracefully(struct srv *s)
{
	log_info("srv", "msg=\"stopping\" inflight=%zu conns=%zu", s->inflight,
		 hconn_sock_count(s->hs));
	s->stopping = true;
	if (s->hs)
		hconn_sock_drain(s->hs);
	tmr_cancel(s->tick_tmr);
	s->stop_until = srv_now(s);
	EACH_MODULE(s, stop);
	srv_flush(s);
	s->stop_deadline = srv_now(s) + STOP_GRACE_MS;
	if (s->inflight || s->stop_until > srv_now(s) ||
	    hconn_sock_count(s->hs)) {
		tmr_start(s->eng_tmr, 0, stop_check, s);
		re_main(NULL);
	}
	log_info("srv", "msg=stopped seq=%lld", (long long)s->durable_seq);
}

/* The server without its listener: store, workers, modules, loaded. */
static int srv_open(struct srv *s, const struct srv_config *cfg)
{
	int err = srv_init(s, cfg);

	if (!err)
		err = open_store(s);
	if (!err)
		err = worker_start(&s->db, s->store, "store");
	if (!err)
		err = worker_start(&s->cpu, NULL, "hash");
	if (!err)
		err = modules_init(s);
	if (!err)
		err = load_state(s);
	return err;
}

/* The server's memory and libre, for srv_run() and srv_offline(). */
static int srv_alloc(struct srv **sp)
{
	struct srv *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return ENOMEM;
	err = libre_init();
	if (err) {
		free(s);
		return err;
	}
	*sp = s;
	return 0;
}

int srv_offline(const struct srv_config *cfg,
		int (*fn)(struct srv *s, void *arg), void *arg)
{
	struct srv *s;
	int err = srv_alloc(&s);

	if (err)
		return err;
	err = srv_open(s, cfg);
	if (!err) {
		err = fn(s, arg);
		shutdown_gracefully(s);
	}
	srv_close(s);
	free(s);
	libre_close();
	return err;
}

int srv_run(const struct srv_config *cfg)
{
	struct srv *s;
	uint64_t t0 = mono_us();
	struct tmr early;
	rlim_t fds;
	int err;

	signals_early();
	err = srv_alloc(&s);
	if (err)
		return err;
	tmr_init(&early);
	fds = raise_fd_limit();
	err = srv_open(s, cfg);
	if (!err)
		err = listen_http(s, fds);
	if (!err) {
		EACH_MODULE(s, start);
		srv_flush(s);
		srv_engine_timer(s);
		tmr_start(s->tick_tmr, 1000, tick, s);
		log_info("srv", "msg=ready version=%s seq=%lld start_ms=%.1f",
			 RELAIS_VERSION, (long long)s->seq,
			 (double)(mono_us() - t0) / 1000.0);
		tmr_start(&early, 0, stop_if_asked, NULL);
		err = stop_asked ? 0 : re_main(signal_handler);
		tmr_cancel(&early);
		shutdown_gracefully(s);
	}
	srv_close(s);
	free(s);
	libre_close();
	return err;
}
