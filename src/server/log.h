/*
 * log — structured log lines on stderr, one per event:
 *
 *   2026-11-29T10:15:00.123Z info http method=POST path=/api/v1/contacts ...
 *
 * time (UTC), level, module, then key=value pairs written by the caller.
 * Lines are written with one write(2) so threads do not interleave them.
 */
#ifndef RELAIS_LOG_H
#define RELAIS_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Returns 0, or -1 for a name that is not debug, info, warn or error. */
int log_level_parse(const char *s, enum log_level *lvl);
void log_set_level(enum log_level lvl);
int log_enabled(enum log_level lvl);

void log_write(enum log_level lvl, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(m, ...) log_write(LOG_DEBUG, m, __VA_ARGS__)
#define log_info(m, ...)  log_write(LOG_INFO, m, __VA_ARGS__)
#define log_warn(m, ...)  log_write(LOG_WARN, m, __VA_ARGS__)
#define log_error(m, ...) log_write(LOG_ERROR, m, __VA_ARGS__)

#endif
