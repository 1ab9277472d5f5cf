/*
 * widget_input — see widget_input.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/widget_input.h"

/* A text in each language of the widget: {"en": "...", "fr": "..."}. */
static const struct jv_field texts_fields[] = {
	{"en", JV_STRING, 0, 0, 2000, NULL, NULL},
	{"fr", JV_STRING, 0, 0, 2000, NULL, NULL},
	JV_END,
};

static const struct jv_field pre_chat_fields[] = {
	{"name", JV_BOOL, 0, 0, 0, NULL, NULL},
	{"email", JV_BOOL, 0, 0, 0, NULL, NULL},
	JV_END,
};

const struct jv_field widget_config_fields[] = {
	{"tenant", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"queue", JV_STRING, JV_REQUIRED, 1, 64, NULL, NULL},
	{"name", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
	{"allowed_origins", JV_STRINGS, 0, 0, 50, NULL, NULL},
	{"pre_chat", JV_SUBOBJECT, 0, 0, 0, NULL, pre_chat_fields},
	{"consent_text", JV_SUBOBJECT, JV_NULLABLE, 0, 0, NULL, texts_fields},
	{"closed_message", JV_SUBOBJECT, JV_NULLABLE, 0, 0, NULL, texts_fields},
	JV_END,
};

const struct jv_field widget_conversation_fields[] = {
	{"name", JV_STRING, 0, 0, 200, NULL, NULL},
	{"email", JV_STRING, 0, 0, 254, NULL, NULL},
	{"text", JV_STRING, JV_REQUIRED, 1, 20000, NULL, NULL},
	{"consent", JV_BOOL, 0, 0, 0, NULL, NULL},
	JV_END,
};

const struct jv_field widget_csat_fields[] = {
	{"score", JV_INT, JV_REQUIRED, 1, 5, NULL, NULL},
	{"comment", JV_STRING, 0, 0, 2000, NULL, NULL},
	JV_END,
};

const struct jv_field widget_transcript_fields[] = {
	{"email", JV_STRING, JV_REQUIRED, 3, 254, NULL, NULL},
	JV_END,
};

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.';
}

/* The host at p: its length, 0 when there is none of the right shape. */
static size_t host_len(const char *p)
{
	size_t n = 0;

	if (*p == '[') { /* an IPv6 address */
		n = 1 + strspn(p + 1, "0123456789abcdef:.");
		return p[n] == ']' && n > 2 ? n + 1 : 0;
	}
	while (host_char(p[n]))
		n++;
	if (!n || p[0] == '.' || p[0] == '-' || p[n - 1] == '.' ||
	    p[n - 1] == '-' || n > 253)
		return 0;
	return n;
}

/* ":port" at p, or nothing: whether what is left is that. */
static bool port_ok(const char *p)
{
	char *end;
	long v;

	if (!*p)
		return true;
	if (*p != ':' || p[1] < '1' || p[1] > '9' || strlen(p + 1) > 5)
		return false;
	v = strtol(p + 1, &end, 10);
	return !*end && v >= 1 && v <= 65535;
}

bool widget_origin_ok(const char *o)
{
	size_t n;

	if (!o)
		return false;
	if (!strncmp(o, "https://", 8))
		o += 8;
	else if (!strncmp(o, "http://", 7))
		o += 7;
	else
		return false;
	n = host_len(o);
	return n && port_ok(o + n);
}

bool widget_token_ok(const char *t)
{
	size_t p = strlen(WIDGET_TOKEN_PREFIX);

	return t && strlen(t) == WIDGET_TOKEN_LEN &&
	       !strncmp(t, WIDGET_TOKEN_PREFIX, p) &&
	       strspn(t + p, "0123456789abcdef") == WIDGET_TOKEN_LEN - p;
}

bool widget_bearer(const char *value, size_t len, char out[WIDGET_TOKEN_SIZE])
{
	if (!value || len != 7 + WIDGET_TOKEN_LEN ||
	    strncasecmp(value, "bearer ", 7))
		return false;
	memcpy(out, value + 7, WIDGET_TOKEN_LEN);
	out[WIDGET_TOKEN_LEN] = '\0';
	return widget_token_ok(out);
}

bool widget_email_ok(const char *e)
{
	const char *at = e ? strchr(e, '@') : NULL;
	size_t n = e ? strlen(e) : 0;

	return at && at > e && at[1] && at[1] != '.' && strchr(at, '.') &&
	       !strchr(at + 1, '@') && !strpbrk(e, " \t\r\n<>,;\"()[]\\") &&
	       e[n - 1] != '.' && n <= 254;
}

long widget_origins_bad(const json_t *origins)
{
	const json_t *v;
	size_t i;

	json_array_foreach(origins, i, v)
	{
		if (!widget_origin_ok(json_string_value(v)))
			return (long)i;
	}
	return -1;
}
