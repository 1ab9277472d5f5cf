/*
 * widget — the web chat's entry points: the configuration kind widgets
 * (a tenant's chat on a customer's site: its queue, the origins that may
 * frame it, what the visitor is asked, the texts it shows, a public key)
 * and the public routes of a widget:
 *   GET  /widget.js?key=K        the loader (web/widget/loader.js)
 *   GET  /widget/frame?key=K     the frame page (web/widget/index.html),
 *                                framed only by the widget's origins
 *   GET  /api/v1/widget/{key}    what the frame shows, in the visitor's
 *                                language, and whether the chat is open
 *   POST /api/v1/widget/{key}/conversations   a new conversation: a chat
 *                                contact, its first message, a visitor
 *                                token (visitor.h)
 *   GET  /demo/, /demo/{id}      with --demo: a customer's site per demo
 *                                client, its widget on it
 */
#ifndef RELAIS_WIDGET_H
#define RELAIS_WIDGET_H

#include <stdbool.h>

struct srv;
struct kind;
struct srv_module;

extern const struct kind widget_kind;
extern const struct srv_module widget_module;

/* Whether a widget sends its conversations to queue (it stays). */
bool widget_uses_queue(struct srv *s, const char *queue);

/* The demo centre's widgets: one per client with a chat queue. 0/errno. */
int widget_demo_seed(struct srv *s);

#endif
