/*
 * customers — a tenant's customers: their identities (E.164 phones,
 * emails) kept in memory for the look-up of new contacts, their bodies in
 * the store, the API that reads and changes them (reads are audited).
 */
#ifndef RELAIS_CUSTOMERS_H
#define RELAIS_CUSTOMERS_H

#include <stddef.h>

#include <jansson.h>

struct srv;
struct srv_module;
struct lang_out;

extern const struct srv_module customers_module;

/*
 * The customer of a new contact from {"id"|"phone"|"email","name"}: found
 * by its id or an identity of the tenant, or created; out gets its id
 * ("" when ref is NULL, null or names nothing). 0, EINVAL (why names the
 * field), EEXIST (an identity belongs to another customer) or ENOMEM.
 */
int customer_resolve(struct srv *s, const char *by, const char *tenant,
		     const json_t *ref, char out[40], struct lang_out *why);

/*
 * Erasure (retention.c): customer old (its body from the store) loses its
 * name, phones, emails, attributes and notes, so that its identities no
 * longer resolve; it keeps its id and tenant (its contacts name it) and
 * gets "erased_at". Logged customer.updated by user, in the open batch.
 */
void customers_anonymise(struct srv *s, const json_t *old, const char *user);

struct hreq;
/*
 * Reads the customer of the path ({id}): if the caller may see it, audits
 * the read and calls then(r, its id, its tenant); else answers 404.
 */
void customers_read(struct hreq *r,
		    void (*then)(struct hreq *r, const char *customer,
				 const char *tenant));

#endif
