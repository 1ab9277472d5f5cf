/*
 * bare_http — the yardstick of http_bench.sh: a bare libre 1.1.0 HTTP
 * server on its own loop (re_main) that answers every request with a
 * small JSON document, and nothing else (no routing, no auth, no JSON
 * library). What relais serves on top of the same loop is measured against
 * it.
 *
 *	bare_http [PORT [BACKLOG]]
 *
 * PORT 0 (the default) takes any free port. BACKLOG re-listens with that
 * accept-queue length: libre's http_listen() uses 5 (like relais), so a
 * burst of connects loses some, which stall 1-3 s.
 *
 * Prints "bare_http: listening on http://127.0.0.1:PORT/" once it listens;
 * SIGTERM or SIGINT stops it.
 *
 * Not named *_bench.c on purpose: `make bench` runs every build/bench/
 * *_bench, and this is a helper. http_bench.sh builds it with
 *	cc -O2 bench/bare_http.c $(pkg-config --cflags --libs libre)
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <re.h>

static const char body[] = "{\"status\":\"ok\",\"queues\":[],\"agents\":[]}";

static void on_request(struct http_conn *conn, const struct http_msg *msg,
		       void *arg)
{
	(void)msg;
	(void)arg;
	/* The same header set as relais's replies, so the bytes compare. */
	(void)http_reply(conn, 200, "OK",
			 "Content-Type: application/json\r\n"
			 "Content-Length: %zu\r\n"
			 "Cache-Control: no-store\r\n"
			 "X-Content-Type-Options: nosniff\r\n"
			 "\r\n"
			 "%s",
			 sizeof(body) - 1, body);
}

static void on_signal(int sig)
{
	(void)sig;
	re_cancel();
}

int main(int argc, char **argv)
{
	struct http_sock *hs = NULL;
	struct sa laddr, bound;
	int err;

	if (libre_init())
		return 1;
	sa_set_str(&laddr, "127.0.0.1", argc > 1 ? (uint16_t)atoi(argv[1]) : 0);
	err = http_listen(&hs, &laddr, on_request, NULL);
	if (!err && argc > 2)
		err = tcp_sock_listen(http_sock_tcp(hs), atoi(argv[2]));
	if (err) {
		fprintf(stderr, "bare_http: cannot listen: %s\n",
			strerror(err));
		libre_close();
		return 1;
	}
	tcp_sock_local_get(http_sock_tcp(hs), &bound);
	printf("bare_http: listening on http://127.0.0.1:%u/\n",
	       sa_port(&bound));
	fflush(stdout);
	re_main(on_signal);
	mem_deref(hs);
	libre_close();
	return 0;
}
