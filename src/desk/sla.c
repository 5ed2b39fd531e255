/*
 * sla: the deadlines of one request.  sla_compute is the whole rule, pure
 * so it is unit-tested on a fake clock; sla_update applies it to a row in
 * the caller's transaction, keeps the pause bookkeeping (paused_at,
 * paused_secs) and sets sla_check_at, the next instant the timer
 * (sla_timer.c) must look at the row: the earliest warning or deadline
 * not yet marked in sla_marks.  Mail and escalation live in sla_timer.c.
 *
 * The times a deadline depends on are read from the row and, where a
 * writer has not filled them, from the messages themselves (the first
 * and latest agent answer, the latest customer message), so a request
 * answered through any path gets the same deadlines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "calendar.h"
#include "config.h"
#include "error.h"
#include "pipeline.h"
#include "sla.h"
#include "store.h"
#include "xmalloc.h"

/* A request's row as sla_update needs it. */
struct sla_row {
	struct sla_state	 st;
	char			*status;
	char			*priority;
	char			*policy;
	bool			 hidden;
};

static const char *const sla_target_names[SLA_NTARGETS] = {
	"first_response", "next_response", "resolution"
};
static const char *const sla_target_labels[SLA_NTARGETS] = {
	"first response", "next response", "resolution"
};

static time_t	sla_add(const struct calendar *, time_t start, long secs);
static int	sla_row_load(struct store *, int64_t ticket, struct sla_row *,
		    struct error *err);
static void	sla_row_release(struct sla_row *);
static void	sla_pause(const struct sla_policy *, struct sla_row *,
		    time_t now);
static int	sla_check_at(struct store *, int64_t ticket,
		    const struct sla_deadlines *, time_t *at_out,
		    struct error *err);
static int	sla_store(struct store *, int64_t ticket,
		    const struct sla_deadlines *, time_t check_at,
		    const struct sla_row *, struct error *err);
static void	sla_bind_time(sqlite3_stmt *, int col, time_t t);

const char *
sla_target_name(enum sla_target t)
{
	return sla_target_names[t];
}

const char *
sla_target_label(enum sla_target t)
{
	return sla_target_labels[t];
}

/* A deadline that cannot be computed (no working time ever) is none. */
static time_t
sla_add(const struct calendar *cal, time_t start, long secs)
{
	struct error err;
	time_t t;

	if (cal == NULL)
		return start + secs;
	t = calendar_add_business(cal, start, secs, &err);
	return t == CALENDAR_NEVER ? 0 : t;
}

void
sla_compute(const struct sla_policy *p, const struct sla_state *st,
    struct sla_deadlines *out)
{
	const long *target = p->target;
	const struct calendar *cal = p->calendar;
	bool warn = p->warn_at > 0 && p->warn_at < 100;
	time_t start;
	long ahead;
	int i;

	memset(out, 0, sizeof(*out));
	if (st->status != NULL && (strcmp(st->status, "resolved") == 0 ||
	    strcmp(st->status, "closed") == 0))
		return;
	for (i = 0; i < SLA_NTARGETS; i++) {
		if (target[i] <= 0)
			continue;
		ahead = 0;
		switch (i) {
		case SLA_FIRST_RESPONSE:
			if (st->first_response_at != 0)
				continue;
			start = st->created_at;
			break;
		case SLA_NEXT_RESPONSE:
			/* restarted by each customer message after an answer */
			if (st->first_response_at == 0 ||
			    st->last_customer_at <= st->last_agent_at)
				continue;
			start = st->last_customer_at;
			break;
		default:
			/* the clock stops while the customer is awaited */
			if (st->paused_at != 0)
				continue;
			start = st->created_at;
			ahead = st->paused_secs;
			break;
		}
		out->start[i] = start;
		out->due[i] = sla_add(cal, start, target[i] + ahead);
		if (warn && target[i] * p->warn_at / 100 > 0)
			out->warn[i] = sla_add(cal, start,
			    target[i] * p->warn_at / 100 + ahead);
	}
}

int
sla_update(struct store *st, const struct config *c, int64_t ticket,
    time_t now, struct error *err)
{
	const struct sla_policy *p = NULL;
	struct sla_deadlines d;
	struct sla_row row;
	time_t check_at = 0;
	int rc = -1;

	if (sla_row_load(st, ticket, &row, err) == -1)
		return -1;
	if (!row.hidden)
		p = sla_policy_for(c, row.policy, row.priority);
	sla_pause(p, &row, now);
	memset(&d, 0, sizeof(d));
	if (p != NULL)
		sla_compute(p, &row.st, &d);
	if (sla_check_at(st, ticket, &d, &check_at, err) == 0)
		rc = sla_store(st, ticket, &d, check_at, &row, err);
	sla_row_release(&row);
	return rc;
}

/*
 * Pending stops the resolution clock; leaving pending adds the business
 * time it stood still (in the policy's calendar: a weekend spent waiting
 * costs nothing either way).  Resolved and closed end any pause.
 */
static void
sla_pause(const struct sla_policy *p, struct sla_row *row, time_t now)
{
	bool pending = strcmp(row->status, "pending") == 0;
	bool done = strcmp(row->status, "resolved") == 0 ||
	    strcmp(row->status, "closed") == 0;

	if (pending && row->st.paused_at == 0) {
		row->st.paused_at = now;
		return;
	}
	if (pending || row->st.paused_at == 0)
		return;
	if (!done && p != NULL)
		row->st.paused_secs += p->calendar != NULL ?
		    calendar_business_between(p->calendar, row->st.paused_at,
		    now) : now - row->st.paused_at;
	row->st.paused_at = 0;
}

static int
sla_row_load(struct store *st, int64_t ticket, struct sla_row *row,
    struct error *err)
{
	static const char sql[] = "SELECT t.status, t.priority, t.sla_policy,"
	    " t.hidden, t.created_at,"
	    " COALESCE(t.first_response_at, (SELECT min(m.created_at)"
	    "  FROM messages m WHERE m.ticket_id = t.id"
	    "  AND m.direction = 'out'), 0),"
	    " max(COALESCE(t.last_customer_at, 0), COALESCE((SELECT"
	    "  max(m.created_at) FROM messages m WHERE m.ticket_id = t.id"
	    "  AND m.direction = 'in' AND m.auto_reason IS NULL), 0)),"
	    " max(COALESCE(t.last_agent_at, 0), COALESCE((SELECT"
	    "  max(m.created_at) FROM messages m WHERE m.ticket_id = t.id"
	    "  AND m.direction = 'out'), 0)),"
	    " COALESCE(t.paused_at, 0), t.paused_secs"
	    " FROM tickets t WHERE t.id = ?";
	sqlite3_stmt *stmt;
	int rc;

	memset(row, 0, sizeof(*row));
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		if (rc == SQLITE_DONE)
			return error_set(err, ERR_PERM, "no request #%lld",
			    (long long)ticket);
		return store_error(st, "sla row", err);
	}
	row->status = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	row->priority = store_column_text(stmt, 1);
	row->policy = store_column_text(stmt, 2);
	row->hidden = sqlite3_column_int(stmt, 3) != 0;
	row->st.status = row->status;
	row->st.created_at = (time_t)sqlite3_column_int64(stmt, 4);
	row->st.first_response_at = (time_t)sqlite3_column_int64(stmt, 5);
	row->st.last_customer_at = (time_t)sqlite3_column_int64(stmt, 6);
	row->st.last_agent_at = (time_t)sqlite3_column_int64(stmt, 7);
	row->st.paused_at = (time_t)sqlite3_column_int64(stmt, 8);
	row->st.paused_secs = (long)sqlite3_column_int64(stmt, 9);
	sqlite3_reset(stmt);
	return 0;
}

static void
sla_row_release(struct sla_row *row)
{
	free(row->status);
	free(row->priority);
	free(row->policy);
}

/*
 * The earliest stage not yet marked: the warning while neither it nor
 * the breach is marked (a warning after the breach would be noise), else
 * the deadline while its breach is not marked.  0: nothing left.
 */
static int
sla_check_at(struct store *st, int64_t ticket, const struct sla_deadlines *d,
    time_t *at_out, struct error *err)
{
	bool warned, breached;
	time_t t;
	int i;

	*at_out = 0;
	for (i = 0; i < SLA_NTARGETS; i++) {
		if (d->due[i] == 0)
			continue;
		if (sla_stage_done(st, ticket, (enum sla_target)i,
		    d->start[i], "breach", &breached, err) == -1 ||
		    sla_stage_done(st, ticket, (enum sla_target)i,
		    d->start[i], "warning", &warned, err) == -1)
			return -1;
		if (breached)
			continue;
		t = d->warn[i] != 0 && !warned ? d->warn[i] : d->due[i];
		if (*at_out == 0 || t < *at_out)
			*at_out = t;
	}
	return 0;
}

int
sla_stage_done(struct store *st, int64_t ticket, enum sla_target target,
    time_t start, const char *stage, bool *out, struct error *err)
{
	static const char sql[] = "SELECT 1 FROM sla_marks WHERE"
	    " ticket_id = ? AND target = ? AND at >= ? AND stage = ?"
	    " LIMIT 1";
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	sqlite3_bind_text(stmt, 2, sla_target_names[target], -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)start);
	sqlite3_bind_text(stmt, 4, stage, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "sla marks", err);
	*out = rc == SQLITE_ROW;
	return 0;
}

static void
sla_bind_time(sqlite3_stmt *stmt, int col, time_t t)
{
	if (t != 0)
		sqlite3_bind_int64(stmt, col, (sqlite3_int64)t);
	else
		sqlite3_bind_null(stmt, col);
}

static int
sla_store(struct store *st, int64_t ticket, const struct sla_deadlines *d,
    time_t check_at, const struct sla_row *row, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET first_response_due = ?,"
	    " next_response_due = ?, resolution_due = ?, sla_check_at = ?,"
	    " paused_at = ?, paused_secs = ? WHERE id = ?";
	sqlite3_stmt *stmt;
	int i;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	for (i = 0; i < SLA_NTARGETS; i++)
		sla_bind_time(stmt, i + 1, d->due[i]);
	sla_bind_time(stmt, 4, check_at);
	sla_bind_time(stmt, 5, row->st.paused_at);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)row->st.paused_secs);
	sqlite3_bind_int64(stmt, 7, ticket);
	return store_step_done(st, stmt, err);
}

int
sla_deadlines(struct store *st, const struct config *c, int64_t ticket,
    const struct sla_policy **policy_out, struct sla_deadlines *out,
    struct error *err)
{
	struct sla_row row;

	memset(out, 0, sizeof(*out));
	*policy_out = NULL;
	if (sla_row_load(st, ticket, &row, err) == -1)
		return -1;
	if (!row.hidden)
		*policy_out = sla_policy_for(c, row.policy, row.priority);
	if (*policy_out != NULL)
		sla_compute(*policy_out, &row.st, out);
	sla_row_release(&row);
	return 0;
}

int
sla_recompute_some(struct store *st, const struct config *c, time_t now,
    int64_t *after, struct error *err)
{
	static const char sql[] = "SELECT id FROM tickets WHERE status IN"
	    " ('new', 'open', 'pending') AND hidden = 0 AND id > ?"
	    " ORDER BY id LIMIT ?";
	sqlite3_stmt *stmt;
	int64_t ids[SLA_RECOMPUTE_BATCH];
	size_t i, n = 0;
	int rc;

	/* ids first: sla_update reuses statements, so none stays open */
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, *after);
	sqlite3_bind_int(stmt, 2, SLA_RECOMPUTE_BATCH);
	while (n < SLA_RECOMPUTE_BATCH &&
	    (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(stmt, 0);
	if (n < SLA_RECOMPUTE_BATCH && rc != SQLITE_DONE) {
		sqlite3_reset(stmt);
		return store_error(st, "sla recompute", err);
	}
	sqlite3_reset(stmt);
	for (i = 0; i < n; i++) {
		if (sla_update(st, c, ids[i], now, err) == -1)
			return -1;
		*after = ids[i];
	}
	return (int)n;
}

int
sla_recompute_all(struct store *st, const struct config *c, time_t now,
    struct error *err)
{
	int64_t after = 0;
	int n;

	while ((n = sla_recompute_some(st, c, now, &after, err)) ==
	    SLA_RECOMPUTE_BATCH)
		;
	return n == -1 ? -1 : 0;
}

void
sla_format_left(time_t due, time_t now, char *buf, size_t len)
{
	long long d = (long long)due - (long long)now, a = d < 0 ? -d : d;
	char span[32];

	if (a >= 86400)
		(void)snprintf(span, sizeof(span), "%lldd%lldh", a / 86400,
		    a % 86400 / 3600);
	else if (a >= 3600)
		(void)snprintf(span, sizeof(span), "%lldh%02lldm", a / 3600,
		    a % 3600 / 60);
	else if (a >= 60)
		(void)snprintf(span, sizeof(span), "%lldm", a / 60);
	else
		(void)snprintf(span, sizeof(span), "%llds", a);
	(void)snprintf(buf, len, "%s %s", d < 0 ? "overdue by" : "due in",
	    span);
}

void
sla_format_time(const struct calendar *cal, time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (cal != NULL)
		calendar_localtime(cal, t, &tm);
	else
		(void)gmtime_r(&t, &tm);
	if (len == 0)
		return;
	if (strftime(buf, len, cal != NULL ? "%A %d %b %Y %H:%M %Z" :
	    "%A %d %b %Y %H:%M UTC", &tm) == 0)
		buf[0] = '\0';
}

int
sla_out_of_hours(struct store *st, struct pipeline_view *v,
    const struct calendar **cal_out, struct error *err)
{
	const struct sla_policy *p;
	const struct calendar *cal;
	struct sla_row row;
	struct error cerr;
	time_t starts;

	*cal_out = NULL;
	if (!v->new_ticket || v->hidden || v->skip_ack)
		return 0;
	if (sla_row_load(st, v->ticket_id, &row, err) == -1)
		return -1;
	p = sla_policy_for(v->cfg, row.policy, row.priority);
	sla_row_release(&row);
	cal = p != NULL ? p->calendar : sla_calendar(v->cfg, NULL);
	if (cal == NULL || calendar_is_open(cal, v->now))
		return 0;
	if ((starts = calendar_next_open(cal, v->now, &cerr)) ==
	    CALENDAR_NEVER)
		return 0;	/* never open: the usual acknowledgement */
	v->ack_kind = "out_of_hours";
	v->clock_starts = starts;
	*cal_out = cal;
	return 0;
}

int
sla_view_load(struct store *st, const struct config *c, int64_t ticket,
    struct sla_view *out, struct error *err)
{
	static const char sql[] = "SELECT first_response_due,"
	    " next_response_due, resolution_due, COALESCE(paused_at, 0),"
	    " paused_secs, sla_policy, priority, hidden FROM tickets"
	    " WHERE id = ?";
	const struct sla_policy *p;
	sqlite3_stmt *stmt;
	int i, rc;

	memset(out, 0, sizeof(*out));
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, ticket);
	if ((rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		if (rc == SQLITE_DONE)
			return error_set(err, ERR_PERM, "no request #%lld",
			    (long long)ticket);
		return store_error(st, "sla view", err);
	}
	for (i = 0; i < SLA_NTARGETS; i++)
		out->due[i] = (time_t)sqlite3_column_int64(stmt, i);
	out->paused_at = (time_t)sqlite3_column_int64(stmt, 3);
	out->paused_secs = (long)sqlite3_column_int64(stmt, 4);
	p = sqlite3_column_int(stmt, 7) != 0 ? NULL : sla_policy_for(c,
	    (const char *)sqlite3_column_text(stmt, 5),
	    (const char *)sqlite3_column_text(stmt, 6));
	out->policy = p != NULL ? xstrdup(p->name) : NULL;
	sqlite3_reset(stmt);
	return 0;
}

void
sla_view_release(struct sla_view *v)
{
	free(v->policy);
	v->policy = NULL;
}
