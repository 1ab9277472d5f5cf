/*
 * forecast_msg — the words of 'relais forecast', in French and in
 * English: usage, errors and the table. Templates as in words.h (each %s
 * takes the next argument). The CSV and JSON outputs have no words here:
 * programs read them, so they are the same in both languages.
 */
#ifndef RELAIS_FORECAST_MSG_H
#define RELAIS_FORECAST_MSG_H

struct forecast_words {
	const char *usage;	       /* the longest horizon in days */
	const char *history_file;      /* "--history FILE", when missing */
	const char *too_many_holidays; /* the most */
	const char *bad_holiday;       /* the item */
	const char *no_queue;	       /* file, queue; its queues follow */
	const char *progress;	       /* queue number, of, name */
	const char *progress_step;     /* number, of, name, step, SSE */
	const char *queue_error;       /* queue, message */
	const char *status[3];	       /* by enum lbfgsb_status */
	const char *model[2];	       /* by enum hw_seasonal */
	const char *queue_head;	       /* queue, days, first, last date */
	const char *fit;	       /* model, alpha, beta, gamma, status */
	const char *trend;	       /* level, trend per day */
	const char *in_sample;	       /* RMSE, days, SSE */
	const char *holdout;	       /* days, MAPE, WAPE, interval WAPE */
	const char *no_holdout;	       /* days needed */
	const char *special[2];	       /* factor, days: one day, days */
	const char *head[5];	       /* date, day, offered, peak, offered */
	const char *wdays[7];	       /* Monday first */
};

/* "fr" or "en", as words_lang() chose. */
const struct forecast_words *forecast_words_get(const char *lang);

#endif
