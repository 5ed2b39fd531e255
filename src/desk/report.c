/*
 * report: the reports' figures (see report.h for what each one means).
 * SQL selects the rows of the period through indexes (tickets by
 * created_at, the open ones by status, messages by ticket and direction,
 * breach marks by ticket); the grouping, business time and percentiles
 * are done here on the period's rows only, so the cost follows the size
 * of the period, never of the whole history.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "calendar.h"
#include "error.h"
#include "report.h"
#include "store.h"
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
};

struct report_recs {
	struct report_rec	*v;
	size_t			 n, cap;
};

static const char *const report_by_names[] = {
	"none", "agent", "category", "company", "priority", "day", "hour",
	"weekday"
};
static const char *const report_weekdays[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"
};

static const char *report_group_sql(enum report_by);
static void	report_local(const struct calendar *, time_t, struct tm *);
static time_t	report_midnight(const struct calendar *, int y, int m, int d);
static void	report_label(struct report_rec *, enum report_by,
		    const struct calendar *, const unsigned char *text);
static int	report_cohort(struct store *, const struct calendar *,
		    time_t from, time_t to, enum report_by, time_t now,
		    struct report_recs *, struct error *);
static void	report_cohort_rec(sqlite3_stmt *, const struct calendar *,
		    time_t now, struct report_rec *);
static int	report_sla_state(bool done, time_t done_at, sqlite3_stmt *,
		    int due_col, int mark_col, time_t now);
static int	report_backlog(struct store *, const struct calendar *,
		    time_t from, time_t to, enum report_by,
		    struct report_recs *, struct error *);
static struct report_rec *report_recs_add(struct report_recs *);
static int	report_rec_cmp(const void *, const void *);
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

static const char *
report_group_sql(enum report_by by)
{
	switch (by) {
	case REPORT_BY_AGENT:
		return "t.assignee";
	case REPORT_BY_CATEGORY:
		return "t.category";
	case REPORT_BY_COMPANY:
		return "COALESCE(t.company, (SELECT c.company FROM customers c"
		    " WHERE c.id = t.customer_id))";
	case REPORT_BY_PRIORITY:
		return "t.priority";
	default:
		return "NULL";
	}
}

static void
report_label(struct report_rec *r, enum report_by by,
    const struct calendar *cal, const unsigned char *text)
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
			r->label = xstrdup((const char *)text);
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
 * The period's requests, with their message counts and breach marks read
 * through indexes (messages_direction and the sla_marks key).
 */
static int
report_cohort(struct store *st, const struct calendar *cal, time_t from,
    time_t to, enum report_by by, time_t now, struct report_recs *rs,
    struct error *err)
{
	char *sql;
	sqlite3_stmt *stmt;
	struct report_rec *r;
	int rc;

	xasprintf(&sql, "SELECT t.created_at, %s, t.status, t.resolved_at,"
	    " t.first_response_at, t.reopen_count, t.paused_secs,"
	    " t.first_response_due, t.resolution_due, t.rating,"
	    " EXISTS (SELECT 1 FROM sla_marks s WHERE s.ticket_id = t.id"
	    "  AND s.target = 'first_response' AND s.stage = 'breach'),"
	    " EXISTS (SELECT 1 FROM sla_marks s WHERE s.ticket_id = t.id"
	    "  AND s.target = 'resolution' AND s.stage = 'breach'),"
	    " (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id"
	    "  AND m.direction = 'in'),"
	    " (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id"
	    "  AND m.direction = 'out')"
	    " FROM tickets t WHERE t.created_at >= ? AND t.created_at < ?"
	    " AND t.hidden = 0 AND t.merged_into IS NULL",
	    report_group_sql(by));
	rc = sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return store_error(st, "report", err);
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r = report_recs_add(rs);
		r->cohort = r->in_rows = true;
		r->created = (time_t)sqlite3_column_int64(stmt, 0);
		report_label(r, by, cal, sqlite3_column_text(stmt, 1));
		report_cohort_rec(stmt, cal, now, r);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_error(st, "report", err);
	return 0;
}

static void
report_cohort_rec(sqlite3_stmt *stmt, const struct calendar *cal,
    time_t now, struct report_rec *r)
{
	const char *status = (const char *)sqlite3_column_text(stmt, 2);
	time_t resolved_at = (time_t)sqlite3_column_int64(stmt, 3);
	time_t first_at = (time_t)sqlite3_column_int64(stmt, 4);
	long paused = (long)sqlite3_column_int64(stmt, 6);

	r->resolved = sqlite3_column_type(stmt, 3) != SQLITE_NULL &&
	    status != NULL && (strcmp(status, "resolved") == 0 ||
	    strcmp(status, "closed") == 0);
	r->answered = sqlite3_column_type(stmt, 4) != SQLITE_NULL;
	r->reopened = sqlite3_column_int64(stmt, 5) > 0;
	r->rating = sqlite3_column_int(stmt, 9);
	if (r->rating < 1 || r->rating > 5)
		r->rating = 0;
	r->customer_msgs = (long)sqlite3_column_int64(stmt, 12);
	r->agent_replies = (long)sqlite3_column_int64(stmt, 13);
	if (r->answered) {
		r->first_wall = first_at > r->created ?
		    (long)(first_at - r->created) : 0;
		r->first_business = cal == NULL ? r->first_wall :
		    calendar_business_between(cal, r->created, first_at);
	}
	if (r->resolved) {
		r->res_wall = resolved_at > r->created ?
		    (long)(resolved_at - r->created) - paused : 0;
		r->res_business = cal == NULL ? r->res_wall :
		    calendar_business_between(cal, r->created, resolved_at) -
		    paused;
		if (r->res_wall < 0)
			r->res_wall = 0;
		if (r->res_business < 0)
			r->res_business = 0;
	}
	r->sla_first = report_sla_state(r->answered, first_at, stmt, 7, 10,
	    now);
	r->sla_res = report_sla_state(r->resolved, resolved_at, stmt, 8, 11,
	    now);
}

/* 0 met, 1 breached, 2 still running (see report.h). */
static int
report_sla_state(bool done, time_t done_at, sqlite3_stmt *stmt, int due_col,
    int mark_col, time_t now)
{
	bool has_due = sqlite3_column_type(stmt, due_col) != SQLITE_NULL;
	time_t due = (time_t)sqlite3_column_int64(stmt, due_col);

	if (sqlite3_column_int(stmt, mark_col) != 0)
		return 1;
	if (done)
		return has_due && done_at > due ? 1 : 0;
	return has_due && due <= now ? 1 : 2;
}

/* Every request open now, for the backlog and its age. */
static int
report_backlog(struct store *st, const struct calendar *cal, time_t from,
    time_t to, enum report_by by, struct report_recs *rs, struct error *err)
{
	char *sql;
	sqlite3_stmt *stmt;
	struct report_rec *r;
	bool by_time = by == REPORT_BY_DAY || by == REPORT_BY_HOUR ||
	    by == REPORT_BY_WEEKDAY;
	int rc;

	xasprintf(&sql, "SELECT t.created_at, %s FROM tickets t"
	    " WHERE t.status IN ('new', 'open', 'pending')"
	    " AND t.hidden = 0 AND t.merged_into IS NULL",
	    report_group_sql(by));
	rc = sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return store_error(st, "report backlog", err);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r = report_recs_add(rs);
		r->open_now = true;
		r->created = (time_t)sqlite3_column_int64(stmt, 0);
		/* a row per day of old requests would drown the period's */
		r->in_rows = !by_time || (r->created >= from && r->created < to);
		report_label(r, by, cal, sqlite3_column_text(stmt, 1));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return store_error(st, "report backlog", err);
	return 0;
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

int
report_build(struct store *st, const struct calendar *cal, time_t from,
    time_t to, enum report_by by, time_t now, struct report *out,
    struct error *err)
{
	struct report_recs rs = { NULL, 0, 0 };
	size_t i, start;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->from = from;
	out->to = to;
	out->now = now;
	out->by = by;
	out->total.group = xstrdup("total");
	if (report_cohort(st, cal, from, to, by, now, &rs, err) == -1 ||
	    report_backlog(st, cal, from, to, by, &rs, err) == -1)
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

/*
 * The earliest running deadline of each open request decides overdue /
 * due soon; min() of several arguments is NULL if one is, hence the
 * COALESCE to "never".  The open requests are taken first through
 * tickets_status (MATERIALIZED): left to itself the planner walks the
 * whole assignee index for the GROUP BY.
 */
int
report_load_build(struct store *st, const struct calendar *cal, time_t from,
    time_t to, time_t now, struct report_load *out, struct error *err)
{
	static const char agents_sql[] = "WITH o AS MATERIALIZED"
	    " (SELECT assignee, min(COALESCE(first_response_due, ?2),"
	    "  COALESCE(next_response_due, ?2), COALESCE(resolution_due, ?2))"
	    "  AS d FROM tickets WHERE status IN ('new', 'open', 'pending')"
	    "  AND hidden = 0 AND merged_into IS NULL)"
	    " SELECT assignee, count(*), sum(d <= ?1),"
	    " sum(d > ?1 AND d <= ?1 + 3600) FROM o"
	    " GROUP BY assignee ORDER BY assignee IS NULL, assignee";
	static const char opened_sql[] = "SELECT created_at FROM tickets"
	    " WHERE created_at >= ? AND created_at < ? AND hidden = 0"
	    " AND merged_into IS NULL";
	sqlite3_stmt *stmt;
	struct report_load_agent *a;
	const unsigned char *name;
	struct tm tm;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((stmt = store_stmt(st, agents_sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, 2, INT64_MAX);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (out->nagents == cap) {
			cap = cap ? cap * 2 : 16;
			out->agents = xreallocarray(out->agents, cap,
			    sizeof(*out->agents));
		}
		a = &out->agents[out->nagents++];
		name = sqlite3_column_text(stmt, 0);
		a->agent = xstrdup(name != NULL ? (const char *)name :
		    REPORT_NOAGENT);
		a->open = (long)sqlite3_column_int64(stmt, 1);
		a->overdue = (long)sqlite3_column_int64(stmt, 2);
		a->due_soon = (long)sqlite3_column_int64(stmt, 3);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	if ((stmt = store_stmt(st, opened_sql, err)) == NULL)
		goto fail_err;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)to);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		report_local(cal, (time_t)sqlite3_column_int64(stmt, 0), &tm);
		out->opened[(tm.tm_wday + 6) % 7][tm.tm_hour]++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(stmt);
	return 0;
fail:
	(void)store_error(st, "load", err);
	sqlite3_reset(stmt);
fail_err:
	report_load_free(out);
	return -1;
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
