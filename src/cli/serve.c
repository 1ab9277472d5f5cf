/*
 * relais serve, migrate, user and routes: the server's commands.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "lang/lang.h"
#include "server/log.h"
#include "server/srv.h"
#include "store/store.h"

static void serve_usage(FILE *f)
{
	fprintf(f,
		"usage: relais serve [--data DIR] [--http ADDR:PORT] [--demo]\n"
		"                    [--config FILE] [--log-level LEVEL]\n\n"
		"Runs the contact centre: the routing engine, the HTTP/JSON "
		"API under\n/api/v1, the WebSocket stream at /api/v1/stream, "
		"/metrics and /healthz.\n\n"
		"  --data DIR        data folder (SQLite store), default "
		"./var\n"
		"  --http ADDR:PORT  where to listen, default 127.0.0.1:8080 "
		"(port 0: any free port)\n"
		"  --demo            create a demo centre and its logins on "
		"the first start\n"
		"  --demo-traffic    with --demo: random contacts, and robots "
		"as agents 03-12\n"
		"  --config FILE     a JSON file with any of the keys data, "
		"http, demo,\n"
		"                    log_level, trusted_proxy, sip ({\"addr\","
		" \"trunk\"}),\n"
		"                    and the limits below as\n"
		"                    strings (\"max-conns\": \"500\")\n"
		"  --trusted-proxy A the reverse proxy's address (or several, "
		"comma-separated):\n"
		"                    its X-Forwarded-For, -Proto and -Host "
		"are believed\n"
		"  --web DIR         the web folder served at / (default: web/ "
		"of the checkout,\n"
		"                    else /usr/share/relais/web)\n"
		"  --sip ADDR:PORT   turn voice on: SIP over UDP and TCP on "
		"ADDR:PORT\n"
		"  --sip-trunk URI   the SIP trunk callbacks dial out "
		"through\n"
		"                    (sip:HOST:PORT)\n"
		"  --log-level L     debug, info (default), warn or error\n"
		"  --no-fsync        do not wait for the disk (tests only: a "
		"crash of the\n"
		"                    machine may lose acknowledged work)\n"
		"  --no-group-commit one commit per request (for "
		"benchmarks)\n"
		"  --max-conns N     open HTTP connections in all (default "
		"and ceiling:\n"
		"                    the descriptor limit less 64)\n"
		"  --max-conns-per-addr N  of one client address (default "
		"1024)\n"
		"  --header-timeout S  a request's head must arrive within S "
		"seconds\n"
		"                    of its first byte (default 10)\n"
		"  --idle-timeout S  an idle keep-alive connection closes "
		"after S seconds\n"
		"                    (default 60)\n"
		"  --offer-timeout S an agent answers an offer within S "
		"seconds, else it is\n"
		"                    a miss (default 20)\n\n"
		"SIGTERM or Ctrl-C stops it gracefully: it stops accepting, "
		"writes what\nis pending and closes.\n");
}

/*
 * The web folder when --web is not given: web/ beside the build (a
 * checkout: build/relais -> web/), then the installed one; NULL when
 * neither exists.
 */
static const char *default_web_dir(void)
{
	static char dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s/../web", exe);
			if (!stat(dir, &st) && S_ISDIR(st.st_mode))
				return dir;
		}
	}
	if (!stat("/usr/share/relais/web", &st) && S_ISDIR(st.st_mode))
		return "/usr/share/relais/web";
	return NULL;
}

/* A count > 0 (connections). */
static int parse_count(const char *v, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (*v < '0' || *v > '9' || *end || !n || n > 1000000)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/* Seconds, decimals allowed, into milliseconds (1 ms to a day). */
static int parse_seconds(const char *v, uint32_t *ms)
{
	char *end;
	double d = strtod(v, &end);

	if (*v < '0' || *v > '9' || *end || d < 0.001 || d > 86400)
		return -1;
	*ms = (uint32_t)(d * 1000 + 0.5);
	return 0;
}

/* The limit options, from the command line or the config file. */
static int limit_option(const char *name, const char *v, struct srv_config *cfg)
{
	if (!strcmp(name, "max-conns"))
		return parse_count(v, &cfg->conns_max);
	if (!strcmp(name, "max-conns-per-addr"))
		return parse_count(v, &cfg->conns_per_addr);
	if (!strcmp(name, "header-timeout"))
		return parse_seconds(v, &cfg->head_ms);
	if (!strcmp(name, "idle-timeout"))
		return parse_seconds(v, &cfg->idle_ms);
	if (!strcmp(name, "offer-timeout"))
		return parse_seconds(v, &cfg->offer_ms);
	return -1;
}

static char *strdup_or_die(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, "relais: out of memory\n");
		exit(1);
	}
	return d;
}

/* The config file's "sip": {"addr": "H:P", "trunk": "sip:..."}. */
static int sip_config(const json_t *v, struct srv_config *cfg)
{
	const char *key;
	json_t *x;

	json_object_foreach((json_t *)v, key, x)
	{
		if (!json_is_string(x))
			return -1;
		if (!strcmp(key, "addr"))
			cfg->sip_addr = strdup_or_die(json_string_value(x));
		else if (!strcmp(key, "trunk"))
			cfg->sip_trunk = strdup_or_die(json_string_value(x));
		else
			return -1;
	}
	return 0;
}

/* Reads --config FILE; command-line options given later override it. */
static int read_config(const char *path, struct srv_config *cfg,
		       enum log_level *lvl)
{
	json_error_t e;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &e), *v;
	const char *key;

	if (!j || !json_is_object(j)) {
		fprintf(stderr, "relais: %s: %s (line %d)\n", path,
			j ? "expected a JSON object" : e.text, e.line);
		json_decref(j);
		return -1;
	}
	json_object_foreach(j, key, v)
	{
		if (!strcmp(key, "data") && json_is_string(v))
			cfg->data_dir = strdup_or_die(json_string_value(v));
		else if (!strcmp(key, "http") && json_is_string(v))
			cfg->http_addr = strdup_or_die(json_string_value(v));
		else if (!strcmp(key, "trusted_proxy") && json_is_string(v))
			cfg->trusted_proxy =
				strdup_or_die(json_string_value(v));
		else if (!strcmp(key, "sip") && json_is_object(v) &&
			 !sip_config(v, cfg))
			;
		else if (!strcmp(key, "demo") && json_is_boolean(v))
			cfg->demo = json_is_true(v);
		else if (!strcmp(key, "log_level") && json_is_string(v) &&
			 !log_level_parse(json_string_value(v), lvl))
			;
		else if (json_is_string(v) &&
			 !limit_option(key, json_string_value(v), cfg))
			;
		else {
			fprintf(stderr, "relais: %s: bad or unknown key '%s'\n",
				path, key);
			json_decref(j);
			return -1;
		}
	}
	json_decref(j);
	return 0;
}

/* Whether list is IPv4 or IPv6 addresses separated by commas. */
static bool addr_list_ok(const char *list)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char one[64];
	size_t n;

	do {
		list += strspn(list, " ");
		n = strcspn(list, ", ");
		if (!n || n >= sizeof(one))
			return false;
		memcpy(one, list, n);
		one[n] = '\0';
		if (inet_pton(AF_INET, one, buf) != 1 &&
		    inet_pton(AF_INET6, one, buf) != 1)
			return false;
		list += n;
		list += strspn(list, " ");
	} while (*list == ',' && *++list);
	return !*list;
}

/* The voice line's address (--sip), for the banner. */
static const char *sip_addr;

/* Prints text, each %s of it replaced by with. */
static void print_with(const char *text, const char *with)
{
	const char *q;

	while ((q = strstr(text, "%s"))) {
		fwrite(text, 1, (size_t)(q - text), stdout);
		fputs(with, stdout);
		text = q + 2;
	}
	fputs(text, stdout);
}

/* Prints the demo's welcome (url for each %s), and its voice line. */
static void demo_banner(const char *url, void *arg)
{
	(void)arg;
	print_with(lang_get(lang_env(NULL), "demo.serve"), url);
	if (sip_addr)
		print_with(lang_get(lang_env(NULL), "demo.serve.voice"),
			   sip_addr);
}

/* One option of getopt_long (c, its long name): -1 to go on, or the exit
 * code. */
static int serve_option(int c, const char *name, struct srv_config *cfg,
			enum log_level *lvl)
{
	switch (c) {
	case 'W':
		cfg->web_dir = optarg;
		return -1;
	case 'L':
		if (limit_option(name, optarg, cfg)) {
			fprintf(stderr,
				"relais serve: --%s: expected a "
				"number > 0\n",
				name);
			return 2;
		}
		return -1;
	case 'd':
		cfg->data_dir = optarg;
		return -1;
	case 'H':
		cfg->http_addr = optarg;
		return -1;
	case 'D':
		cfg->demo = true;
		return -1;
	case 'T':
		cfg->traffic = true;
		return -1;
	case 'c':
		return -1;
	case 'l':
		if (log_level_parse(optarg, lvl)) {
			fprintf(stderr, "relais serve: --log-level: "
					"debug, info, warn or error\n");
			return 2;
		}
		return -1;
	case 'F':
		cfg->fsync = false;
		return -1;
	case 'G':
		cfg->group_commit = false;
		return -1;
	case 'P':
		cfg->trusted_proxy = optarg;
		return -1;
	case 'S':
		cfg->sip_addr = optarg;
		return -1;
	case 'K':
		cfg->sip_trunk = optarg;
		return -1;
	case 'h':
		serve_usage(stdout);
		return 0;
	default:
		serve_usage(stderr);
		return 2;
	}
}

int cli_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data", required_argument, NULL, 'd'},
		{"http", required_argument, NULL, 'H'},
		{"demo", no_argument, NULL, 'D'},
		{"demo-traffic", no_argument, NULL, 'T'},
		{"config", required_argument, NULL, 'c'},
		{"log-level", required_argument, NULL, 'l'},
		{"no-fsync", no_argument, NULL, 'F'},
		{"no-group-commit", no_argument, NULL, 'G'},
		{"max-conns", required_argument, NULL, 'L'},
		{"max-conns-per-addr", required_argument, NULL, 'L'},
		{"header-timeout", required_argument, NULL, 'L'},
		{"idle-timeout", required_argument, NULL, 'L'},
		{"offer-timeout", required_argument, NULL, 'L'},
		{"trusted-proxy", required_argument, NULL, 'P'},
		{"web", required_argument, NULL, 'W'},
		{"sip", required_argument, NULL, 'S'},
		{"sip-trunk", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct srv_config cfg = {.data_dir = "./var",
				 .http_addr = "127.0.0.1:8080",
				 .fsync = true,
				 .group_commit = true};
	enum log_level lvl = LOG_INFO;
	int c, idx = 0;

	/* --config first, so that other options override it */
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--config") &&
		    read_config(argv[i + 1], &cfg, &lvl))
			return 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		int rc = serve_option(c, opts[idx].name, &cfg, &lvl);

		if (rc >= 0)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "relais serve: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (cfg.trusted_proxy && !addr_list_ok(cfg.trusted_proxy)) {
		fprintf(stderr,
			"relais serve: --trusted-proxy: expected IP "
			"addresses separated by commas, got '%s'\n",
			cfg.trusted_proxy);
		return 2;
	}
	log_set_level(lvl);
	if (!cfg.web_dir)
		cfg.web_dir = default_web_dir();
	if (cfg.demo)
		cfg.on_ready = demo_banner;
	sip_addr = cfg.sip_addr;
	return srv_run(&cfg) ? 1 : 0;
}

int cli_migrate(int argc, char **argv)
{
	const char *dir = "./var";
	char msg[256];
	int version = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			printf("usage: relais migrate [--data DIR]\n\n"
			       "Creates the store in DIR (default ./var) or "
			       "brings its schema up to date.\n'relais serve' "
			       "does the same at start-up.\n");
			return 0;
		}
		if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			dir = argv[++i];
			continue;
		}
		fprintf(stderr, "relais migrate: unexpected argument '%s'\n",
			argv[i]);
		return 2;
	}
	if (srv_migrate(dir, &version, msg, sizeof(msg))) {
		fprintf(stderr, "relais migrate: %s\n", msg);
		return 1;
	}
	printf("relais: store %s at schema version %d\n", dir, version);
	return 0;
}

int cli_routes(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		printf("usage: relais routes\n\nPrints every HTTP route of "
		       "'relais serve' as METHOD PATH.\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	const struct route *all[256];
	size_t n = web_routes_list(all, 256);

	if (n > 256) {
		fprintf(stderr, "relais routes: more than 256 routes\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s %s\n", all[i]->method, all[i]->pattern);
	return 0;
}
