/*
 * relais — the command line. One binary, subcommands (SPEC §7).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct cli_command commands[] = {
	{"serve", cli_serve, "run the contact centre (HTTP API, stream)"},
	{"migrate", cli_migrate, "create or upgrade the store"},
	{"user", cli_user, "add a login (the first admin)"},
	{"routes", cli_routes, "list the HTTP routes of the server"},
	{"demo", cli_demo, "route a synthetic day and watch it live"},
	{"history", cli_history, "interval history of a data folder (CSV)"},
	{"forecast", cli_forecast, "forecast contacts per 15-minute interval"},
	{"sim", cli_sim, "simulate a centre with the routing engine"},
	{"erlang", cli_erlang, "Erlang B, C and A: waiting, staffing"},
	{"schedule", cli_schedule, "shifts and a roster for a forecast"},
	{"version", cli_version, "print the version"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: relais [--help] COMMAND [ARGS...]\n\n"
		   "relais is a multichannel contact-centre platform.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\nRun 'relais COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cli_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "relais: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}

int cli_version(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: relais version\n\nPrints the version of "
		       "relais.\n");
		return 0;
	}
	printf("relais %s\n", RELAIS_VERSION);
	return 0;
}
