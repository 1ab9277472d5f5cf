/*
 * fuzz_flow — IVR flows from arbitrary bytes: the input is a JSON text,
 * then (after a NUL byte, if any) the inputs of a walk. A body that
 * flow_parse() takes is walked: each byte of the rest is a digit, a
 * timeout, a prompt's end or a calendar's answer. Anything that breaks a
 * promise of flow.h aborts: a walk that does not end within its inputs
 * and the guard, a step without its node, a MENU without its timeout, an
 * end without its queue or number.
 */
#include "server/libre.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/voice/flow.h"
#include "lang/lang.h"
#include "model/jv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct flow_step *s)
{
	if (!s->node || !s->lang)
		abort();
	if (s->act == FLOW_MENU && s->timeout_ms <= 0)
		abort();
	if ((s->act == FLOW_QUEUE || s->act == FLOW_VOICEMAIL) &&
	    (!s->queue ||
	     !json_is_array(json_object_get(s->attributes, "ivr_path"))))
		abort();
	if (s->act == FLOW_TRANSFER && !s->number)
		abort();
	if (s->act == FLOW_CALENDAR && !s->calendar)
		abort();
}

static const struct flow_step *feed(struct flow_run *r, uint8_t b)
{
	static const char digits[] = "0123456789*#x";

	switch (b % 4) {
	case 0:
		return flow_played(r);
	case 1:
		return flow_digit(r, digits[(b / 4) % (sizeof(digits) - 1)]);
	case 2:
		return flow_timeout(r);
	default:
		return flow_calendar(r, b & 4);
	}
}

static void walk(struct flow *f, const uint8_t *in, size_t n)
{
	static const char *const langs[] = {"fr", "en", "de", NULL};
	struct flow_run *r;
	const struct flow_step *s;

	if (flow_run_start(&r, f, langs[n % 4]))
		return;
	s = flow_run_step(r);
	check(s);
	for (size_t i = 0; i < n; i++) {
		s = feed(r, in[i]);
		check(s);
	}
	mem_deref(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t len = nul ? (size_t)(nul - data) : size;
	char msg[256];
	struct lang_out why = LANG_OUT(NULL, msg);
	struct flow *f;
	json_t *b = jv_parse((const char *)data, len, msg, sizeof(msg));

	if (!b)
		return 0;
	if (!flow_parse(&f, b, &why)) {
		flow_set_lang(f, "fr");
		walk(f, nul ? nul + 1 : data + size, nul ? size - len - 1 : 0);
		mem_deref(f);
	} else if (!msg[0]) {
		abort(); /* a refusal always says why */
	}
	json_decref(b);
	return 0;
}
