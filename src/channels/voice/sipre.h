/*
 * libre's SIP, SDP and RTP headers and librem's audio ones, after
 * server/libre.h (which leaves out re_json.h: its names clash with
 * jansson's). The voice channel's files include this instead of <re.h>.
 */
#ifndef RELAIS_SIPRE_H
#define RELAIS_SIPRE_H

#include "server/libre.h"

#include <re_udp.h>
#include <re_uri.h>
#include <re_hash.h>
#include <re_md5.h>
#include <re_sip.h>
#include <re_sipsess.h>
#include <re_sdp.h>
#include <re_rtp.h>
#include <re_telev.h>
#include <re_httpauth.h>

#include <rem_au.h>
#include <rem_aufile.h>
#include <rem_g711.h>
#include <rem_aumix.h>
#include <rem_fir.h>
#include <rem_auresamp.h>
#include <rem_autone.h>
#include <rem_dtmf.h>

#endif
