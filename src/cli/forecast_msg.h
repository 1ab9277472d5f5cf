/*
 * forecast_msg — the words of 'relais forecast', in French and in
 * English: usage, errors and the table. Templates as in words.h (each %s
 * takes the next argument). The CSV and JSON outputs have no words here:
 * programs read them, so they are the same in both languages.
 *
 * The texts are in the catalogs (lang/<code>.json, lang.h): member m of
 * the list below has the id "forecast.m" ("forecast.m.0"... for an array).
 */
#ifndef RELAIS_FORECAST_MSG_H
#define RELAIS_FORECAST_MSG_H

#include "lang/lang.h"

/* clang-format off */
#define FORECAST_WORDS(T, A)                                 \
	T(usage) /* the longest horizon in days */           \
	T(history_file) /* "--history FILE", when missing */ \
	T(too_many_holidays) /* the most */                  \
	T(bad_holiday) /* the item */                        \
	T(no_queue) /* file, queue; its queues follow */     \
	T(progress) /* queue number, of, name */             \
	T(progress_step) /* number, of, name, step, SSE */   \
	T(queue_error) /* queue, message */                  \
	A(status, 3) /* by enum lbfgsb_status */             \
	A(model, 2) /* by enum hw_seasonal */                \
	T(queue_head) /* queue, days, first, last date */    \
	T(fit) /* model, alpha, beta, gamma, status */       \
	T(trend) /* level, trend per day */                  \
	T(in_sample) /* RMSE, days, SSE */                   \
	T(holdout) /* days, MAPE, WAPE, interval WAPE */     \
	T(no_holdout) /* days needed */                      \
	A(special, 2) /* factor, days: one day, days */      \
	A(head, 5) /* date, day, offered, peak, offered */   \
	A(wdays, 7) /* Monday first */
/* clang-format on */

struct forecast_words {
	FORECAST_WORDS(LANG_TEXT, LANG_TEXTS)
};

/* The texts of lang (words_lang()) into w; they are borrowed (lang.h). */
void forecast_words_load(struct forecast_words *w, const char *lang);

#endif
