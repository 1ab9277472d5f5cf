/*
 * relais history: the interval history of a data folder, from its event
 * log, in the CSV that `relais forecast --history` reads:
 *
 *	start,queue,offered,aht_s
 *
 * one row per queue and interval with contacts: offered counts the
 * contacts that entered the queue (SPEC §5), aht_s the mean talk plus
 * wrap-up of those completed in the interval (empty when none). Reading
 * does not need the server stopped (SQLite's WAL lets a reader in). The
 * usage and the errors are in French or English (--lang, else the
 * environment); the CSV is the same in both.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/words.h"
#include "model/event.h"
#include "model/utctime.h"
#include "store/store.h"

struct cell {
	int64_t start;
	char queue[40];
	uint32_t offered, handled;
	int64_t handle_ms;
};

struct hist {
	int64_t step_ms;
	json_t *index; /* "start queue" -> cell index */
	struct cell *cells;
	size_t n, cap;
	bool oom;
};

static struct cell *cell_get(struct hist *h, int64_t t, const char *queue)
{
	int64_t start = t - ((t % h->step_ms) + h->step_ms) % h->step_ms;
	char key[96];
	json_t *ix;

	snprintf(key, sizeof(key), "%lld %s", (long long)start, queue);
	ix = json_object_get(h->index, key);
	if (ix)
		return &h->cells[json_integer_value(ix)];
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct cell *c = realloc(h->cells, cap * sizeof(*c));

		if (!c) {
			h->oom = true;
			return NULL;
		}
		h->cells = c;
		h->cap = cap;
	}
	memset(&h->cells[h->n], 0, sizeof(h->cells[0]));
	h->cells[h->n].start = start;
	snprintf(h->cells[h->n].queue, sizeof(h->cells[0].queue), "%s", queue);
	json_object_set_new(h->index, key, json_integer((json_int_t)h->n));
	return &h->cells[h->n++];
}

/* Contacts entering a queue, and completed ones; other rows are skipped. */
static int on_event(const struct store_event *ev, void *arg)
{
	struct hist *h = arg;
	const struct engine_event *e;
	enum event_type t;
	struct event d;
	struct cell *c;
	char msg[160];
	int err;

	if (!event_type_parse(ev->type, &t) ||
	    (t != (enum event_type)EV_CONTACT_QUEUED &&
	     t != (enum event_type)EV_CONTACT_COMPLETED))
		return 0;
	err = event_parse(&d, ev->type, ev->data, msg, sizeof(msg));
	if (err)
		return err == ENOMEM ? ENOMEM : 0; /* a damaged row: nothing */
	e = &d.u.engine.ev;
	if (e->queue && strlen(e->queue) < 40 &&
	    (c = cell_get(h, ev->time_ms, e->queue))) {
		if (e->type == EV_CONTACT_QUEUED && e->entered)
			c->offered++;
		if (e->type == EV_CONTACT_COMPLETED && e->talk_ms) {
			c->handled++;
			c->handle_ms += e->talk_ms + e->wrap_ms;
		}
	}
	event_release(&d);
	return h->oom ? ENOMEM : 0;
}

/* Queue ids -> names, from the store's queues table. */
static int on_queue(const char *id, const char *body, void *arg)
{
	json_t *names = arg, *b = json_loads(body, 0, NULL);

	if (b && json_string_value(json_object_get(b, "name")))
		json_object_set(names, id, json_object_get(b, "name"));
	json_decref(b);
	return 0;
}

static int cell_cmp(const void *x, const void *y)
{
	const struct cell *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return strcmp(a->queue, b->queue);
}

static void print(const struct hist *h, const json_t *names)
{
	char t[32];

	puts("start,queue,offered,aht_s");
	for (size_t i = 0; i < h->n; i++) {
		const struct cell *c = &h->cells[i];
		const char *name =
			json_string_value(json_object_get(names, c->queue));

		if (!c->offered && !c->handled)
			continue;
		printf("%s,", utctime_format(c->start, t, sizeof(t)));
		cli_csv_field(stdout, name ? name : c->queue, true);
		printf(",%u,", c->offered);
		if (c->handled)
			printf("%.1f",
			       (double)c->handle_ms / 1000.0 / c->handled);
		putchar('\n');
	}
}

int cli_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"interval-min", required_argument, NULL, 'i'},
		{"lang", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *lang = words_lang(argc, argv);
	struct words words;
	const struct words *cw = &words;
	struct store_event_query q = {0};
	struct hist h = {.step_ms = 900000};
	const char *dir = "./var";
	struct store *st;
	json_t *names;
	char msg[256];
	int c, err;

	words_load(&words, lang);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'f':
		case 't': {
			int64_t v = utctime_parse(optarg);

			if (v < 0)
				return WORDS_USAGE_ERROR(
					cw, "history",
					lang_get(lang, "history.bad_time"),
					c == 'f' ? "--from" : "--to");
			*(c == 'f' ? &q.from_ms : &q.to_ms) = v;
			break;
		}
		case 'i':
			if (strcmp(optarg, "15") && strcmp(optarg, "30") &&
			    strcmp(optarg, "60")) {
				char want[32];

				WORDS_FILL(want, cw->or3, "15", "30", "60");
				return words_bad_value(cw, "history",
						       "--interval-min", optarg,
						       want);
			}
			h.step_ms = atoi(optarg) * 60000LL;
			break;
		case 'L':
			break;
		case 'h':
			fputs(lang_get(lang, "history.usage"), stdout);
			return 0;
		default:
			return words_getopt_error(cw, "history", c, argv);
		}
	}
	if (optind < argc)
		return WORDS_USAGE_ERROR(cw, "history", cw->unexpected,
					 argv[optind]);
	snprintf(msg, sizeof(msg), "%s/relais.db", dir);
	if (access(msg, R_OK)) {
		WORDS_ERROR("history", lang_get(lang, "history.no_data"), dir);
		return 1;
	}
	if (store_sqlite_open(&st, dir, false, msg, sizeof(msg))) {
		fprintf(stderr, "relais history: %s\n", msg);
		return 1;
	}
	names = json_object();
	h.index = json_object();
	err = st->ops->rows(st, "queues", on_queue, names);
	if (!err)
		err = st->ops->events(st, &q, on_event, &h);
	if (err == ENOMEM)
		WORDS_ERROR("history", cw->file_error, dir, cw->no_memory);
	else if (err)
		WORDS_ERROR("history", lang_get(lang, "history.unreadable"),
			    dir);
	else {
		if (h.n)
			qsort(h.cells, h.n, sizeof(h.cells[0]), cell_cmp);
		print(&h, names);
	}
	json_decref(names);
	json_decref(h.index);
	free(h.cells);
	st->ops->close(st);
	return err ? 1 : 0;
}
