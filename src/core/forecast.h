/*
 * forecast — contact volumes per queue and 15-minute interval, top-down:
 * the history of a queue becomes a series of daily totals, Holt-Winters
 * with a weekly season (m = 7, core/holtwinters.h) forecasts the days, and
 * each day is spread over its intervals by the intraday profile of its
 * weekday. An interval forecast is daily forecast × profile share.
 *
 * Intraday profile of weekday w: for each ordinary day of that weekday
 * with contacts, the share of each interval in the day's total; the
 * profile is the mean of those shares, so it sums to 1. A weekday that
 * never had contacts borrows the mean profile of all days.
 *
 * Special days (public holidays, given as dates) are left out of the
 * Holt-Winters fit (core/holtwinters.h) and out of the profiles. Each
 * gets a factor: the one given with the date, else the learnt factor, the
 * mean of actual ÷ one-step forecast over the listed dates inside the
 * history (1 when none is). A special day's forecast is the ordinary
 * forecast × its factor, spread with its weekday's profile.
 *
 * Accuracy is measured on a hold-out: the last 14 days are forecast from
 * a fit on the days before them (when the history has 28 days or more),
 * then the model is fitted again on everything. Forecasts below 0 (an
 * additive model on a nearly closed day) are raised to 0.
 *
 * Pure: no I/O, no clock. Days are local dates counted from 1970-01-01.
 */
#ifndef RELAIS_FORECAST_H
#define RELAIS_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/forecast_csv.h"
#include "core/holtwinters.h"

#define FORECAST_PERIOD	     7	  /* days in the season */
#define FORECAST_HOLDOUT     14	  /* days held out to measure accuracy */
#define FORECAST_MAX_SPAN    3660 /* days of history per queue */
#define FORECAST_MAX_HORIZON 366  /* days forecast */

/* One queue's history as whole days. Arrays are owned, day-major. */
struct forecast_series {
	int64_t first_day;
	size_t ndays;
	double *offered;    /* ndays × FORECAST_SLOTS */
	double *aht_sum;    /* Σ offered · aht_s over rows with an AHT */
	double *aht_weight; /* Σ offered over the same rows */
};

/*
 * Gathers the rows of one queue into days, from its first date to the
 * last date of the whole file, so that every queue's forecast starts on the
 * same day (days without rows count as no contacts; rows of the same
 * interval add up). Returns 0, EINVAL (span over FORECAST_MAX_SPAN days,
 * queue out of range) or ENOMEM.
 */
int forecast_series_build(struct forecast_series **sp,
			  const struct forecast_history *h, uint32_t queue,
			  char *msg, size_t size);
void forecast_series_free(struct forecast_series *s);

/* Error measures over n (actual, predicted) pairs. */
double forecast_sse(const double *actual, const double *pred, size_t n);
double forecast_rmse(const double *actual, const double *pred, size_t n);
/* Mean |a − p| ÷ |a| over pairs with a ≠ 0, as a fraction; NAN if none. */
double forecast_mape(const double *actual, const double *pred, size_t n);
/* Σ|a − p| ÷ Σ|a|, as a fraction; NAN when Σ|a| = 0. */
double forecast_wape(const double *actual, const double *pred, size_t n);

/* 0 = Monday … 6 = Sunday. */
int forecast_weekday(int64_t day);

/*
 * The intraday profiles of the first ndays days of s, special days (flags,
 * may be NULL) left out: profile[w] sums to 1 for each weekday w.
 */
void forecast_profile(const struct forecast_series *s, size_t ndays,
		      const bool *special,
		      double profile[FORECAST_PERIOD][FORECAST_SLOTS]);

struct forecast_special {
	int64_t day;
	double factor; /* >= 0, or NAN: use the learnt factor */
};

struct forecast_opts {
	enum hw_seasonal seasonal;
	int days;				/* 1 … FORECAST_MAX_HORIZON */
	const struct forecast_special *special; /* borrowed */
	size_t nspecial;
	/* Called after each optimiser step of each fit; may be NULL. */
	void (*progress)(void *arg, int iter, double sse);
	void *arg;
};

struct forecast {
	struct hw *model;     /* on the whole history; owned */
	double rmse;	      /* one-step, in sample, ordinary days */
	bool holdout;	      /* false under 2 + 2 weeks of history */
	double mape, wape;    /* of the daily totals on the hold-out */
	double interval_wape; /* of the intervals on the hold-out */
	double factor;	      /* learnt special-day factor */
	size_t factor_days;   /* special days it is learnt from (0: 1) */
	double profile[FORECAST_PERIOD][FORECAST_SLOTS];
	double aht[FORECAST_PERIOD][FORECAST_SLOTS]; /* NAN: no data */
	int64_t first_day; /* the first forecast day */
	int days;
	double *daily;	  /* days totals; owned */
	double *interval; /* days × FORECAST_SLOTS; owned */
};

/*
 * Fits, measures and forecasts one queue. Returns 0, EINVAL (under two
 * weeks of history, bad options, a day without contacts for the
 * multiplicative model; msg says which) or ENOMEM.
 */
int forecast_run(struct forecast **fp, const struct forecast_series *s,
		 const struct forecast_opts *o, char *msg, size_t size);
void forecast_free(struct forecast *f);

#endif
