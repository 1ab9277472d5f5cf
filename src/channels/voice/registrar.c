/* Skeleton: replaced by the registrar (registrar.h). */
#include <errno.h>

#include "channels/voice/sipre.h"

#include "channels/voice/registrar.h"
#include "channels/voice/voice.h"

struct registrar {
	struct voice *v;
};

int registrar_alloc(struct registrar **rp, struct voice *v)
{
	struct registrar *r = mem_zalloc(sizeof(*r), NULL);

	if (!r)
		return ENOMEM;
	r->v = v;
	*rp = r;
	return 0;
}

void registrar_request(struct registrar *r, const struct sip_msg *msg)
{
	sip_treply(NULL, r->v->sip, msg, 403, "Forbidden");
}

size_t registrar_bindings(struct registrar *r, const char *agent,
			  void (*fn)(const char *uri, void *arg), void *arg)
{
	(void)r;
	(void)agent;
	(void)fn;
	(void)arg;
	return 0;
}

const char *registrar_agent_of(struct registrar *r, const char *user)
{
	(void)r;
	(void)user;
	return NULL;
}
