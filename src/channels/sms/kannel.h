/*
 * kannel — what relais says to Kannel's smsbox and what it hears back.
 *
 * Out: a sendsms request (smsbox's HTTP interface, GET with the fields
 * in the query) whose dlr-url points back at relais with the message's
 * id and the gateway's secret, so that each delivery report finds its
 * message and no one else can forge one.
 *
 * In: the query string of the two callbacks, the sms-service's get-url
 * (a mobile-originated message) and the dlr-url (a delivery report),
 * both untrusted: every field is checked, a field given twice, a bad
 * escape, a NUL, text that is not what its charset says, an unknown
 * report type or a wrong secret are refused and nothing is filled in.
 *
 * The get-url that kannel_get_url() writes is the one the parser reads:
 * an sms-service in kannel.conf takes it as it is. No I/O here.
 */
#ifndef RELAIS_KANNEL_H
#define RELAIS_KANNEL_H

#include <stddef.h>
#include <stdint.h>

#define KANNEL_NUMBER_MAX 24  /* E.164, a short code or a sender name */
#define KANNEL_ID_MAX	  64  /* relais's message id, Kannel's uuid */
#define KANNEL_SMSC_MAX	  64  /* smsc-id of kannel.conf */
#define KANNEL_REPLY_MAX  256 /* the SMSC's answer in a report */
#define KANNEL_QUERY_MAX  65536

/* One gateway: an smsbox and what relais tells it. */
struct kannel_gateway {
	const char *sendsms_url; /* http://host:port/cgi-bin/sendsms */
	const char *username;	 /* a sendsms-user of kannel.conf */
	const char *password;
	const char *dlr_url; /* relais's report route, without a query */
	const char *secret;  /* per gateway, carried in both callbacks */
};

/*
 * Writes into *urlp (malloc'd, the caller frees) the sendsms URL that
 * sends text (UTF-8) from from to to, asking for every report (dlr-mask
 * 31) on the gateway's dlr_url with msg_id and the secret. A text that
 * GSM-7 cannot carry goes as UCS-2 (coding=2). Returns 0, EINVAL (a
 * number, an id or the text is not valid; *urlp untouched) or ENOMEM.
 */
int kannel_sendsms_url(char **urlp, const struct kannel_gateway *gw,
		       const char *from, const char *to, const char *text,
		       const char *msg_id);

/*
 * Writes into *urlp (malloc'd) the get-url for an sms-service of
 * kannel.conf that calls base (relais's inbound route) with the fields
 * kannel_mo_parse() reads. Returns 0, EINVAL or ENOMEM.
 */
int kannel_get_url(char **urlp, const char *base, const char *secret);

/* A mobile-originated message, as the get-url brought it. */
struct kannel_mo {
	char from[KANNEL_NUMBER_MAX + 1];
	char to[KANNEL_NUMBER_MAX + 1];
	char smsc[KANNEL_SMSC_MAX + 1];
	char id[KANNEL_ID_MAX + 1]; /* Kannel's id: the same on a retry */
	int64_t ts;		    /* Unix seconds, as the SMSC dated it */
	char *text;		    /* UTF-8, NUL-terminated, malloc'd */
	size_t text_len;
};

/*
 * Parses the get-url's query (len bytes, without the '?') into *mo,
 * checking it carries secret. The text arrives in its charset (UTF-8,
 * UTF-16BE or ISO-8859-1) and leaves as UTF-8. Returns 0; EACCES for a
 * missing or wrong secret; EINVAL for anything malformed; EMSGSIZE
 * when the query is longer than KANNEL_QUERY_MAX; ENOMEM. On error *mo
 * is left empty and *whyp (when not NULL) names what was wrong.
 */
int kannel_mo_parse(struct kannel_mo *mo, const char *query, size_t len,
		    const char *secret, const char **whyp);

/* Frees what kannel_mo_parse() allocated; *mo is empty after. */
void kannel_mo_reset(struct kannel_mo *mo);

/* Kannel's report types: one bit each, as dlr-mask asks for them. */
enum kannel_dlr_type {
	KANNEL_DLR_DELIVERED = 1,
	KANNEL_DLR_FAILED = 2,
	KANNEL_DLR_BUFFERED = 4,
	KANNEL_DLR_SMSC_SUBMIT = 8,
	KANNEL_DLR_SMSC_REJECT = 16,
};

/* A delivery report, as the dlr-url brought it. */
struct kannel_dlr {
	enum kannel_dlr_type type;
	char id[KANNEL_ID_MAX + 1]; /* relais's message id */
	char smsc[KANNEL_SMSC_MAX + 1];
	char reply[KANNEL_REPLY_MAX + 1]; /* the SMSC's words, UTF-8 */
	int64_t ts;
};

/* Same contract as kannel_mo_parse(); nothing to free. */
int kannel_dlr_parse(struct kannel_dlr *dlr, const char *query, size_t len,
		     const char *secret, const char **whyp);

/*
 * The message model's delivery status for a report type: "delivered",
 * "failed", "queued" (buffered at the SMSC) or "sent" (the SMSC took it).
 */
const char *kannel_dlr_status(enum kannel_dlr_type type);

#endif
