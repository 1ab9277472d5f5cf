/*
 * The top-down forecast of one queue: daily series, Holt-Winters on it,
 * special-day factors, intraday profiles, the hold-out measure.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/forecast.h"
#include "core/say.h"

#define SLOTS FORECAST_SLOTS
#define WEEK  FORECAST_PERIOD

/* ---- series ----------------------------------------------------------- */

void forecast_series_free(struct forecast_series *s)
{
	if (!s)
		return;
	free(s->offered);
	free(s->aht_sum);
	free(s->aht_weight);
	free(s);
}

static int series_alloc(struct forecast_series **sp, int64_t first,
			size_t ndays)
{
	struct forecast_series *s = calloc(1, sizeof(*s));

	if (!s)
		return ENOMEM;
	s->first_day = first;
	s->ndays = ndays;
	s->offered = calloc(ndays * SLOTS, sizeof(double));
	s->aht_sum = calloc(ndays * SLOTS, sizeof(double));
	s->aht_weight = calloc(ndays * SLOTS, sizeof(double));
	if (!s->offered || !s->aht_sum || !s->aht_weight) {
		forecast_series_free(s);
		return ENOMEM;
	}
	*sp = s;
	return 0;
}

int forecast_series_build(struct forecast_series **sp,
			  const struct forecast_history *h, uint32_t queue,
			  char *msg, size_t size)
{
	int64_t lo = INT64_MAX, hi;
	struct forecast_series *s;
	size_t first, end;
	int err;

	if (!sp || !h || queue >= h->nqueues || !h->queue_rows)
		return EINVAL;
	first = h->queue_rows[queue];
	end = h->queue_rows[queue + 1];
	hi = h->last_day;
	for (size_t i = first; i < end; i++)
		lo = h->rows[i].day < lo ? h->rows[i].day : lo;
	if (lo > hi || hi - lo >= FORECAST_MAX_SPAN) {
		say_err(msg, size, 0,
			"the history of queue %s spans more than %d days",
			h->queues[queue], FORECAST_MAX_SPAN);
		return EINVAL;
	}
	err = series_alloc(&s, lo, (size_t)(hi - lo + 1));
	if (err)
		return err;
	for (size_t i = first; i < end; i++) {
		const struct forecast_row *r = &h->rows[i];
		size_t k = (size_t)(r->day - lo) * SLOTS + r->slot;

		s->offered[k] += r->offered;
		if (!isnan(r->aht_s)) {
			s->aht_sum[k] += r->offered * r->aht_s;
			s->aht_weight[k] += r->offered;
		}
	}
	*sp = s;
	return 0;
}

static double day_total(const struct forecast_series *s, size_t d)
{
	double sum = 0;

	for (size_t k = 0; k < SLOTS; k++)
		sum += s->offered[d * SLOTS + k];
	return sum;
}

/* ---- measures --------------------------------------------------------- */

double forecast_sse(const double *actual, const double *pred, size_t n)
{
	double sse = 0;

	for (size_t i = 0; i < n; i++)
		sse += (actual[i] - pred[i]) * (actual[i] - pred[i]);
	return sse;
}

double forecast_rmse(const double *actual, const double *pred, size_t n)
{
	return n ? sqrt(forecast_sse(actual, pred, n) / (double)n) : NAN;
}

double forecast_mape(const double *actual, const double *pred, size_t n)
{
	double sum = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (actual[i] == 0)
			continue;
		sum += fabs(actual[i] - pred[i]) / fabs(actual[i]);
		k++;
	}
	return k ? sum / (double)k : NAN;
}

double forecast_wape(const double *actual, const double *pred, size_t n)
{
	double err = 0, base = 0;

	for (size_t i = 0; i < n; i++) {
		err += fabs(actual[i] - pred[i]);
		base += fabs(actual[i]);
	}
	return base > 0 ? err / base : NAN;
}

int forecast_weekday(int64_t day)
{
	return (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 is a Thursday */
}

/* ---- profiles --------------------------------------------------------- */

void forecast_profile(const struct forecast_series *s, size_t ndays,
		      const bool *special, double profile[WEEK][SLOTS])
{
	double all[SLOTS] = {0}, total;
	size_t count[WEEK] = {0}, nall = 0;
	int w;

	memset(profile, 0, sizeof(double) * WEEK * SLOTS);
	for (size_t d = 0; d < ndays; d++) {
		total = day_total(s, d);
		if ((special && special[d]) || total <= 0)
			continue;
		w = forecast_weekday(s->first_day + (int64_t)d);
		for (size_t k = 0; k < SLOTS; k++) {
			profile[w][k] += s->offered[d * SLOTS + k] / total;
			all[k] += s->offered[d * SLOTS + k] / total;
		}
		count[w]++;
		nall++;
	}
	for (w = 0; w < WEEK; w++) {
		for (size_t k = 0; k < SLOTS; k++) {
			if (count[w])
				profile[w][k] /= (double)count[w];
			else
				profile[w][k] = nall ? all[k] / (double)nall
						     : 1.0 / SLOTS;
		}
	}
}

static void aht_table(const struct forecast_series *s, double aht[WEEK][SLOTS])
{
	double sum[WEEK][SLOTS] = {{0}}, weight[WEEK][SLOTS] = {{0}};

	for (size_t d = 0; d < s->ndays; d++) {
		int w = forecast_weekday(s->first_day + (int64_t)d);

		for (size_t k = 0; k < SLOTS; k++) {
			sum[w][k] += s->aht_sum[d * SLOTS + k];
			weight[w][k] += s->aht_weight[d * SLOTS + k];
		}
	}
	for (int w = 0; w < WEEK; w++) {
		for (size_t k = 0; k < SLOTS; k++)
			aht[w][k] = weight[w][k] > 0 ? sum[w][k] / weight[w][k]
						     : NAN;
	}
}

/* ---- special days ----------------------------------------------------- */

static const struct forecast_special *special_of(const struct forecast_opts *o,
						 int64_t day)
{
	for (size_t i = 0; i < o->nspecial; i++) {
		if (o->special[i].day == day)
			return &o->special[i];
	}
	return NULL;
}

static double factor_of(const struct forecast_opts *o, int64_t day,
			double learnt)
{
	const struct forecast_special *sp = special_of(o, day);

	if (!sp)
		return 1;
	return isnan(sp->factor) ? learnt : sp->factor;
}

/* Mean actual ÷ one-step forecast over the special days of the fit. */
static void learn_factor(const struct hw *hw, const double *y,
			 const bool *special, double *factor, size_t *days)
{
	double sum = 0;
	size_t k = 0;

	for (size_t t = hw->period; t < hw->n; t++) {
		if (!special[t] || !(hw->fitted[t] > 0))
			continue;
		sum += y[t] / hw->fitted[t];
		k++;
	}
	*factor = k ? sum / (double)k : 1;
	*days = k;
}

/* ---- the fit ---------------------------------------------------------- */

/* A model of the first ndays days of s, with its special-day factor. */
struct part {
	size_t ndays;
	double *y;
	bool *special;
	struct hw *hw;
	double factor;
	size_t factor_days;
};

static void part_free(struct part *p)
{
	free(p->y);
	free(p->special);
	holtwinters_free(p->hw);
	memset(p, 0, sizeof(*p));
}

static int check_days(const struct forecast_series *s, const struct part *p,
		      const struct forecast_opts *o, char *msg, size_t size)
{
	int y, m, d;

	if (o->seasonal != HW_MULTIPLICATIVE)
		return 0;
	for (size_t t = 0; t < p->ndays; t++) {
		if (p->y[t] > 0 || p->special[t])
			continue;
		tz_civil_from_days(s->first_day + (int64_t)t, &y, &m, &d);
		say_err(msg, size, 0,
			"%04d-%02d-%02d has no contacts: the multiplicative "
			"model "
			"needs every ordinary day above zero (use the additive "
			"model, or list the day as special)",
			y, m, d);
		return EINVAL;
	}
	return 0;
}

static int fit_part(struct part *p, const struct forecast_series *s,
		    size_t ndays, const struct forecast_opts *o, char *msg,
		    size_t size)
{
	struct hw_opts ho = {.seasonal = o->seasonal,
			     .period = WEEK,
			     .progress = o->progress,
			     .arg = o->arg};
	int err;

	memset(p, 0, sizeof(*p));
	p->ndays = ndays;
	p->y = malloc(ndays * sizeof(*p->y));
	p->special = malloc(ndays * sizeof(*p->special));
	if (!p->y || !p->special) {
		part_free(p);
		return ENOMEM;
	}
	for (size_t t = 0; t < ndays; t++) {
		p->y[t] = day_total(s, t);
		p->special[t] = special_of(o, s->first_day + (int64_t)t);
	}
	ho.special = p->special;
	err = check_days(s, p, o, msg, size);
	if (!err)
		err = holtwinters_fit(&p->hw, p->y, ndays, &ho, msg, size);
	if (err) {
		part_free(p);
		return err;
	}
	learn_factor(p->hw, p->y, p->special, &p->factor, &p->factor_days);
	return 0;
}

/* Daily forecasts for the days after the part, then their intervals. */
static void predict(const struct part *p, int64_t first, int days,
		    const struct forecast_opts *o,
		    const double profile[WEEK][SLOTS], double *daily,
		    double *interval)
{
	for (int h = 1; h <= days; h++) {
		int64_t day = first + h - 1;
		double v = fmax(0, holtwinters_forecast(p->hw, (size_t)h));
		int w = forecast_weekday(day);

		daily[h - 1] = v * factor_of(o, day, p->factor);
		for (size_t k = 0; k < SLOTS; k++)
			interval[(size_t)(h - 1) * SLOTS + k] =
				daily[h - 1] * profile[w][k];
	}
}

/* Forecasts the last FORECAST_HOLDOUT days from the days before them. */
static int holdout(struct forecast *f, const struct forecast_series *s,
		   const struct forecast_opts *o, char *msg, size_t size)
{
	size_t train = s->ndays - FORECAST_HOLDOUT, nslots;
	double(*profile)[SLOTS], *daily, *interval, actual[FORECAST_HOLDOUT];
	struct part p;
	int err;

	profile = malloc(sizeof(double) * WEEK * SLOTS);
	daily = malloc(sizeof(double) * FORECAST_HOLDOUT * (1 + SLOTS));
	if (!profile || !daily) {
		err = ENOMEM;
		goto out;
	}
	interval = daily + FORECAST_HOLDOUT;
	err = fit_part(&p, s, train, o, msg, size);
	if (err)
		goto out;
	forecast_profile(s, train, p.special, profile);
	predict(&p, s->first_day + (int64_t)train, FORECAST_HOLDOUT, o,
		(const double(*)[SLOTS])profile, daily, interval);
	for (size_t d = 0; d < FORECAST_HOLDOUT; d++)
		actual[d] = day_total(s, train + d);
	nslots = FORECAST_HOLDOUT * SLOTS;
	f->mape = forecast_mape(actual, daily, FORECAST_HOLDOUT);
	f->wape = forecast_wape(actual, daily, FORECAST_HOLDOUT);
	f->interval_wape =
		forecast_wape(s->offered + train * SLOTS, interval, nslots);
	f->holdout = true;
	part_free(&p);
out:
	free(profile);
	free(daily);
	return err;
}

static int check_opts(const struct forecast_series *s,
		      const struct forecast_opts *o, char *msg, size_t size)
{
	if (o->days < 1 || o->days > FORECAST_MAX_HORIZON) {
		say_err(msg, size, 0, "the horizon must be 1 to %d days",
			FORECAST_MAX_HORIZON);
		return EINVAL;
	}
	for (size_t i = 0; i < o->nspecial; i++) {
		if (o->special[i].factor < 0) {
			say_err(msg, size, 0,
				"a special-day factor is negative");
			return EINVAL;
		}
	}
	if (s->ndays < 2 * WEEK) {
		say_err(msg, size, 0,
			"%zu days of history: the forecast needs at least %d "
			"(two weeks)",
			s->ndays, 2 * WEEK);
		return EINVAL;
	}
	return 0;
}

static int forecast_alloc(struct forecast **fp, int days)
{
	struct forecast *f = calloc(1, sizeof(*f));

	if (!f)
		return ENOMEM;
	f->days = days;
	f->daily = calloc((size_t)days, sizeof(double));
	f->interval = calloc((size_t)days * SLOTS, sizeof(double));
	if (!f->daily || !f->interval) {
		forecast_free(f);
		return ENOMEM;
	}
	f->mape = f->wape = f->interval_wape = NAN;
	*fp = f;
	return 0;
}

int forecast_run(struct forecast **fp, const struct forecast_series *s,
		 const struct forecast_opts *o, char *msg, size_t size)
{
	struct forecast *f = NULL;
	struct part p = {0};
	int err;

	if (!fp || !s || !o)
		return EINVAL;
	err = check_opts(s, o, msg, size);
	if (!err)
		err = forecast_alloc(&f, o->days);
	if (!err && s->ndays >= 2 * WEEK + FORECAST_HOLDOUT)
		err = holdout(f, s, o, msg, size);
	if (!err)
		err = fit_part(&p, s, s->ndays, o, msg, size);
	if (err)
		goto out;
	forecast_profile(s, s->ndays, p.special, f->profile);
	aht_table(s, f->aht);
	f->first_day = s->first_day + (int64_t)s->ndays;
	predict(&p, f->first_day, o->days, o,
		(const double(*)[SLOTS])f->profile, f->daily, f->interval);
	f->rmse = p.hw->fitted_days
			  ? sqrt(p.hw->sse / (double)p.hw->fitted_days)
			  : NAN;
	f->factor = p.factor;
	f->factor_days = p.factor_days;
	f->model = p.hw;
	p.hw = NULL;
	*fp = f;
out:
	part_free(&p);
	if (err)
		forecast_free(f);
	return err;
}

void forecast_free(struct forecast *f)
{
	if (!f)
		return;
	holtwinters_free(f->model);
	free(f->daily);
	free(f->interval);
	free(f);
}
