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
 * A new customer of tenant known by a name only (a chat visitor who gave
 * no address): out gets its id. 0 or ENOMEM.
 */
int customer_create_named(struct srv *s, const char *by, const char *tenant,
			  const char *name, char out[40]);

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

/*
 * What a channel marks on a customer's record (the SMS opt-out): reads
 * customer id from the store, sets its field key to v (taken; JSON null
 * to clear), stores it (customer.updated by `by`, in the open batch),
 * then done(r, 0, arg) on the loop; done(r, ENOENT, arg) when there is
 * no such customer; on a store failure r is answered 500 and then
 * done(NULL, EIO or ENOMEM, arg). r is the request the channel answers once the
 * mark is durable.
 */
typedef void customers_mark_h(struct hreq *r, int err, void *arg);
void customers_mark(struct hreq *r, const char *id, const char *key, json_t *v,
		    const char *by, customers_mark_h *done, void *arg);

#endif
