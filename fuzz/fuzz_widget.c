/*
 * fuzz_widget — what the web chat reads from visitors and from its
 * configuration, over arbitrary bytes. The first byte picks:
 *   0  a JSON body: jv_parse, then the conversation, rating, transcript
 *      and widget tables; a body the conversation table takes has a text
 *      of 1 to 20000 bytes; allowed origins and an email are checked
 *   1  an Authorization header value: a token it yields has the shape
 *   2  one origin: one it takes has a scheme, a host, no path
 *   3  one email address
 * Anything that breaks a promise of widget_input.h aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/jv.h"
#include "model/widget_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void body(const char *p, size_t n)
{
	char msg[256];
	json_t *b = jv_parse(p, n, msg, sizeof(msg));
	const char *text;

	if (!b)
		return;
	if (!jv_check(b, widget_conversation_fields, true, msg, sizeof(msg))) {
		text = jv_str(b, "text");
		if (!text || !strlen(text) || strlen(text) > 20000)
			abort();
		(void)widget_email_ok(jv_str(b, "email"));
	}
	(void)jv_check(b, widget_csat_fields, true, msg, sizeof(msg));
	(void)jv_check(b, widget_transcript_fields, true, msg, sizeof(msg));
	if (!jv_check(b, widget_config_fields, true, msg, sizeof(msg)) &&
	    widget_origins_bad(json_object_get(b, "allowed_origins")) >=
		    (long)json_array_size(
			    json_object_get(b, "allowed_origins")))
		abort();
	json_decref(b);
}

static void bearer(const char *p, size_t n)
{
	char tok[WIDGET_TOKEN_SIZE];

	if (widget_bearer(p, n, tok) &&
	    (strlen(tok) != WIDGET_TOKEN_LEN || !widget_token_ok(tok)))
		abort();
}

static void origin(const char *o)
{
	const char *host;

	if (!widget_origin_ok(o))
		return;
	host = strstr(o, "://");
	if (!host || strncmp(o, "http", 4) || strchr(host + 3, '/') ||
	    strpbrk(o, "ABCDEFGHIJKLMNOPQRSTUVWXYZ \t\r\n?#@"))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (!size)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		body(s, size - 1);
		break;
	case 1:
		bearer(s, size - 1);
		break;
	case 2:
		origin(s);
		break;
	default:
		if (widget_email_ok(s) && (!strchr(s, '@') || strchr(s, ' ')))
			abort();
	}
	free(s);
	return 0;
}
