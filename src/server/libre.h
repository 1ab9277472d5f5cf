/*
 * libre's headers without re_json.h, whose JSON_* names clash with
 * jansson's. Include this instead of <re.h>. libre 1.1.0's headers also
 * need the standard types first.
 */
#ifndef RELAIS_LIBRE_H
#define RELAIS_LIBRE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_main.h>
#include <re_tmr.h>
#include <re_tcp.h>
#include <re_msg.h>
#include <re_http.h>
#include <re_websock.h>
#include <re_mqueue.h>
#include <re_sys.h>

#endif
