/*
 * fuzz_kannel — Kannel's callbacks over arbitrary bytes: the first byte
 * picks the get-url (even) or the dlr-url (odd) parser, the rest is the
 * query. The secret is the seeds' so that the fuzzer gets past it.
 *
 * What parses must hold what the header promises: a NUL-terminated
 * UTF-8 text of text_len bytes with no NUL inside, fields within their
 * bounds, a report type of one bit. Anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms/kannel.h"
#include "core/sms_len.h"

#define SECRET "s3cr3t-Gw1"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_mo(const struct kannel_mo *mo)
{
	struct sms_len len;

	if (!mo->text || strlen(mo->text) != mo->text_len ||
	    sms_len_measure(&len, mo->text, mo->text_len) ||
	    strlen(mo->from) > KANNEL_NUMBER_MAX || !*mo->from ||
	    strlen(mo->to) > KANNEL_NUMBER_MAX || mo->ts < 0)
		abort();
}

static void check_dlr(const struct kannel_dlr *d)
{
	unsigned t = (unsigned)d->type;

	if (!t || (t & (t - 1)) || t > 16 || !*d->id ||
	    strlen(d->reply) > KANNEL_REPLY_MAX || d->ts < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *q = (const char *)data + 1, *why = NULL;
	struct kannel_dlr dlr;
	struct kannel_mo mo;

	if (!size)
		return 0;
	if (data[0] % 2 == 0) {
		if (!kannel_mo_parse(&mo, q, size - 1, SECRET, &why))
			check_mo(&mo);
		else if (!why || mo.text)
			abort();
		kannel_mo_reset(&mo);
	} else {
		if (!kannel_dlr_parse(&dlr, q, size - 1, SECRET, &why))
			check_dlr(&dlr);
		else if (!why)
			abort();
	}
	return 0;
}
