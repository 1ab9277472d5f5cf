/*
 * cli — subcommands of the relais binary. Each takes argc/argv starting
 * at its own name and returns the process exit status (0 ok, 1 failure,
 * 2 bad usage).
 */
#ifndef RELAIS_CLI_H
#define RELAIS_CLI_H

#include <stdbool.h>
#include <stdio.h>

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cli_version(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_routes(int argc, char **argv);
int cli_erlang(int argc, char **argv);
int cli_forecast(int argc, char **argv);
int cli_sim(int argc, char **argv);
int cli_sim_compare(int argc, char **argv);
int cli_sim_replay(int argc, char **argv);
int cli_schedule(int argc, char **argv);
int cli_history(int argc, char **argv);

/*
 * One CSV text field (core/csv.h): quoted when it holds a comma, a quote or
 * a line break (always, if asked), with inner quotes doubled, and a "'"
 * before a leading =, +, -, @, tab or CR unless it is a number.
 */
void cli_csv_field(FILE *f, const char *s, bool always);

#endif
