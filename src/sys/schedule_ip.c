/*
 * schedule_ip — the shift-selection integer program with GLPK. See
 * schedule_ip.h for the model.
 *
 * The matrix is built column by column (a pattern touches its working
 * slots, the start slots it keeps its agent busy or resting for, and its
 * site's two totals), kept for a rounding heuristic and handed to GLPK.
 * The LP relaxation is solved with the dual simplex (the all-slack basis
 * is dual feasible: every cost is >= 0), then branch and bound runs with
 * a callback that (1) at the root offers the heuristic's solution, so
 * that a time limit always leaves a schedule, and (2) reports progress.
 *
 * Heuristic: round the LP down, then add shifts greedily by gain (the
 * penalty of the missing agent-slots they fill, minus their cost) while
 * the site rows allow. Gains only fall as coverage grows, so a lazy
 * max-heap re-evaluates few candidates.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glpk.h>

#include "sys/schedule_ip.h"

struct model {
	const struct schedule_problem *p;
	struct schedule_shift *pat;
	size_t npat;
	int nrows, ncols; /* rows 1..nrows; columns 0..ncols-1 here */
	char *cover;	  /* [row]: 1 coverage (>= lim), 0 capacity (<=) */
	double *lim;	  /* [row] */
	size_t *beg;	  /* [col + 1]: entries of a column */
	int *row;
	double *val;
	size_t nnz, cap;
	double *obj, *ub; /* [col]; ub INFINITY: none */
	double under_cost;
};

static void model_free(struct model *m)
{
	free(m->cover);
	free(m->lim);
	free(m->beg);
	free(m->row);
	free(m->val);
	free(m->obj);
	free(m->ub);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int add_row(struct model *m, bool cover, double lim)
{
	m->nrows++;
	m->cover[m->nrows] = cover;
	m->lim[m->nrows] = lim;
	return m->nrows;
}

static int add_entry(struct model *m, int row, double val)
{
	if (m->nnz == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 4096;
		int *r = realloc(m->row, cap * sizeof(*r));
		double *v;

		if (!r)
			return ENOMEM;
		m->row = r;
		v = realloc(m->val, cap * sizeof(*v));
		if (!v)
			return ENOMEM;
		m->val = v;
		m->cap = cap;
	}
	m->row[m->nnz] = row;
	m->val[m->nnz++] = val;
	return 0;
}

/*
 * Row numbers: coverage of (group, slot) where agents are required, then
 * per site the start slots its shifts use, then its two totals.
 */
struct rows {
	int *cov;	  /* [group * slots + slot], 0: no row */
	int *rest;	  /* [site * slots + slot] */
	int *days, *week; /* [site] */
};

static int number_rows(struct model *m, struct rows *r)
{
	const struct schedule_problem *p = m->p;
	int slots = schedule_slots(p), ns = p->nsites > 0 ? p->nsites : 1;
	size_t most = (size_t)(p->ngroups + ns) * slots + 2 * ns + 1;

	r->cov = calloc((size_t)p->ngroups * slots, sizeof(int));
	r->rest = calloc((size_t)ns * slots, sizeof(int));
	r->days = calloc(ns, sizeof(int));
	r->week = calloc(ns, sizeof(int));
	m->cover = calloc(most, 1);
	m->lim = calloc(most, sizeof(double));
	if (!r->cov || !r->rest || !r->days || !r->week || !m->cover || !m->lim)
		return ENOMEM;
	for (int k = 0; k < p->ngroups * slots; k++)
		if (p->required[k] > 0)
			r->cov[k] = add_row(m, true, p->required[k]);
	for (size_t j = 0; j < m->npat; j++)
		r->rest[m->pat[j].site * slots + m->pat[j].start] = -1;
	for (int s = 0; s < p->nsites; s++) {
		const struct schedule_site *site = &p->sites[s];
		int days = site->rules.max_days < p->days ? site->rules.max_days
							  : p->days;
		double hours = site->agents * (site->rules.max_week_min / 60.0);

		for (int t = 0; t < slots; t++)
			if (r->rest[s * slots + t])
				r->rest[s * slots + t] =
					add_row(m, false, site->agents);
		if (site->max_hours > 0 && site->max_hours < hours)
			hours = site->max_hours;
		r->days[s] = add_row(m, false, (double)site->agents * days);
		r->week[s] = add_row(m, false, hours);
	}
	return 0;
}

static int pattern_column(struct model *m, const struct rows *r, size_t j)
{
	const struct schedule_problem *p = m->p;
	const struct schedule_shift *s = &m->pat[j];
	const struct schedule_site *site = &p->sites[s->site];
	int slots = schedule_slots(p), err = 0;
	int rest = (site->rules.min_rest_min + SCHEDULE_SLOT_MIN - 1) /
		   SCHEDULE_SLOT_MIN;
	int busy_end = s->start + s->len + rest;

	m->beg[j] = m->nnz;
	for (int t = s->start; !err && t < s->start + s->len; t++) {
		int row = r->cov[s->group * slots + t];

		if (row && schedule_works(s, t))
			err = add_entry(m, row, 1);
	}
	for (int t = s->start; !err && t < busy_end; t++) {
		int at = t < slots ? t : t - slots; /* cyclic week */

		if ((t < slots || p->days == SCHEDULE_MAX_DAYS) &&
		    r->rest[s->site * slots + at] > 0)
			err = add_entry(m, r->rest[s->site * slots + at], 1);
	}
	if (!err)
		err = add_entry(m, r->days[s->site], 1);
	if (!err)
		err = add_entry(m, r->week[s->site],
				schedule_work_min(s) / 60.0);
	m->obj[j] = schedule_shift_cost(p, s);
	m->ub[j] = INFINITY;
	return err;
}

static int build(struct model *m)
{
	struct rows r = {0};
	int err = number_rows(m, &r), col;

	m->ncols = (int)m->npat;
	for (int i = 1; i <= m->nrows; i++)
		m->ncols += m->cover[i];
	m->beg = calloc((size_t)m->ncols + 1, sizeof(*m->beg));
	m->obj = calloc((size_t)m->ncols + 1, sizeof(double));
	m->ub = calloc((size_t)m->ncols + 1, sizeof(double));
	if (!err && (!m->beg || !m->obj || !m->ub))
		err = ENOMEM;
	for (size_t j = 0; !err && j < m->npat; j++)
		err = pattern_column(m, &r, j);
	col = (int)m->npat;
	for (int i = 1; !err && i <= m->nrows; i++) {
		if (!m->cover[i])
			continue;
		m->beg[col] = m->nnz;
		m->obj[col] = m->under_cost;
		m->ub[col++] = m->lim[i];
		err = add_entry(m, i, 1);
	}
	if (!err)
		m->beg[m->ncols] = m->nnz;
	free(r.cov);
	free(r.rest);
	free(r.days);
	free(r.week);
	return err;
}

/* ---- the rounding heuristic ---- */

struct cand {
	double gain;
	int col;
};

struct heap {
	struct cand *v;
	size_t n;
};

static void heap_push(struct heap *h, struct cand c)
{
	size_t i = h->n++;

	while (i && h->v[(i - 1) / 2].gain < c.gain) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = c;
}

static struct cand heap_pop(struct heap *h)
{
	struct cand top = h->v[0], last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1].gain > h->v[c].gain)
			c++;
		if (h->v[c].gain <= last.gain)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/* What one more shift of column j would save; -INFINITY: no room. */
static double gain(const struct model *m, const double *act, int j)
{
	double g = -m->obj[j];

	for (size_t k = m->beg[j]; k < m->beg[j + 1]; k++) {
		int i = m->row[k];

		if (!m->cover[i] && act[i] + m->val[k] > m->lim[i] + 1e-9)
			return -INFINITY;
		if (m->cover[i] && act[i] < m->lim[i] - 1e-9)
			g += m->under_cost;
	}
	return g;
}

static void add_col(const struct model *m, double *act, int j, double times)
{
	for (size_t k = m->beg[j]; k < m->beg[j + 1]; k++)
		act[m->row[k]] += m->val[k] * times;
}

static bool fits_capacity(const struct model *m, const double *act)
{
	for (int i = 1; i <= m->nrows; i++)
		if (!m->cover[i] && act[i] > m->lim[i] + 1e-9)
			return false;
	return true;
}

/* The under-coverage columns follow the coverage that x leaves. */
static void set_under(const struct model *m, const double *act, double *x)
{
	int col = (int)m->npat;

	for (int i = 1; i <= m->nrows; i++)
		if (m->cover[i])
			x[col++] = fmax(0, m->lim[i] - act[i]);
}

/* Adds shifts by gain while one gains; the lazy heap re-checks the top. */
static int fill(const struct model *m, double *act, double *x)
{
	struct heap h = {malloc((m->npat ? m->npat : 1) * sizeof(*h.v)), 0};

	if (!h.v)
		return ENOMEM;
	for (size_t j = 0; j < m->npat; j++) {
		struct cand c = {gain(m, act, (int)j), (int)j};

		if (c.gain > 0)
			heap_push(&h, c);
	}
	while (h.n) {
		struct cand c = heap_pop(&h);

		c.gain = gain(m, act, c.col);
		if (c.gain <= 0)
			continue;
		if (h.n && c.gain < h.v[0].gain) {
			heap_push(&h, c);
			continue;
		}
		x[c.col] += 1;
		add_col(m, act, c.col, 1);
		heap_push(&h, c);
	}
	free(h.v);
	return 0;
}

/* The penalty one shift fewer of column j would add. */
static double loss(const struct model *m, const double *act, int j)
{
	double l = 0;

	for (size_t k = m->beg[j]; k < m->beg[j + 1]; k++)
		if (m->cover[m->row[k]] &&
		    act[m->row[k]] - 1 < m->lim[m->row[k]] - 1e-9)
			l += m->under_cost;
	return l;
}

static int by_cost_desc(const void *a, const void *b, void *arg)
{
	const struct model *m = arg;
	double x = m->obj[*(const int *)a], y = m->obj[*(const int *)b];

	return x > y ? -1 : x < y;
}

/* Removes shifts, dearest first, while their cost exceeds the loss. */
static int prune(const struct model *m, double *act, double *x)
{
	int *order = malloc((m->npat ? m->npat : 1) * sizeof(int)), n = 0;

	if (!order)
		return ENOMEM;
	for (size_t j = 0; j < m->npat; j++)
		if (x[j] > 0)
			order[n++] = (int)j;
	qsort_r(order, n, sizeof(int), by_cost_desc, (void *)m);
	for (int k = 0; k < n; k++) {
		int j = order[k];

		while (x[j] >= 1 && loss(m, act, j) < m->obj[j]) {
			x[j] -= 1;
			add_col(m, act, j, -1);
		}
	}
	free(order);
	return 0;
}

/*
 * Rounds lp (the patterns' relaxed values; NULL: all zero) down or up,
 * restarts from zero if that breaks a site row, fills, prunes. x gets
 * every column and *z the objective.
 */
static int round_lp(const struct model *m, const double *lp, bool up, double *x,
		    double *act, double *z)
{
	int err;

	memset(act, 0, ((size_t)m->nrows + 1) * sizeof(double));
	for (size_t j = 0; j < m->npat; j++) {
		double v = lp ? (up ? ceil(lp[j] - 1e-6) : floor(lp[j] + 1e-6))
			      : 0;

		x[j] = fmax(0, v);
		add_col(m, act, (int)j, x[j]);
	}
	if (!fits_capacity(m, act)) {
		memset(act, 0, ((size_t)m->nrows + 1) * sizeof(double));
		memset(x, 0, m->npat * sizeof(double));
	}
	err = fill(m, act, x);
	if (!err)
		err = prune(m, act, x);
	set_under(m, act, x);
	*z = 0;
	for (int j = 0; j < m->ncols; j++)
		*z += m->obj[j] * x[j];
	return err;
}

/*
 * x[0..ncols-1] gets the better of rounding lp down and up, *z its
 * objective. Returns ENOMEM or 0.
 */
static int heuristic(const struct model *m, const double *lp, double *x,
		     double *z)
{
	double *act = malloc(((size_t)m->nrows + 1) * sizeof(double));
	double *up = malloc(((size_t)m->ncols + 1) * sizeof(double)), zu;
	int err = ENOMEM;

	if (act && up)
		err = round_lp(m, lp, false, x, act, z);
	if (!err && lp)
		err = round_lp(m, lp, true, up, act, &zu);
	if (!err && lp && zu < *z) {
		memcpy(x, up, (size_t)m->ncols * sizeof(double));
		*z = zu;
	}
	free(act);
	free(up);
	return err;
}

/* ---- GLPK ---- */

struct run {
	const struct model *m;
	const struct schedule_ip_opts *o;
	double t0, next_report;
	double incumbent, bound;
	int nodes;
	double *x;	 /* [ncols + 1], 1-based as GLPK: the best rounding */
	double *last;	 /* [ncols + 1]: the last rounding */
	double xobj;	 /* objective of x; INFINITY: none yet */
	bool warm;	 /* x is a starting solution still to offer GLPK */
	long heur_calls; /* times the rounding was asked for */
	int err;
};

static glp_prob *load(const struct model *m)
{
	glp_prob *lp = glp_create_prob();
	int *ia = malloc((m->nnz + 1) * sizeof(int));
	int *ja = malloc((m->nnz + 1) * sizeof(int));
	double *ar = malloc((m->nnz + 1) * sizeof(double));

	if (!ia || !ja || !ar) {
		glp_delete_prob(lp);
		lp = NULL;
		goto out;
	}
	glp_set_obj_dir(lp, GLP_MIN);
	glp_add_rows(lp, m->nrows);
	glp_add_cols(lp, m->ncols);
	for (int i = 1; i <= m->nrows; i++)
		glp_set_row_bnds(lp, i, m->cover[i] ? GLP_LO : GLP_UP,
				 m->cover[i] ? m->lim[i] : 0,
				 m->cover[i] ? 0 : m->lim[i]);
	for (int j = 0; j < m->ncols; j++) {
		glp_set_obj_coef(lp, j + 1, m->obj[j]);
		if (isinf(m->ub[j]))
			glp_set_col_bnds(lp, j + 1, GLP_LO, 0, 0);
		else
			glp_set_col_bnds(lp, j + 1, GLP_DB, 0, m->ub[j]);
		if ((size_t)j < m->npat)
			glp_set_col_kind(lp, j + 1, GLP_IV);
		for (size_t k = m->beg[j]; k < m->beg[j + 1]; k++) {
			ia[k + 1] = m->row[k];
			ja[k + 1] = j + 1;
			ar[k + 1] = m->val[k];
		}
	}
	glp_load_matrix(lp, (int)m->nnz, ia, ja, ar);
out:
	free(ia);
	free(ja);
	free(ar);
	return lp;
}

/*
 * Rounds the current LP values of the patterns (lp NULL: from zero) into
 * r->last, kept in r->x when it is the best rounding so far.
 */
static int make_heur(struct run *r, glp_prob *lp)
{
	const struct model *m = r->m;
	double *v = malloc((m->npat ? m->npat : 1) * sizeof(double)), z;
	int err;

	if (!v)
		return ENOMEM;
	for (size_t j = 0; lp && j < m->npat; j++)
		v[j] = glp_get_col_prim(lp, (int)j + 1);
	err = heuristic(m, lp ? v : NULL, r->last + 1, &z);
	if (!err && z < r->xobj) {
		memcpy(r->x, r->last, ((size_t)m->ncols + 1) * sizeof(double));
		r->xobj = z;
	}
	free(v);
	return err;
}

static void report(struct run *r)
{
	struct schedule_ip_progress pr;
	double t = now_s(), every = r->o->progress_s > 0 ? r->o->progress_s : 1;

	if (!r->o->progress || t < r->next_report)
		return;
	r->next_report = t + every;
	pr.elapsed_s = t - r->t0;
	pr.incumbent = r->incumbent;
	pr.bound = r->bound;
	pr.gap = isnan(r->incumbent) || isnan(r->bound)
			 ? NAN
			 : fmax(0, r->incumbent - r->bound) /
				   (fabs(r->incumbent) + 1e-9);
	pr.nodes = r->nodes;
	r->o->progress(&pr, r->o->arg);
}

static void on_tree(glp_tree *tree, void *info)
{
	struct run *r = info;
	glp_prob *lp = glp_ios_get_prob(tree);
	int a, n, total, best;

	if (glp_ios_reason(tree) == GLP_IHEUR && r->warm) {
		glp_ios_heur_sol(tree, r->x);
		r->warm = false;
	}
	/* every node at first, then one in four: the rounding costs a
	 * tenth of a node's LP and finds most of its gains early */
	if (glp_ios_reason(tree) == GLP_IHEUR && !r->err &&
	    (r->heur_calls++ < 32 || r->heur_calls % 4 == 0)) {
		r->err = make_heur(r, lp);
		if (!r->err)
			glp_ios_heur_sol(tree, r->last);
	}
	glp_ios_tree_size(tree, &a, &n, &total);
	r->nodes = total;
	if (glp_mip_status(lp) == GLP_FEAS || glp_mip_status(lp) == GLP_OPT)
		r->incumbent = glp_mip_obj_val(lp);
	best = glp_ios_best_node(tree);
	if (best)
		r->bound = glp_ios_node_bound(tree, best);
	report(r);
}

static int remaining_ms(const struct run *r)
{
	double left;

	if (r->o->time_limit_s <= 0)
		return 0x7fffffff;
	left = r->o->time_limit_s - (now_s() - r->t0);
	return left < 0.001 ? 1 : (int)fmin(left * 1000, 0x7fffffff);
}

/* Pattern counts and the result from the 1-based solution x. */
static void take_solution(const struct model *m, const double *x,
			  struct schedule_ip_result *res)
{
	res->cost = res->penalty = 0;
	for (size_t j = 0; j < m->npat; j++) {
		m->pat[j].count = (int)lround(x[j + 1]);
		res->cost += m->obj[j] * m->pat[j].count;
	}
	for (int j = (int)m->npat; j < m->ncols; j++)
		res->penalty += m->obj[j] * x[j + 1];
	res->objective = res->cost + res->penalty;
}

static int run_glpk(struct run *r, glp_prob *lp, struct schedule_ip_result *res,
		    char *msg, size_t size)
{
	const struct model *m = r->m;
	glp_smcp sm;
	glp_iocp io;
	int ret;

	glp_init_smcp(&sm);
	sm.msg_lev = GLP_MSG_OFF;
	sm.meth = GLP_DUALP;
	sm.tm_lim = remaining_ms(r);
	ret = glp_simplex(lp, &sm);
	if (ret == GLP_ETMLIM) {
		res->status = SCHEDULE_IP_TIME_LIMIT;
		return make_heur(r, lp);
	}
	if (ret || glp_get_status(lp) != GLP_OPT) {
		snprintf(msg, size, "GLPK simplex failed (code %d, status %d)",
			 ret, glp_get_status(lp));
		return EIO;
	}
	r->bound = glp_get_obj_val(lp);
	glp_init_iocp(&io);
	io.msg_lev = GLP_MSG_OFF;
	io.br_tech = GLP_BR_MFV;
	io.cb_func = on_tree;
	io.cb_info = r;
	io.tm_lim = remaining_ms(r);
	io.mip_gap = r->o->mip_gap;
	ret = glp_intopt(lp, &io);
	if (r->err)
		return r->err;
	if (ret && ret != GLP_ETMLIM && ret != GLP_EMIPGAP) {
		snprintf(msg, size, "GLPK branch and bound failed (code %d)",
			 ret);
		return EIO;
	}
	res->status = ret == GLP_ETMLIM	   ? SCHEDULE_IP_TIME_LIMIT
		      : ret == GLP_EMIPGAP ? SCHEDULE_IP_GAP
					   : SCHEDULE_IP_OPTIMAL;
	if (glp_mip_status(lp) == GLP_OPT || glp_mip_status(lp) == GLP_FEAS) {
		for (int j = 1; j <= m->ncols; j++)
			r->x[j] = glp_mip_col_val(lp, j);
		res->heuristic = false;
		return 0;
	}
	return make_heur(r, lp);
}

static void finish(struct run *r, struct schedule_ip_result *res)
{
	take_solution(r->m, r->x, res);
	if (res->status == SCHEDULE_IP_OPTIMAL)
		res->bound = res->objective;
	else
		res->bound =
			isnan(r->bound) ? NAN : fmin(r->bound, res->objective);
	res->gap = isnan(res->bound) ? NAN
				     : fmax(0, res->objective - res->bound) /
					       (fabs(res->objective) + 1e-9);
	res->nodes = r->nodes;
	res->rows = r->m->nrows;
	res->cols = r->m->ncols;
}

/* A known schedule (counts per pattern) as the first solution, if valid. */
static int warm_start(struct run *r, const int *warm)
{
	const struct model *m = r->m;
	double *act = calloc((size_t)m->nrows + 1, sizeof(double));

	if (!act)
		return ENOMEM;
	for (size_t j = 0; j < m->npat; j++) {
		r->x[j + 1] = warm[j];
		add_col(m, act, (int)j, warm[j]);
	}
	if (fits_capacity(m, act)) {
		set_under(m, act, r->x + 1);
		r->xobj = 0;
		for (int j = 0; j < m->ncols; j++)
			r->xobj += m->obj[j] * r->x[j + 1];
		r->warm = true;
	}
	free(act);
	return 0;
}

static int solve_model(struct model *m, const struct schedule_ip_opts *o,
		       const int *warm, struct schedule_ip_result *res,
		       char *msg, size_t size)
{
	struct run r = {.m = m,
			.o = o,
			.incumbent = NAN,
			.bound = NAN,
			.xobj = INFINITY};
	glp_prob *lp = NULL;
	int err = 0;

	r.t0 = now_s();
	r.next_report = r.t0 + (o->progress_s > 0 ? o->progress_s : 1);
	r.x = calloc((size_t)m->ncols + 1, sizeof(double));
	r.last = calloc((size_t)m->ncols + 1, sizeof(double));
	res->heuristic = true;
	if (!r.x || !r.last)
		err = ENOMEM;
	else if (warm && (err = warm_start(&r, warm)))
		;
	else if (!m->npat || m->ncols == (int)m->npat)
		err = make_heur(&r, NULL); /* nothing to choose or to cover */
	else if (!(lp = load(m)))
		err = ENOMEM;
	else
		err = run_glpk(&r, lp, res, msg, size);
	if (!err) {
		res->solve_s = now_s() - r.t0;
		finish(&r, res);
	} else if (err == ENOMEM) {
		snprintf(msg, size, "out of memory");
	}
	if (lp)
		glp_delete_prob(lp);
	free(r.x);
	free(r.last);
	return err;
}

/* schedule_ip_solve, from a known schedule (counts per pattern) or NULL. */
static int solve(const struct schedule_problem *p, struct schedule_shift *pat,
		 size_t n, const struct schedule_ip_opts *o, const int *warm,
		 struct schedule_ip_result *res, char *msg, size_t size)
{
	struct model m = {.p = p, .pat = pat, .npat = n};
	int err = schedule_problem_check(p, msg, size);

	memset(res, 0, sizeof(*res));
	if (err)
		return err;
	for (size_t j = 0; j < n; j++) {
		if (pat[j].site < 0 || pat[j].site >= p->nsites ||
		    pat[j].group < 0 || pat[j].group >= p->ngroups) {
			snprintf(msg, size,
				 "pattern %zu: no such site or group", j);
			return EINVAL;
		}
		pat[j].count = 0;
	}
	m.under_cost = schedule_under_cost_slot(p);
	err = build(&m);
	if (err)
		snprintf(msg, size, "out of memory");
	else
		err = solve_model(&m, o, warm, res, msg, size);
	model_free(&m);
	return err;
}

int schedule_ip_solve(const struct schedule_problem *p,
		      struct schedule_shift *pat, size_t n,
		      const struct schedule_ip_opts *o,
		      struct schedule_ip_result *res, char *msg, size_t size)
{
	return solve(p, pat, n, o, NULL, res, msg, size);
}

/* ---- the program and the roster together ------------------------------ */

/* What a roster costs: its shifts, and the penalty of what they miss. */
static double roster_cost(const struct schedule_problem *p,
			  const struct schedule_roster *ro, int *cov)
{
	size_t cells = (size_t)p->ngroups * schedule_slots(p);
	double z = 0;

	memset(cov, 0, cells * sizeof(*cov));
	for (size_t k = 0; k < ro->n; k++) {
		if (ro->agent[k] < 0)
			continue;
		schedule_coverage(p, &ro->shift[k], 1, cov);
		z += schedule_shift_cost(p, &ro->shift[k]);
	}
	for (size_t i = 0; i < cells; i++)
		if (cov[i] < p->required[i])
			z += schedule_under_cost_slot(p) *
			     (p->required[i] - cov[i]);
	return z;
}

/* The patterns' counts less the shifts the roster could not give. */
static void rostered_counts(const struct schedule_shift *pat, size_t n,
			    const struct schedule_roster *ro, int *warm)
{
	for (size_t j = 0; j < n; j++)
		warm[j] = pat[j].count;
	for (size_t k = 0; k < ro->n; k++) {
		const struct schedule_shift *s = &ro->shift[k];

		for (size_t j = 0; ro->agent[k] < 0 && j < n; j++) {
			if (warm[j] > 0 && pat[j].site == s->site &&
			    pat[j].group == s->group &&
			    pat[j].start == s->start && pat[j].len == s->len &&
			    pat[j].brk == s->brk) {
				warm[j]--;
				break;
			}
		}
	}
}

/* Sites with unassigned shifts keep the hours they could roster. */
static void budget(const struct schedule_roster *ro,
		   struct schedule_site *sites, int nsites)
{
	for (int s = 0; s < nsites; s++) {
		double hours = 0;
		bool short_of_agents = false;

		for (size_t k = 0; k < ro->n; k++) {
			if (ro->shift[k].site != s)
				continue;
			if (ro->agent[k] < 0)
				short_of_agents = true;
			else
				hours +=
					schedule_work_min(&ro->shift[k]) / 60.0;
		}
		if (short_of_agents)
			sites[s].max_hours = hours > 0 ? hours : 1e-6;
	}
}

int schedule_ip_plan(const struct schedule_problem *p,
		     struct schedule_shift *pat, size_t n,
		     const struct schedule_ip_opts *o,
		     struct schedule_ip_result *res,
		     struct schedule_roster *roster, char *msg, size_t size)
{
	struct schedule_site *sites =
		malloc((p->nsites ? p->nsites : 1) * sizeof(*sites));
	int *cov = malloc(((size_t)p->ngroups * schedule_slots(p) + 1) *
			  sizeof(int));
	int *counts = malloc((n ? n : 1) * sizeof(int));
	int *warm = malloc((n ? n : 1) * sizeof(int));
	struct schedule_problem q = *p;
	double best = INFINITY, t0 = now_s();
	int err = 0;

	memset(roster, 0, sizeof(*roster));
	if (!sites || !cov || !counts || !warm) {
		snprintf(msg, size, "out of memory");
		err = ENOMEM;
		goto out;
	}
	memcpy(sites, p->sites, p->nsites * sizeof(*sites));
	q.sites = sites;
	for (int round = 1; !err && round <= SCHEDULE_IP_ROUNDS; round++) {
		struct schedule_ip_result r;
		struct schedule_roster ro;
		size_t left;
		double z;

		err = solve(&q, pat, n, o, round > 1 ? warm : NULL, &r, msg,
			    size);
		if (!err && (err = schedule_roster(p, pat, n, &ro)))
			snprintf(msg, size, "out of memory");
		if (err)
			break;
		z = roster_cost(p, &ro, cov);
		left = ro.unassigned;
		if (left) {
			budget(&ro, sites, p->nsites);
			rostered_counts(pat, n, &ro, warm);
		}
		if (z < best) {
			best = z;
			schedule_roster_free(roster);
			*roster = ro;
			*res = r;
			for (size_t j = 0; j < n; j++)
				counts[j] = pat[j].count;
		} else {
			schedule_roster_free(&ro);
		}
		res->rounds = round;
		res->total_s = now_s() - t0;
		if (!left)
			break;
	}
	for (size_t j = 0; !err && j < n; j++)
		pat[j].count = counts[j];
	if (err)
		schedule_roster_free(roster);
out:
	free(sites);
	free(cov);
	free(counts);
	free(warm);
	return err;
}
