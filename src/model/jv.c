#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang/lang.h"
#include "model/jv.h"

const char *const jv_wrapups[] = {"none", "timed", "manual", NULL};

/* What a value of type t must be, in English: a msgid. */
static const char *type_text(enum jv_type t)
{
	switch (t) {
	case JV_STRING:
		return N_("a string");
	case JV_INT:
		return N_("an integer");
	case JV_NUMBER:
		return N_("a number");
	case JV_BOOL:
		return N_("true or false");
	case JV_OBJECT:
	case JV_SUBOBJECT:
		return N_("an object");
	case JV_STRINGS:
		return N_("an array of strings");
	case JV_INT_MAP:
		return N_("an object of integers");
	case JV_ARRAY:
		return N_("an array of objects");
	case JV_INCLUDE:
		break;
	}
	return "?";
}

static int check_obj(const json_t *obj, const struct jv_field *fields,
		     bool create, const char *prefix, struct lang_out *o);

static bool in_range(double v, const struct jv_field *f)
{
	return !(f->min || f->max) || (v >= f->min && v <= f->max);
}

static int range_msg(struct lang_out *o, const char *path,
		     const struct jv_field *f)
{
	lang_say(o, N_("%s: expected %s from %g to %g"), path,
		 lang_get(o->lang, type_text(f->type)), f->min, f->max);
	return -1;
}

static int check_string(const json_t *v, const struct jv_field *f,
			const char *path, struct lang_out *o)
{
	size_t len = json_string_length(v);
	const char *s = json_string_value(v);

	if (f->oneof) {
		for (size_t i = 0; f->oneof[i]; i++)
			if (!strcmp(f->oneof[i], s))
				return 0;
		lang_say(o, N_("%s: expected one of"), path);
		for (size_t i = 0; f->oneof[i]; i++)
			snprintf(o->buf + strlen(o->buf),
				 o->size - strlen(o->buf), "%s %s",
				 i ? "," : "", f->oneof[i]);
		return -1;
	}
	if ((f->min || f->max) && (len < f->min || len > f->max)) {
		lang_say(o, N_("%s: expected a string of %g to %g bytes"), path,
			 f->min, f->max);
		return -1;
	}
	return 0;
}

static int check_value(const json_t *v, const struct jv_field *f,
		       const char *path, struct lang_out *o)
{
	char sub[160];
	const char *k;
	json_t *x;
	size_t i;

	switch (f->type) {
	case JV_STRING:
		if (!json_is_string(v))
			break;
		return check_string(v, f, path, o);
	case JV_INT:
		if (!json_is_integer(v))
			break;
		return in_range((double)json_integer_value(v), f)
			       ? 0
			       : range_msg(o, path, f);
	case JV_NUMBER:
		if (!json_is_number(v))
			break;
		return in_range(json_number_value(v), f)
			       ? 0
			       : range_msg(o, path, f);
	case JV_BOOL:
		if (!json_is_boolean(v))
			break;
		return 0;
	case JV_OBJECT:
		if (!json_is_object(v))
			break;
		return 0;
	case JV_SUBOBJECT:
		if (!json_is_object(v))
			break;
		return check_obj(v, f->sub, true, path, o);
	case JV_STRINGS:
		if (!json_is_array(v))
			break;
		if (f->max && json_array_size(v) > f->max) {
			lang_say(o, N_("%s: at most %g items"), path, f->max);
			return -1;
		}
		json_array_foreach(v, i, x)
		{
			if (!json_is_string(x) || !json_string_length(x)) {
				lang_say(o,
					 N_("%s[%zu]: expected a non-empty "
					    "string"),
					 path, i);
				return -1;
			}
		}
		return 0;
	case JV_INT_MAP:
		if (!json_is_object(v))
			break;
		json_object_foreach((json_t *)v, k, x)
		{
			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			if (!json_is_integer(x) ||
			    !in_range((double)json_integer_value(x), f)) {
				lang_say(
					o,
					N_("%s: expected an integer from %g to "
					   "%g"),
					sub, f->min, f->max);
				return -1;
			}
		}
		return 0;
	case JV_ARRAY:
		if (!json_is_array(v))
			break;
		if (f->max && json_array_size(v) > f->max) {
			lang_say(o, N_("%s: at most %g items"), path, f->max);
			return -1;
		}
		json_array_foreach(v, i, x)
		{
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (!json_is_object(x)) {
				lang_say(o, N_("%s: expected an object"), sub);
				return -1;
			}
			int rc = check_obj(x, f->sub, true, sub, o);

			if (rc)
				return rc;
		}
		return 0;
	case JV_INCLUDE:
		return 0; /* never found by name */
	}
	lang_say(o, N_("%s: expected %s"), path,
		 lang_get(o->lang, type_text(f->type)));
	return -1;
}

const struct jv_field *jv_field_find(const struct jv_field *fields,
				     const char *name)
{
	for (const struct jv_field *f = fields; f->name; f++) {
		const struct jv_field *in;

		if (f->type != JV_INCLUDE)
			in = strcmp(f->name, name) ? NULL : f;
		else
			in = jv_field_find(f->sub, name);
		if (in)
			return in;
	}
	return NULL;
}

/*
 * The required fields of table (and of the tables it includes) that top,
 * the table the object is checked against, does not replace.
 */
static int check_required(const json_t *obj, const struct jv_field *top,
			  const struct jv_field *table, const char *prefix,
			  struct lang_out *o)
{
	for (const struct jv_field *f = table; f->name; f++) {
		json_t *v;

		if (f->type == JV_INCLUDE) {
			if (check_required(obj, top, f->sub, prefix, o))
				return -1;
			continue;
		}
		v = json_object_get(obj, f->name);
		if (!(f->flags & JV_REQUIRED) || (v && !json_is_null(v)) ||
		    jv_field_find(top, f->name) != f)
			continue;
		lang_say(o, N_("%s%s%s: required"), prefix, *prefix ? "." : "",
			 f->name);
		return -1;
	}
	return 0;
}

static int check_obj(const json_t *obj, const struct jv_field *fields,
		     bool create, const char *prefix, struct lang_out *o)
{
	char path[160];
	const struct jv_field *f;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		snprintf(path, sizeof(path), "%s%s%s", prefix,
			 *prefix ? "." : "", key);
		f = jv_field_find(fields, key);
		if (!f || (f->flags & JV_READONLY)) {
			lang_say(o, N_("unknown field: %s"), path);
			return -2;
		}
		if (json_is_null(v) && (f->flags & JV_NULLABLE))
			continue;
		int rc = check_value(v, f, path, o);

		if (rc)
			return rc;
	}
	return create ? check_required(obj, fields, fields, prefix, o) : 0;
}

int jv_check_lang(const char *lang, const json_t *obj,
		  const struct jv_field *fields, bool create, char *msg,
		  size_t size)
{
	struct lang_out o = {lang, msg, size};

	if (!json_is_object(obj))
		return lang_say(&o, N_("the body must be a JSON object"));
	return check_obj(obj, fields, create, "", &o);
}

int jv_check(const json_t *obj, const struct jv_field *fields, bool create,
	     char *msg, size_t size)
{
	return jv_check_lang(NULL, obj, fields, create, msg, size);
}

/*
 * The offset of the bracket that opens level max + 1, or len when the text
 * stays within max levels. One pass that skips strings (and their escapes),
 * so that a '[' inside a value does not count; the text need not be valid
 * JSON (jansson judges that next), only its depth is measured.
 */
static size_t depth_over(const char *buf, size_t len, unsigned max)
{
	unsigned depth = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return i;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return len;
}

json_t *jv_parse_lang(const char *lang, const char *buf, size_t len, char *msg,
		      size_t size)
{
	struct lang_out o = {lang, msg, size};
	size_t over = depth_over(buf, len, JV_DEPTH_MAX);
	json_error_t e;
	json_t *j;

	/* jansson takes 2,048 levels and SQLite's JSON functions 1,000 to
	 * 2,000 (by version): a body the store cannot read back must not get
	 * past the door, and a shallow limit bounds every recursive walk */
	if (over < len) {
		lang_say(&o,
			 N_("invalid JSON: nested deeper than %d levels (at "
			    "byte "
			    "%zu)"),
			 JV_DEPTH_MAX, over);
		return NULL;
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		lang_say(&o, N_("invalid JSON at line %d column %d: %s"),
			 e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		lang_say(&o, N_("the body must be a JSON object"));
		return NULL;
	}
	return j;
}

json_t *jv_parse(const char *buf, size_t len, char *msg, size_t size)
{
	return jv_parse_lang(NULL, buf, len, msg, size);
}

const char *jv_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int64_t jv_int(const json_t *obj, const char *key, int64_t def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

double jv_num(const json_t *obj, const char *key, double def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : def;
}

bool jv_bool(const json_t *obj, const char *key, bool def)
{
	json_t *v = json_object_get(obj, key);

	return json_is_boolean(v) ? json_is_true(v) : def;
}
