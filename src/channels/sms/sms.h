/*
 * sms — the SMS channel: Kannel gateways and the tenants' numbers as
 * configuration, Kannel's callbacks as routes, agents' messages sent
 * through smsbox's sendsms.
 *
 * Configuration (sms_config.c):
 *   gateways  {"name","kind":"kannel","sendsms_url","username","password",
 *              "secret","relais_url"}: admin only; password and secret are
 *              write-only (never in an answer; an update that omits them
 *              keeps them). relais_url is where Kannel reaches relais
 *              (default http://<--http>); the answer shows the get-url to
 *              put in kannel.conf, with SECRET in place of the secret.
 *   numbers   {"tenant","queue","number","gateway"}: an E.164 number, once
 *              across tenants, that brings SMS to a queue of channel sms
 *              of its tenant and sends the answers.
 *
 * Routes (sms.c), public, authenticated by the gateway's secret:
 *   GET /api/v1/sms/gateways/{id}/inbound   Kannel's get-url (an SMS)
 *   GET /api/v1/sms/gateways/{id}/reports   Kannel's dlr-url (a report)
 * An inbound SMS goes into its phone's open SMS contact of the number's
 * tenant, else into a new one on the number's queue; Kannel gets its 2xx
 * once the message is on disk.
 */
#ifndef RELAIS_SMS_H
#define RELAIS_SMS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct kind;
struct srv;
struct srv_module;
struct channel_ops;

extern const struct kind sms_gateways_kind;
extern const struct kind sms_numbers_kind;
extern const struct srv_module sms_module;
extern const struct channel_ops sms_channel;

/* Whether p is an E.164 number: '+', then 8 to 15 digits, no leading 0. */
bool sms_e164(const char *p);

/*
 * The base URL Kannel calls relais at for gateway body gw: its relais_url,
 * else http://<the server's --http address>. Borrowed from gw or static.
 */
const char *sms_relais_url(struct srv *s, const json_t *gw, char *buf,
			   size_t size);

#endif
