/*
 * report: the reports' figures (see report.h for what each one means).
 * report_query.c reads the rows of the period through indexes; the
 * grouping, business time and percentiles are done here on the period's
 * rows only, so the cost follows the size of the period, never of the
 * whole history.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "error.h"
#include "report.h"
#include "report_query.h"
#include "sla.h"
#include "task.h"
#include "xmalloc.h"

#define REPORT_NONE	"(none)"
#define REPORT_NOAGENT	"(unassigned)"

/* One request as the report sees it. */
struct report_rec {
	char	*label;
	int	 order;		/* sorts before label: weekdays, "(none)" last */
	bool	 cohort;	/* opened in the period */
	bool	 in_rows;	/* counted in a group row (else only the total) */
	bool	 open_now;	/* backlog */
	time_t	 created;
	bool	 resolved;
	bool	 reopened;
	bool	 answered;
	long	 first_wall, first_business;
	long	 res_wall, res_business;
	int	 sla_first, sla_res;	/* 0 met, 1 breached, 2 running */
	long	 customer_msgs, agent_replies;
	int	 rating;	/* 0: none */
	/* what the figures are worked out from once the pauses are known */
	int64_t			 id;
	time_t			 first_at, resolved_at, end;
	time_t			 first_due, res_due;	/* running, stored */
	bool			 first_marked, res_marked;
	const struct sla_policy	*policy;
	time_t			 paused_since;	/* pending; 0: not */
	long			 paused_wall, paused_business;
	/*
	 * The policy's resolution clock, run pause by pause (report_res_clock):
	 * at clock_at it still had clock_left seconds to go; clock_due once
	 * it reached the target (clock_left < 0: no target or no due time).
	 */
	time_t			 clock_at, clock_due;
	long			 clock_left;
};

struct report_recs {
	struct report_rec	*v;
	size_t			 n, cap;
};

/* What the rows of report_query.c are turned into records with. */
struct report_reader {
	struct report_recs	*rs;
	const struct config	*cfg;
	const struct calendar	*cal;
	enum report_by		 by;
	time_t			 from, to, now;
};

/* The load view being filled. */
struct report_loader {
	struct report_load	*out;
	size_t			 cap;
	const struct calendar	*cal;
};

static const char *const report_by_names[] = {
	"none", "agent", "category", "company", "priority", "day", "hour",
	"weekday"
};
static const char *const report_weekdays[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

static enum report_query_group report_group(enum report_by);
static void	report_local(const struct calendar *, time_t, struct tm *);
static time_t	report_midnight(const struct calendar *, int y, int m, int d);
static void	report_label(struct report_rec *, enum report_by,
		    const struct calendar *, const char *text);
static void	report_cohort_rec(const struct report_query_request *,
		    void *reader);
static void	report_status_rec(int64_t ticket, time_t at,
		    const char *detail, void *reader);
static void	report_pause_add(struct report_rec *, const struct calendar *,
		    time_t from, time_t to);
static void	report_cohort_figures(struct report_rec *,
		    const struct calendar *, time_t now);
static void	report_res_clock(struct report_rec *, time_t, time_t);
static time_t	report_due(const struct sla_policy *, enum sla_target,
		    time_t start);
static int	report_sla_state(bool done, time_t done_at, time_t due,
		    bool marked, time_t now);
static void	report_backlog_rec(time_t created_at, const char *group,
		    void *reader);
static void	report_load_agent(const struct report_query_load *,
		    void *loader);
static void	report_load_opened(time_t created_at, void *loader);
static struct report_rec *report_recs_add(struct report_recs *);
static int	report_rec_cmp(const void *, const void *);
static int	report_id_cmp(const void *, const void *);
static int	report_long_cmp(const void *, const void *);
static void	report_sla_add(struct report_sla *, int state);
static void	report_aggregate(const struct report_rec *, size_t n,
		    time_t now, bool rows_only, struct report_row *);
static void	report_stats(long *v, size_t n, struct report_durations *);

int
report_by_parse(const char *name, enum report_by *out)
{
	size_t i;

	for (i = 0; i < sizeof(report_by_names) / sizeof(*report_by_names);
	    i++) {
		if (strcmp(name, report_by_names[i]) == 0) {
			*out = (enum report_by)i;
			return 0;
		}
	}
	return -1;
}

const char *
report_by_name(enum report_by by)
{
	return report_by_names[by];
}

int
report_sla_percent(const struct report_sla *s)
{
	long n = s->met + s->breached;

	if (n == 0)
		return -1;
	return (int)(s->met * 100 / n);
}

static void
report_local(const struct calendar *cal, time_t t, struct tm *tm)
{
	if (cal != NULL)
		calendar_localtime(cal, t, tm);
	else
		gmtime_r(&t, tm);
}

/*
 * Local midnight of y-m-d (normalised like mktime): the UTC midnight
 * moved by the zone's offset, checked again at the result because a DST
 * change may lie in between.
 */
static time_t
report_midnight(const struct calendar *cal, int y, int m, int d)
{
	struct tm tm;
	time_t t0, t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t0 = timegm(&tm);
	report_local(cal, t0, &tm);
	t = t0 - tm.tm_gmtoff;
	report_local(cal, t, &tm);
	return t0 - tm.tm_gmtoff;
}

time_t
report_day_start(const struct calendar *cal, time_t t)
{
	struct tm tm;

	report_local(cal, t, &tm);
	return report_midnight(cal, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
}

int
report_date(const char *date, const struct calendar *cal, time_t *out)
{
	int y, m, d, used = 0;

	if (sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 ||
	    used != 10 || date[used] != '\0' || y < 1970 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return -1;
	*out = report_midnight(cal, y, m, d);
	return 0;
}

int
report_period(const char *name, const struct calendar *cal, time_t now,
    time_t *from, time_t *to)
{
	struct tm tm;
	int y, m, d;

	report_local(cal, now, &tm);
	y = tm.tm_year + 1900;
	m = tm.tm_mon + 1;
	d = tm.tm_mday;
	if (strcmp(name, "week") == 0)
		d -= (tm.tm_wday + 6) % 7;
	else if (strcmp(name, "month") == 0)
		d = 1;
	else if (strcmp(name, "today") != 0)
		return -1;
	*from = report_midnight(cal, y, m, d);
	*to = now + 1;
	return 0;
}

/* The column of the group (none for the groups by time). */
const char *
report_time_text(const struct calendar *cal, time_t t, char *out,
    size_t size)
{
	struct tm tm;

	report_local(cal, t, &tm);
	if (strftime(out, size, "%Y-%m-%d %H:%M", &tm) == 0 && size > 0)
		out[0] = '\0';
	return out;
}

const char *
report_zone_name(const struct calendar *cal)
{
	return cal != NULL ? calendar_tz_name(cal) : "UTC";
}

const char *
report_business_text(long s, char *out, size_t size)
{
	if (s >= 3600)
		snprintf(out, size, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, size, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(out, size, "%lds", s);
	return out;
}

static enum report_query_group
report_group(enum report_by by)
{
	switch (by) {
	case REPORT_BY_AGENT:
		return REPORT_QUERY_AGENT;
	case REPORT_BY_CATEGORY:
		return REPORT_QUERY_CATEGORY;
	case REPORT_BY_COMPANY:
		return REPORT_QUERY_COMPANY;
	case REPORT_BY_PRIORITY:
		return REPORT_QUERY_PRIORITY;
	default:
		return REPORT_QUERY_NONE;
	}
}

static void
report_label(struct report_rec *r, enum report_by by,
    const struct calendar *cal, const char *text)
{
	struct tm tm;
	char s[32];

	r->order = 0;
	switch (by) {
	case REPORT_BY_NONE:
		r->label = xstrdup("total");
		return;
	case REPORT_BY_DAY:
	case REPORT_BY_HOUR:
	case REPORT_BY_WEEKDAY:
		report_local(cal, r->created, &tm);
		if (by == REPORT_BY_DAY)
			strftime(s, sizeof(s), "%Y-%m-%d", &tm);
		else if (by == REPORT_BY_HOUR)
			snprintf(s, sizeof(s), "%02d", tm.tm_hour);
		else {
			r->order = (tm.tm_wday + 6) % 7;
			snprintf(s, sizeof(s), "%s", report_weekdays[r->order]);
		}
		r->label = xstrdup(s);
		return;
	default:
		if (text == NULL || *text == '\0') {
			r->label = xstrdup(by == REPORT_BY_AGENT ?
			    REPORT_NOAGENT : REPORT_NONE);
			r->order = 1;
		} else
			r->label = xstrdup(text);
		return;
	}
}

static struct report_rec *
report_recs_add(struct report_recs *rs)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 256;
		rs->v = xreallocarray(rs->v, rs->cap, sizeof(*rs->v));
	}
	memset(&rs->v[rs->n], 0, sizeof(rs->v[0]));
	return &rs->v[rs->n++];
}

/*
 * A request of the period, with its message counts and breach marks; its
 * durations wait for its pauses (report_status_rec), then
 * report_cohort_figures.
 */
static void
report_cohort_rec(const struct report_query_request *q, void *reader)
{
	const struct report_reader *rd = reader;
	struct report_rec *r = report_recs_add(rd->rs);

	r->cohort = r->in_rows = true;
	r->id = q->id;
	r->created = q->created_at;
	report_label(r, rd->by, rd->cal, q->group);
	r->resolved = q->resolved_at != 0 && q->status != NULL &&
	    (strcmp(q->status, "resolved") == 0 ||
	    strcmp(q->status, "closed") == 0);
	r->answered = q->first_response_at != 0;
	r->reopened = q->reopen_count > 0;
	r->rating = q->rating >= 1 && q->rating <= 5 ? q->rating : 0;
	r->customer_msgs = (long)q->customer_messages;
	r->agent_replies = (long)q->agent_replies;
	r->first_at = q->first_response_at;
	r->resolved_at = q->resolved_at;
	/* the pauses that count end with the resolution, or now */
	r->end = r->resolved ? q->resolved_at : rd->now;
	if (r->end < r->created)
		r->end = r->created;
	r->first_due = q->first_response_due;
	r->res_due = q->resolution_due;
	r->first_marked = q->first_breached;
	r->res_marked = q->resolution_breached;
	r->policy = rd->cfg == NULL ? NULL : config_sla_policy_for(rd->cfg,
	    q->sla_policy, q->priority);
	r->clock_at = r->created;
	r->clock_left = r->policy == NULL ||
	    r->policy->target[SLA_RESOLUTION] <= 0 ? -1 :
	    r->policy->target[SLA_RESOLUTION];
}

/*
 * A status change of a request of the period (cohort records are sorted
 * by id): entering pending starts a pause, any change out of pending
 * (an answer from the customer, a resolution, a close) ends it.
 */
static void
report_status_rec(int64_t ticket, time_t at, const char *detail,
    void *reader)
{
	const struct report_reader *rd = reader;
	struct report_rec key, *r;
	const char *arrow, *to;
	bool from_pending, to_pending;

	key.id = ticket;
	if (detail == NULL || (arrow = strstr(detail, " -> ")) == NULL ||
	    (r = bsearch(&key, rd->rs->v, rd->rs->n, sizeof(*r),
	    report_id_cmp)) == NULL)
		return;
	to = arrow + 4;
	from_pending = (size_t)(arrow - detail) == strlen("pending") &&
	    strncmp(detail, "pending", strlen("pending")) == 0;
	to_pending = strcmp(to, "pending") == 0;
	if (to_pending && r->paused_since == 0)
		r->paused_since = at;
	else if (from_pending && !to_pending && r->paused_since != 0) {
		report_pause_add(r, rd->cal, r->paused_since, at);
		r->paused_since = 0;
	}
}

/*
 * Adds the pause [from, to), cut to the request's life up to its end, in
 * each clock: wall, the report's business time, and the policy's
 * resolution clock (pauses come in time order).
 */
static void
report_pause_add(struct report_rec *r, const struct calendar *cal,
    time_t from, time_t to)
{
	if (from < r->created)
		from = r->created;
	if (to > r->end)
		to = r->end;
	if (to <= from)
		return;
	r->paused_wall += (long)(to - from);
	r->paused_business += cal == NULL ? (long)(to - from) :
	    calendar_business_between(cal, from, to);
	report_res_clock(r, from, to);
}

/*
 * Runs the policy's resolution clock up to a pause [from, to) and stops
 * it there; (0, 0) runs it to the target.  The due time is the first
 * instant the clock reaches the target: a pause that starts at or after
 * it does not move it (the request was late before it waited), which is
 * also when the SLA timer writes its breach mark.
 */
static void
report_res_clock(struct report_rec *r, time_t from, time_t to)
{
	const struct calendar *pcal;
	struct error err;
	time_t due;

	if (r->clock_due != 0 || r->clock_left < 0)
		return;
	pcal = r->policy->calendar;
	due = pcal == NULL ? r->clock_at + r->clock_left :
	    calendar_add_business(pcal, r->clock_at, r->clock_left, &err);
	if (due == CALENDAR_NEVER) {
		r->clock_left = -1;
		return;
	}
	if (to == 0 || due <= from) {
		r->clock_due = due;
		return;
	}
	r->clock_left -= pcal == NULL ? (long)(from - r->clock_at) :
	    calendar_business_between(pcal, r->clock_at, from);
	r->clock_at = to;
}

/*
 * The durations and SLA states of a cohort record whose pauses are
 * known (see report.h): each pause is taken off in the clock it is
 * measured in, and an answer after its due time is a breach whatever
 * marks exist.  With a policy the due times are those it gives (the
 * resolution's moved by the pauses); without one, the running deadline
 * stored on the row.
 */
static void
report_cohort_figures(struct report_rec *r, const struct calendar *cal,
    time_t now)
{
	time_t fdue = r->first_due, rdue = r->res_due;

	if (r->paused_since != 0) {
		report_pause_add(r, cal, r->paused_since, r->end);
		r->paused_since = 0;
	}
	if (r->answered) {
		r->first_wall = r->first_at > r->created ?
		    (long)(r->first_at - r->created) : 0;
		r->first_business = cal == NULL ? r->first_wall :
		    calendar_business_between(cal, r->created, r->first_at);
	}
	if (r->resolved) {
		r->res_wall = r->resolved_at > r->created ?
		    (long)(r->resolved_at - r->created) - r->paused_wall : 0;
		r->res_business = cal == NULL ? r->res_wall :
		    calendar_business_between(cal, r->created,
		    r->resolved_at) - r->paused_business;
		if (r->res_wall < 0)
			r->res_wall = 0;
		if (r->res_business < 0)
			r->res_business = 0;
	}
	if (r->policy != NULL) {
		fdue = report_due(r->policy, SLA_FIRST_RESPONSE, r->created);
		report_res_clock(r, 0, 0);
		rdue = r->clock_due;
	}
	r->sla_first = report_sla_state(r->answered, r->first_at, fdue,
	    r->first_marked, now);
	r->sla_res = report_sla_state(r->resolved, r->resolved_at, rdue,
	    r->res_marked, now);
}

/* The due time of target under p for a clock started at start; 0: none. */
static time_t
report_due(const struct sla_policy *p, enum sla_target target, time_t start)
{
	struct error err;
	time_t t;

	if (p->target[target] <= 0)
		return 0;
	if (p->calendar == NULL)
		return start + p->target[target];
	t = calendar_add_business(p->calendar, start, p->target[target], &err);
	return t == CALENDAR_NEVER ? 0 : t;
}

/* 0 met, 1 breached, 2 still running (see report.h); due 0: none. */
static int
report_sla_state(bool done, time_t done_at, time_t due, bool marked,
    time_t now)
{
	if (marked)
		return 1;
	if (done)
		return due != 0 && done_at > due ? 1 : 0;
	return due != 0 && due <= now ? 1 : 2;
}

/* A request open now, for the backlog and its age. */
static void
report_backlog_rec(time_t created_at, const char *group, void *reader)
{
	const struct report_reader *rd = reader;
	struct report_rec *r = report_recs_add(rd->rs);
	bool by_time = rd->by == REPORT_BY_DAY || rd->by == REPORT_BY_HOUR ||
	    rd->by == REPORT_BY_WEEKDAY;

	r->open_now = true;
	r->created = created_at;
	/* a row per day of old requests would drown the period's */
	r->in_rows = !by_time ||
	    (created_at >= rd->from && created_at < rd->to);
	report_label(r, rd->by, rd->cal, group);
}

static int
report_rec_cmp(const void *a, const void *b)
{
	const struct report_rec *x = a, *y = b;

	if (x->in_rows != y->in_rows)
		return x->in_rows ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->label, y->label);
}

static int
report_id_cmp(const void *a, const void *b)
{
	const struct report_rec *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
report_long_cmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static void
report_stats(long *v, size_t n, struct report_durations *d)
{
	long long sum = 0;
	size_t i;

	memset(d, 0, sizeof(*d));
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), report_long_cmp);
	for (i = 0; i < n; i++)
		sum += v[i];
	d->n = (long)n;
	d->avg = (long)(sum / (long long)n);
	d->median = n % 2 ? v[n / 2] :
	    (long)(((long long)v[n / 2 - 1] + v[n / 2]) / 2);
	d->p90 = v[(9 * n + 9) / 10 - 1];
	d->max = v[n - 1];
}

static void
report_sla_add(struct report_sla *s, int state)
{
	if (state == 0)
		s->met++;
	else if (state == 1)
		s->breached++;
	else
		s->running++;
}

/* The figures of n records (all one group, or all for the total). */
static void
report_aggregate(const struct report_rec *v, size_t n, time_t now,
    bool rows_only, struct report_row *row)
{
	long *fw, *fb, *rw, *rb;	/* first response, resolution */
	size_t i, nf = 0, nr = 0;
	long long age = 0, rating = 0;

	fw = xcalloc(n + 1, sizeof(*fw));
	fb = xcalloc(n + 1, sizeof(*fb));
	rw = xcalloc(n + 1, sizeof(*rw));
	rb = xcalloc(n + 1, sizeof(*rb));
	for (i = 0; i < n; i++) {
		const struct report_rec *r = &v[i];

		if (rows_only && !r->in_rows)
			continue;
		if (r->open_now) {
			long a = r->created < now ? (long)(now - r->created) : 0;

			row->backlog++;
			age += a;
			if (a > row->backlog_age_max)
				row->backlog_age_max = a;
		}
		if (!r->cohort)
			continue;
		row->opened++;
		row->resolved += r->resolved;
		row->reopened += r->reopened;
		if (r->answered) {
			fw[nf] = r->first_wall;
			fb[nf++] = r->first_business;
		}
		if (r->resolved) {
			rw[nr] = r->res_wall;
			rb[nr++] = r->res_business;
		}
		report_sla_add(&row->sla_first, r->sla_first);
		report_sla_add(&row->sla_resolution, r->sla_res);
		row->customer_messages += r->customer_msgs;
		row->agent_replies += r->agent_replies;
		if (r->rating != 0) {
			row->rated++;
			rating += r->rating;
		}
	}
	report_stats(fw, nf, &row->first_wall);
	report_stats(fb, nf, &row->first_business);
	report_stats(rw, nr, &row->resolution_wall);
	report_stats(rb, nr, &row->resolution_business);
	if (row->backlog > 0)
		row->backlog_age_avg = (long)(age / row->backlog);
	if (row->rated > 0)
		row->rating_avg = (double)rating / (double)row->rated;
	free(fw);
	free(fb);
	free(rw);
	free(rb);
}

/* The task figures of the report (the top of report.h). */
static int
report_tasks(struct store *st, time_t from, time_t to, time_t now,
    struct report *out, struct error *err)
{
	int64_t done, on_time, overdue;

	if (task_done_counts(st, from, to, &done, &on_time, err) == -1 ||
	    task_overdue_count(st, 0, now, &overdue, err) == -1)
		return -1;
	out->tasks_done = (long)done;
	out->tasks_on_time = (long)on_time;
	out->tasks_overdue = (long)overdue;
	return 0;
}

int
report_tasks_percent(const struct report *r)
{
	if (r->tasks_done == 0)
		return -1;
	return (int)(r->tasks_on_time * 100 / r->tasks_done);
}

int
report_build(struct store *st, const struct config *cfg,
    const struct calendar *cal, time_t from, time_t to, enum report_by by,
    time_t now, struct report *out, struct error *err)
{
	struct report_recs rs = { NULL, 0, 0 };
	struct report_reader rd = { &rs, cfg, cal, by, from, to, now };
	size_t i, start;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->from = from;
	out->to = to;
	out->now = now;
	out->by = by;
	out->total.group = xstrdup("total");
	/* cohort rows come by id: the status changes find theirs by bsearch */
	if (report_query_cohort(st, report_group(by), from, to,
	    report_cohort_rec, &rd, err) == -1 ||
	    report_query_statuses(st, from, to, report_status_rec, &rd,
	    err) == -1)
		goto done;
	for (i = 0; i < rs.n; i++)
		report_cohort_figures(&rs.v[i], cal, now);
	if (report_query_backlog(st, report_group(by), report_backlog_rec, &rd,
	    err) == -1)
		goto done;
	if (report_tasks(st, from, to, now, out, err) == -1)
		goto done;
	if (rs.n > 0)
		qsort(rs.v, rs.n, sizeof(*rs.v), report_rec_cmp);
	report_aggregate(rs.v, rs.n, now, false, &out->total);
	if (by != REPORT_BY_NONE) {
		out->rows = xcalloc(rs.n + 1, sizeof(*out->rows));
		for (start = 0; start < rs.n && rs.v[start].in_rows;
		    start = i) {
			for (i = start + 1; i < rs.n && rs.v[i].in_rows &&
			    report_rec_cmp(&rs.v[start], &rs.v[i]) == 0; i++)
				;
			out->rows[out->nrows].group =
			    xstrdup(rs.v[start].label);
			report_aggregate(&rs.v[start], i - start, now, true,
			    &out->rows[out->nrows++]);
		}
	}
	ret = 0;
done:
	for (i = 0; i < rs.n; i++)
		free(rs.v[i].label);
	free(rs.v);
	if (ret == -1)
		report_free(out);
	return ret;
}

void
report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->nrows; i++)
		free(r->rows[i].group);
	free(r->rows);
	free(r->total.group);
	memset(r, 0, sizeof(*r));
}

/* The open requests per agent, then the arrivals per weekday and hour. */
int
report_load_build(struct store *st, const struct calendar *cal, time_t from,
    time_t to, time_t now, struct report_load *out, struct error *err)
{
	struct report_loader ld = { out, 0, cal };

	memset(out, 0, sizeof(*out));
	if (report_query_load(st, now, report_load_agent, &ld, err) == -1 ||
	    report_query_opened(st, from, to, report_load_opened, &ld,
	    err) == -1) {
		report_load_free(out);
		return -1;
	}
	return 0;
}

static void
report_load_agent(const struct report_query_load *l, void *loader)
{
	struct report_loader *ld = loader;
	struct report_load *out = ld->out;
	struct report_load_agent *a;

	if (out->nagents == ld->cap) {
		ld->cap = ld->cap ? ld->cap * 2 : 16;
		out->agents = xreallocarray(out->agents, ld->cap,
		    sizeof(*out->agents));
	}
	a = &out->agents[out->nagents++];
	a->agent = xstrdup(l->agent != NULL ? l->agent : REPORT_NOAGENT);
	a->open = (long)l->open;
	a->overdue = (long)l->overdue;
	a->due_soon = (long)l->due_soon;
}

static void
report_load_opened(time_t created_at, void *loader)
{
	struct report_loader *ld = loader;
	struct tm tm;

	report_local(ld->cal, created_at, &tm);
	ld->out->opened[(tm.tm_wday + 6) % 7][tm.tm_hour]++;
}

void
report_load_free(struct report_load *l)
{
	size_t i;

	for (i = 0; i < l->nagents; i++)
		free(l->agents[i].agent);
	free(l->agents);
	memset(l, 0, sizeof(*l));
}
