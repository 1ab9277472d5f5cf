/*
 * relais user add NAME --role ROLE [--tenant ID]... [--site ID]...
 *                 [--agent ID] [--data DIR]
 *
 * Creates a login, the password read from standard input: how the first
 * administrator is made. It opens the data folder as the server does and
 * creates the user through the same configuration service as the API, so
 * the same checks and audit apply; the server must be stopped (the folder
 * has one writer).
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
#include "lang/lang.h"
#include "server/auth.h"
#include "server/log.h"
#include "server/objects.h"
#include "server/srv.h"

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

/*
 * On the opened data folder: the user goes through the configuration
 * service, as POST /api/v1/users would (its checks, its audit event).
 */
static int create_user(struct srv *s, void *arg)
{
	json_t *u = arg;
	char pw[256], hash[128], id[40], msg[256] = "";
	int st;

	if (read_password(pw, sizeof(pw))) {
		fprintf(stderr, "relais user: give a password of at least 12 "
				"characters (200 bytes at most) on standard "
				"input\n");
		return EINVAL;
	}
	if (auth_hash(pw, hash)) {
		fprintf(stderr, "relais user: cannot hash the password\n");
		return ENOMEM;
	}
	json_object_set_new(u, "password_hash", json_string(hash));
	st = obj_create_direct(s, K_USERS, u, id,
			       &LANG_OUT(lang_env(NULL), msg));
	if (st) {
		fprintf(stderr, "relais user: %s\n", msg);
		return EINVAL;
	}
	printf("relais: user %s created (%s)\n",
	       json_string_value(json_object_get(u, "username")), id);
	return 0;
}

static int add_user(const char *dir, json_t *u)
{
	struct srv_config cfg = {.data_dir = dir, .fsync = true};

	log_set_level(LOG_WARN);
	return srv_offline(&cfg, create_user, u) ? 1 : 0;
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
