/*
 * jv — checks a JSON request body against a table of fields, so that every
 * handler refuses the same way: an unknown field, a wrong type, a value out
 * of range or a missing required field gives one message that names the
 * field ("steps[1].after_s: expected an integer from 0 to 86400"), in
 * English or, through the _lang variants, in a language of the catalogs
 * (its formats are msgids marked N_(), lang.h).
 */
#ifndef RELAIS_JV_H
#define RELAIS_JV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum jv_type {
	JV_STRING = 0, /* min/max: length in bytes */
	JV_INT,	       /* min/max: value */
	JV_NUMBER,     /* min/max: value */
	JV_BOOL,
	JV_OBJECT,    /* any JSON object (free attributes) */
	JV_STRINGS,   /* array of strings; max: items */
	JV_INT_MAP,   /* object of integers in [min, max] */
	JV_ARRAY,     /* array of objects checked against sub; max: items */
	JV_SUBOBJECT, /* one object checked against sub */
	JV_INCLUDE,   /* not a field: the fields of sub belong here too */
};

struct jv_field {
	const char *name;
	enum jv_type type;
	unsigned flags;
	double min, max;
	const char *const *oneof;   /* JV_STRING: allowed values, NULL-ended */
	const struct jv_field *sub; /* JV_ARRAY, JV_SUBOBJECT; {NULL}-ended */
};

/*
 * A table may include another (JV_INCLUDE, see JV_FIELDS), so that one
 * shape serves several documents: the API adds its read-only id, a
 * scenario its own id. The first entry of a name wins, so a field listed
 * before the inclusion replaces the included one of that name (a scenario
 * makes "name" optional that way).
 */
#define JV_FIELDS(table)                             \
	{                                            \
		"", JV_INCLUDE, 0, 0, 0, NULL, table \
	}
#define JV_END                               \
	{                                    \
		NULL, 0, 0, 0, 0, NULL, NULL \
	}

#define JV_REQUIRED 1u /* must be present on create */
#define JV_NULLABLE 2u /* null is accepted (clears the field) */
#define JV_READONLY 4u /* refused in requests */

/*
 * Checks obj. create: required fields must be there. Returns 0, -2 for an
 * unknown (or read-only) field at any depth ("unknown field: steps[1].x"),
 * or -1 for any other refusal ("name: expected a string"), msg filled.
 */
int jv_check(const json_t *obj, const struct jv_field *fields, bool create,
	     char *msg, size_t size);
/* The same with msg in lang (a code of lang.h; NULL: English). */
int jv_check_lang(const char *lang, const json_t *obj,
		  const struct jv_field *fields, bool create, char *msg,
		  size_t size);

/* The field called name in fields (and the tables it includes), or NULL. */
const struct jv_field *jv_field_find(const struct jv_field *fields,
				     const char *name);

/*
 * The names the API accepts for site kinds and wrap-up modes (NULL-ended,
 * in their enumerations' order); channels, strategies and step actions
 * are the engine's own lists (engine_channel_names...).
 */
extern const char *const jv_wrapups[];

/* The deepest nesting a body may have: the body itself is level 1. */
#define JV_DEPTH_MAX 32

/*
 * A JSON text from the network (an HTTP body, a WebSocket message): one
 * object, no duplicate keys, no NUL, at most JV_DEPTH_MAX levels deep.
 * NULL with msg filled ("invalid JSON: ...") when refused; the caller owns
 * the object. Anything it returns, once dumped, is JSON that the store's
 * SQLite JSON functions read (see tests/test_store.c).
 */
json_t *jv_parse(const char *buf, size_t len, char *msg, size_t size);
/* The same with msg in lang (a code of lang.h; NULL: English). */
json_t *jv_parse_lang(const char *lang, const char *buf, size_t len, char *msg,
		      size_t size);

/* Helpers for reading checked objects. */
const char *jv_str(const json_t *obj, const char *key); /* NULL if absent */
int64_t jv_int(const json_t *obj, const char *key, int64_t def);
double jv_num(const json_t *obj, const char *key, double def);
bool jv_bool(const json_t *obj, const char *key, bool def);

#endif
