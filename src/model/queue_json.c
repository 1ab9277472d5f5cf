/*
 * queue_json — see queue_json.h.
 */
#include <string.h>

#include "model/jv.h"
#include "model/queue_json.h"

static enum action action_of(const char *s, enum action def)
{
	enum action a;

	return s && engine_action_parse(s, &a) ? a : def;
}

void queue_json_fill(const json_t *body, struct engine_queue *q,
		     struct engine_step *steps)
{
	const json_t *arr = json_object_get(body, "steps"), *v;
	const char *w = jv_str(body, "wrapup");
	size_t i;

	q->id = jv_str(body, "id");
	q->tenant = jv_str(body, "tenant");
	engine_channel_parse(jv_str(body, "channel"), &q->channel);
	q->priority = (int)jv_int(body, "priority", 0);
	q->sl_threshold_ms = jv_int(body, "sl_threshold_s", 20) * 1000;
	engine_strategy_parse(jv_str(body, "strategy"), &q->strategy);
	q->last_agent = jv_bool(body, "last_agent", false);
	q->last_agent_wait_ms = jv_int(body, "last_agent_wait_s", 0) * 1000;
	q->ring_max = (int)jv_int(body, "ring_max", 0);
	q->wrapup = !w || !strcmp(w, "timed") ? WRAPUP_TIMED
		    : !strcmp(w, "none")      ? WRAPUP_NONE
					      : WRAPUP_MANUAL;
	q->wrapup_ms = jv_int(body, "wrapup_s", 30) * 1000;
	q->aht_ms = jv_int(body, "aht_s", 180) * 1000;
	q->calendar = jv_str(body, "calendar");
	q->closed_action =
		action_of(jv_str(body, "closed_action"), ACTION_CLOSE);
	q->closed_target = jv_str(body, "closed_target");
	json_array_foreach(arr, i, v)
	{
		steps[i] = (struct engine_step){
			.after_ms = jv_int(v, "after_s", 0) * 1000,
			.filter = jv_str(v, "filter"),
			.priority_delta = (int)jv_int(v, "priority_delta", 0),
			.min_ewt_ms = jv_int(v, "min_ewt_s", 0) * 1000,
			.action = action_of(jv_str(v, "action"), ACTION_NONE),
			.target = jv_str(v, "target"),
		};
	}
	q->steps = steps;
	q->nsteps = json_array_size(arr);
}
