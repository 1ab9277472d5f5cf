/*
 * kannel_tool — the Kannel layer from the command line, for the test
 * that runs the real gateway (tests/integration/kannel.test.mjs): it
 * builds the URLs relais gives Kannel and parses what Kannel sends back,
 * so the C code meets the real smsbox before the server is wired.
 *
 *   kannel_tool geturl BASE SECRET
 *   kannel_tool sendsms SENDSMS_URL USER PASSWORD DLR_URL SECRET FROM TO
 *                       TEXT MSG_ID
 *   kannel_tool mo SECRET QUERY      prints the message as JSON
 *   kannel_tool dlr SECRET QUERY     prints the report as JSON
 *   kannel_tool len                  measures each JSON string of stdin
 *                                    (the composer's counter, sms_len)
 *
 * Exits 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "channels/sms/kannel.h"
#include "core/sms_len.h"

static int print_json(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_SORT_KEYS) : NULL;

	json_decref(j);
	if (!s)
		return ENOMEM;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int mo(const char *secret, const char *q, const char **why)
{
	struct kannel_mo m;
	int err;

	err = kannel_mo_parse(&m, q, strlen(q), secret, why);
	if (err)
		return err;
	err = print_json(json_pack("{s:s, s:s, s:s%, s:s, s:s, s:I}", "from",
				   m.from, "to", m.to, "text", m.text,
				   m.text_len, "smsc", m.smsc, "id", m.id, "ts",
				   (json_int_t)m.ts));
	kannel_mo_reset(&m);
	return err;
}

static int dlr(const char *secret, const char *q, const char **why)
{
	struct kannel_dlr d;
	int err;

	err = kannel_dlr_parse(&d, q, strlen(q), secret, why);
	if (err)
		return err;
	return print_json(json_pack("{s:s, s:i, s:s, s:s, s:s, s:I}", "id",
				    d.id, "type", (int)d.type, "status",
				    kannel_dlr_status(d.type), "smsc", d.smsc,
				    "reply", d.reply, "ts", (json_int_t)d.ts));
}

/*
 * The composer's counter in C, one line of JSON per line of stdin (each a
 * JSON string), for the test of its JavaScript port (sms-count.test.mjs).
 */
static int len(void)
{
	char line[65536];

	while (fgets(line, sizeof(line), stdin)) {
		json_t *s = json_loads(line, JSON_DECODE_ANY, NULL);
		struct sms_len m;

		if (!json_is_string(s) ||
		    sms_len_measure(&m, json_string_value(s),
				    json_string_length(s))) {
			json_decref(s);
			printf("null\n");
			continue;
		}
		json_decref(s);
		print_json(json_pack(
			"{s:s,s:I,s:I,s:I,s:I,s:I}", "encoding",
			sms_len_encoding_name(m.encoding), "chars",
			(json_int_t)m.chars, "units", (json_int_t)m.units,
			"segments", (json_int_t)m.segments, "per_part",
			(json_int_t)m.per_part, "left", (json_int_t)m.left));
	}
	return 0;
}

static int url(int argc, char **argv)
{
	struct kannel_gateway gw;
	char *u = NULL;
	int err;

	if (!strcmp(argv[1], "geturl") && argc == 4) {
		err = kannel_get_url(&u, argv[2], argv[3]);
	} else if (!strcmp(argv[1], "sendsms") && argc == 11) {
		gw.sendsms_url = argv[2];
		gw.username = argv[3];
		gw.password = argv[4];
		gw.dlr_url = argv[5];
		gw.secret = argv[6];
		err = kannel_sendsms_url(&u, &gw, argv[7], argv[8], argv[9],
					 argv[10]);
	} else {
		return EINVAL;
	}
	if (!err)
		printf("%s\n", u);
	free(u);
	return err;
}

int main(int argc, char **argv)
{
	const char *why = NULL;
	int err;

	if (argc == 2 && !strcmp(argv[1], "len"))
		err = len();
	else if (argc == 4 && !strcmp(argv[1], "mo"))
		err = mo(argv[2], argv[3], &why);
	else if (argc == 4 && !strcmp(argv[1], "dlr"))
		err = dlr(argv[2], argv[3], &why);
	else if (argc >= 2)
		err = url(argc, argv);
	else
		err = EINVAL;
	if (err) {
		fprintf(stderr, "kannel_tool: %s\n", why ? why : strerror(err));
		return 1;
	}
	return 0;
}
