/*
 * html_clean — what of an email's HTML a browser may be shown.
 *
 * The HTML is parsed with libxml2's HTML parser (the one browsers'
 * tolerance is measured against in Debian, robust to any bytes) into a
 * tree, and a new document is written from that tree with an allow-list
 * of elements and attributes. Nothing of the input is copied through as
 * markup: text is escaped on the way out, so a malformed tag, a comment
 * or an unknown construct can at worst become visible text.
 */
#ifndef RELAIS_CHANNELS_EMAIL_HTML_CLEAN_H
#define RELAIS_CHANNELS_EMAIL_HTML_CLEAN_H

#include <stddef.h>

/*
 * The sanitised HTML of the UTF-8 HTML IN (LEN bytes) into *OUTP, and when
 * TEXTP is not NULL its text (blocks on their own lines) into *TEXTP; both
 * malloc'd, NUL-terminated, the caller's. ENOMEM, or EINVAL when libxml2
 * gives up on the input.
 */
int html_clean(char **outp, char **textp, const char *in, size_t len);
/* (Bytes that are not UTF-8 in IN become U+FFFD.) */

#endif
