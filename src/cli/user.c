/*
 * relais user add NAME --role ROLE [--tenant ID]... [--site ID]...
 *                 [--agent ID] [--data DIR]
 *
 * Creates a login straight in the store, the password read from standard
 * input: how the first administrator is made. Run it while the server is
 * stopped (a running server reads users at start-up).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "server/srv.h"
#include "server/auth.h"
#include "store/store.h"

static void user_usage(FILE *f)
{
	fprintf(f,
		"usage: relais user add NAME --role ROLE [--tenant ID]... "
		"[--site ID]...\n"
		"                       [--agent ID] [--data DIR]\n\n"
		"Creates a login; the password (at least 12 characters) is "
		"read from\nstandard input. ROLE is admin, supervisor, agent, "
		"client or integration.\nStop the server first: it reads "
		"users when it starts.\n");
}

struct find {
	const char *field, *value;
	bool found;
};

static int find_row(const char *id, const char *body, void *arg)
{
	struct find *f = arg;
	json_t *b;

	if (!f->field) {
		f->found |= !strcmp(id, f->value);
		return 0;
	}
	b = json_loads(body, 0, NULL);
	if (b && json_string_value(json_object_get(b, f->field)) &&
	    !strcmp(json_string_value(json_object_get(b, f->field)), f->value))
		f->found = true;
	json_decref(b);
	return 0;
}

static bool exists(struct store *st, const char *table, const char *field,
		   const char *value)
{
	struct find f = {field, value, false};

	st->ops->rows(st, table, find_row, &f);
	return f.found;
}

static int read_password(char *buf, size_t size)
{
	char msg[128];
	size_t n;

	if (!fgets(buf, (int)size, stdin))
		return -1;
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return n <= 200 && !auth_password_check(buf, msg, sizeof(msg)) ? 0 : -1;
}

static int check_ids(struct store *st, json_t *ids, const char *table,
		     const char *what)
{
	json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
	{
		if (!exists(st, table, NULL, json_string_value(v))) {
			fprintf(stderr, "relais user: no %s %s\n", what,
				json_string_value(v));
			return -1;
		}
	}
	return 0;
}

static int add_user(const char *dir, json_t *u)
{
	struct store_batch b = {0};
	struct store *st;
	char msg[256], pw[256], hash[128], id[40], t[32], *text;
	json_t *audit;
	int version, err, lock = store_lock(dir, msg, sizeof(msg));

	if (lock < 0) {
		fprintf(stderr, "relais user: %s\n", msg);
		return 1;
	}
	if (store_sqlite_open(&st, dir, true, msg, sizeof(msg))) {
		fprintf(stderr, "relais user: %s\n", msg);
		close(lock);
		return 1;
	}
	if (st->ops->migrate(st, &version)) {
		fprintf(stderr, "relais user: %s\n", st->ops->errmsg(st));
		st->ops->close(st);
		close(lock);
		return 1;
	}
	err = 1;
	if (exists(st, "users", "username",
		   json_string_value(json_object_get(u, "username")))) {
		fprintf(stderr, "relais user: %s already exists\n",
			json_string_value(json_object_get(u, "username")));
		goto out;
	}
	if (check_ids(st, json_object_get(u, "tenants"), "tenants", "tenant") ||
	    check_ids(st, json_object_get(u, "sites"), "sites", "site") ||
	    (json_is_string(json_object_get(u, "agent")) &&
	     !exists(st, "agents", NULL,
		     json_string_value(json_object_get(u, "agent"))) &&
	     fprintf(stderr, "relais user: no such agent\n")))
		goto out;
	if (read_password(pw, sizeof(pw))) {
		fprintf(stderr, "relais user: give a password of at least 12 "
				"characters (200 bytes at most) on standard "
				"input\n");
		goto out;
	}
	if (auth_hash(pw, hash)) {
		fprintf(stderr, "relais user: cannot hash the password\n");
		goto out;
	}
	srv_uuid(id);
	web_time((int64_t)time(NULL) * 1000, t, sizeof(t));
	json_object_set_new(u, "id", json_string(id));
	json_object_set_new(u, "password_hash", json_string(hash));
	json_object_set_new(u, "created_at", json_string(t));
	json_object_set_new(u, "updated_at", json_string(t));
	text = json_dumps(u, JSON_COMPACT);
	err = !text || store_batch_put(&b, "users", id, text);
	free(text);
	audit = json_pack("{s:s,s:s,s:s,s:s,s:s}", "action", "create", "kind",
			  "users", "id", id, "user", "", "username",
			  "relais user add");
	text = json_dumps(audit, JSON_COMPACT);
	json_decref(audit);
	err |= !text || store_batch_event(&b, st->ops->last_seq(st) + 1,
					  (int64_t)time(NULL) * 1000, NULL,
					  "audit.config", text);
	free(text);
	if (!err && (err = st->ops->commit(st, &b)))
		fprintf(stderr, "relais user: %s\n", st->ops->errmsg(st));
	if (!err)
		printf("relais: user %s created (%s)\n",
		       json_string_value(json_object_get(u, "username")), id);
	store_batch_reset(&b);
	free(b.ops);
out:
	st->ops->close(st);
	close(lock);
	return err ? 1 : 0;
}

int cli_user(int argc, char **argv)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, 'r'},
		{"tenant", required_argument, NULL, 't'},
		{"site", required_argument, NULL, 's'},
		{"agent", required_argument, NULL, 'a'},
		{"data", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const roles[] = {"admin", "supervisor", "agent",
					    "client", "integration"};
	const char *dir = "./var", *role = NULL, *agent = NULL;
	json_t *tenants = json_array(), *sites = json_array(), *u;
	bool ok = false;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "add")) {
		bool help = argc >= 2 && !strcmp(argv[1], "--help");

		user_usage(help ? stdout : stderr);
		json_decref(tenants);
		json_decref(sites);
		return help ? 0 : 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			role = optarg;
			break;
		case 't':
			json_array_append_new(tenants, json_string(optarg));
			break;
		case 's':
			json_array_append_new(sites, json_string(optarg));
			break;
		case 'a':
			agent = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			user_usage(stdout);
			json_decref(tenants);
			json_decref(sites);
			return 0;
		default:
			user_usage(stderr);
			json_decref(tenants);
			json_decref(sites);
			return 2;
		}
	}
	for (int i = 0; role && i < 5; i++)
		ok |= !strcmp(role, roles[i]);
	if (optind != argc - 1 || !ok || strlen(argv[optind]) > 63 ||
	    !argv[optind][0] || (!strcmp(role, "agent") && !agent)) {
		fprintf(stderr, "relais user add: give one NAME, a --role "
				"(and --agent for the agent role)\n");
		json_decref(tenants);
		json_decref(sites);
		return 2;
	}
	u = json_pack("{s:s,s:s,s:o,s:o,s:s?}", "username", argv[optind],
		      "role", role, "tenants", tenants, "sites", sites, "agent",
		      agent);
	if (!agent)
		json_object_set_new(u, "agent", json_null());
	rc = add_user(dir, u);
	json_decref(u);
	return rc;
}
