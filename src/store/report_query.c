/*
 * report_query: the reports' reads (see report_query.h).  Each query is
 * written once per group column, as a literal, so the statement cache
 * keeps one prepared statement per report shape.  The period's requests
 * are found by tickets_created, the open ones by tickets_open (partial:
 * with a million closed requests the planner would otherwise walk them
 * all), message counts by messages_direction, breach marks by the
 * sla_marks key, breaches by events_kind.
 */
#include <stdint.h>

#include "error.h"
#include "report_query.h"
#include "store_db.h"

/* Not hidden (spam) nor merged away. */
#define REPORT_QUERY_COUNTED	"t.hidden = 0 AND t.merged_into IS NULL"
#define REPORT_QUERY_OPEN	"t.status IN ('new', 'open', 'pending')"

/* The group columns, in enum report_query_group order. */
#define REPORT_QUERY_BY_NONE		"NULL"
#define REPORT_QUERY_BY_AGENT		"t.assignee"
#define REPORT_QUERY_BY_CATEGORY	"t.category"
#define REPORT_QUERY_BY_COMPANY \
	"COALESCE(t.company, (SELECT c.company FROM customers c" \
	" WHERE c.id = t.customer_id))"
#define REPORT_QUERY_BY_PRIORITY	"t.priority"

/* Columns in the order report_query_request_read expects. */
#define REPORT_QUERY_COHORT(group) \
	"SELECT t.id, t.created_at, " group ", t.status, t.priority," \
	" t.sla_policy, t.resolved_at," \
	" t.first_response_at, t.reopen_count, t.paused_secs," \
	" t.first_response_due, t.resolution_due, t.rating," \
	" EXISTS (SELECT 1 FROM sla_marks s WHERE s.ticket_id = t.id" \
	"  AND s.target = 'first_response' AND s.stage = 'breach')," \
	" EXISTS (SELECT 1 FROM sla_marks s WHERE s.ticket_id = t.id" \
	"  AND s.target = 'resolution' AND s.stage = 'breach')," \
	" (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id" \
	"  AND m.direction = 'in')," \
	" (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id" \
	"  AND m.direction = 'out')" \
	" FROM tickets t WHERE t.created_at >= ?1 AND t.created_at < ?2" \
	" AND " REPORT_QUERY_COUNTED " ORDER BY t.id"

#define REPORT_QUERY_BACKLOG(group) \
	"SELECT t.created_at, " group " FROM tickets t" \
	" WHERE " REPORT_QUERY_OPEN " AND " REPORT_QUERY_COUNTED

static const char *const report_query_cohort_sql[REPORT_QUERY_NGROUPS] = {
	REPORT_QUERY_COHORT(REPORT_QUERY_BY_NONE),
	REPORT_QUERY_COHORT(REPORT_QUERY_BY_AGENT),
	REPORT_QUERY_COHORT(REPORT_QUERY_BY_CATEGORY),
	REPORT_QUERY_COHORT(REPORT_QUERY_BY_COMPANY),
	REPORT_QUERY_COHORT(REPORT_QUERY_BY_PRIORITY)
};

static const char *const report_query_backlog_sql[REPORT_QUERY_NGROUPS] = {
	REPORT_QUERY_BACKLOG(REPORT_QUERY_BY_NONE),
	REPORT_QUERY_BACKLOG(REPORT_QUERY_BY_AGENT),
	REPORT_QUERY_BACKLOG(REPORT_QUERY_BY_CATEGORY),
	REPORT_QUERY_BACKLOG(REPORT_QUERY_BY_COMPANY),
	REPORT_QUERY_BACKLOG(REPORT_QUERY_BY_PRIORITY)
};

static void	report_query_request_read(struct store_q *,
		    struct report_query_request *);
static int	report_query_items(struct store_q *,
		    void (*)(const struct report_query_item *, void *), void *,
		    struct error *);

int
report_query_cohort(struct store *st, enum report_query_group group,
    time_t from, time_t to,
    void (*fn)(const struct report_query_request *, void *arg), void *arg,
    struct error *err)
{
	struct report_query_request r;
	struct store_q *q;
	enum store_step rc;

	if ((q = store_q(st, report_query_cohort_sql[group], err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)from);
	store_q_int(q, 2, (int64_t)to);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		report_query_request_read(q, &r);
		fn(&r, arg);
	}
	return rc == STORE_DONE ? 0 : -1;
}

static void
report_query_request_read(struct store_q *q, struct report_query_request *r)
{
	int c = 0;

	r->id = store_q_col_int(q, c++);
	r->created_at = (time_t)store_q_col_int(q, c++);
	r->group = store_q_col_text(q, c++);
	r->status = store_q_col_text(q, c++);
	r->priority = store_q_col_text(q, c++);
	r->sla_policy = store_q_col_text(q, c++);
	r->resolved_at = (time_t)store_q_col_int(q, c++);
	r->first_response_at = (time_t)store_q_col_int(q, c++);
	r->reopen_count = store_q_col_int(q, c++);
	r->paused_secs = store_q_col_int(q, c++);
	r->first_response_due = (time_t)store_q_col_int(q, c++);
	r->resolution_due = (time_t)store_q_col_int(q, c++);
	r->rating = (int)store_q_col_int(q, c++);
	r->first_breached = store_q_col_int(q, c++) != 0;
	r->resolution_breached = store_q_col_int(q, c++) != 0;
	r->customer_messages = store_q_col_int(q, c++);
	r->agent_replies = store_q_col_int(q, c++);
}

/* The period's requests by tickets_created, their events by events_ticket. */
int
report_query_statuses(struct store *st, time_t from, time_t to,
    void (*fn)(int64_t ticket, time_t at, const char *detail, void *arg),
    void *arg, struct error *err)
{
	static const char sql[] = "SELECT e.ticket_id, e.at, e.detail"
	    " FROM tickets t JOIN events e ON e.ticket_id = t.id"
	    " WHERE t.created_at >= ?1 AND t.created_at < ?2"
	    " AND " REPORT_QUERY_COUNTED " AND e.kind = 'status'"
	    " ORDER BY e.ticket_id, e.id";
	struct store_q *q;
	enum store_step rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)from);
	store_q_int(q, 2, (int64_t)to);
	while ((rc = store_q_step(q, err)) == STORE_ROW)
		fn(store_q_col_int(q, 0), (time_t)store_q_col_int(q, 1),
		    store_q_col_text(q, 2), arg);
	return rc == STORE_DONE ? 0 : -1;
}

int
report_query_backlog(struct store *st, enum report_query_group group,
    void (*fn)(time_t created_at, const char *group, void *arg), void *arg,
    struct error *err)
{
	struct store_q *q;
	enum store_step rc;

	if ((q = store_q(st, report_query_backlog_sql[group], err)) == NULL)
		return -1;
	while ((rc = store_q_step(q, err)) == STORE_ROW)
		fn((time_t)store_q_col_int(q, 0), store_q_col_text(q, 1), arg);
	return rc == STORE_DONE ? 0 : -1;
}

int
report_query_opened(struct store *st, time_t from, time_t to,
    void (*fn)(time_t created_at, void *arg), void *arg, struct error *err)
{
	static const char sql[] = "SELECT t.created_at FROM tickets t"
	    " WHERE t.created_at >= ?1 AND t.created_at < ?2"
	    " AND " REPORT_QUERY_COUNTED;
	struct store_q *q;
	enum store_step rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)from);
	store_q_int(q, 2, (int64_t)to);
	while ((rc = store_q_step(q, err)) == STORE_ROW)
		fn((time_t)store_q_col_int(q, 0), arg);
	return rc == STORE_DONE ? 0 : -1;
}

/*
 * The earliest running deadline of each open request decides overdue /
 * due soon; the COALESCE to "never" (?2) keeps a NULL deadline out of
 * min().  The open requests are taken first through tickets_open
 * (MATERIALIZED): left to itself the planner walks the whole assignee
 * index for the GROUP BY.  SQLite-only: the scalar min() of three
 * (PostgreSQL: LEAST).
 */
int
report_query_load(struct store *st, time_t now,
    void (*fn)(const struct report_query_load *, void *arg), void *arg,
    struct error *err)
{
	static const char sql[] = "WITH o AS MATERIALIZED"
	    " (SELECT t.assignee, min(COALESCE(t.first_response_due, ?2),"
	    "  COALESCE(t.next_response_due, ?2),"
	    "  COALESCE(t.resolution_due, ?2)) AS d"
	    "  FROM tickets t WHERE " REPORT_QUERY_OPEN
	    "  AND " REPORT_QUERY_COUNTED ")"
	    " SELECT assignee, count(*),"
	    " sum(CASE WHEN d <= ?1 THEN 1 ELSE 0 END),"
	    " sum(CASE WHEN d > ?1 AND d <= ?1 + 3600 THEN 1 ELSE 0 END)"
	    " FROM o"
	    " GROUP BY assignee ORDER BY assignee IS NULL, assignee";
	struct report_query_load l;
	struct store_q *q;
	enum store_step rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, INT64_MAX);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		l.agent = store_q_col_text(q, 0);
		l.open = store_q_col_int(q, 1);
		l.overdue = store_q_col_int(q, 2);
		l.due_soon = store_q_col_int(q, 3);
		fn(&l, arg);
	}
	return rc == STORE_DONE ? 0 : -1;
}

int
report_query_breaches(struct store *st, time_t from, time_t to, size_t max,
    void (*fn)(const struct report_query_item *, void *arg), void *arg,
    struct error *err)
{
	static const char sql[] = "SELECT e.ticket_id, t.subject,"
	    " t.assignee, e.detail, e.at FROM events e"
	    " JOIN tickets t ON t.id = e.ticket_id"
	    " WHERE e.kind = 'sla_breach' AND e.at >= ?1 AND e.at < ?2"
	    " ORDER BY e.at LIMIT ?3";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)from);
	store_q_int(q, 2, (int64_t)to);
	store_q_int(q, 3, (int64_t)max);
	return report_query_items(q, fn, arg, err);
}

/*
 * Through tickets_open first: an old store's oldest requests are all
 * closed, walking created_at would read them all.
 */
int
report_query_oldest_open(struct store *st, time_t before, size_t max,
    void (*fn)(const struct report_query_item *, void *arg), void *arg,
    struct error *err)
{
	static const char sql[] = "WITH o AS MATERIALIZED (SELECT t.id,"
	    " t.subject, t.assignee, t.created_at FROM tickets t"
	    " WHERE " REPORT_QUERY_OPEN " AND " REPORT_QUERY_COUNTED ")"
	    " SELECT id, subject, assignee, NULL, created_at FROM o"
	    " WHERE created_at < ?1 ORDER BY created_at LIMIT ?2";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)before);
	store_q_int(q, 2, (int64_t)max);
	return report_query_items(q, fn, arg, err);
}

/* The rows of a bound item query, to fn. */
static int
report_query_items(struct store_q *q,
    void (*fn)(const struct report_query_item *, void *), void *arg,
    struct error *err)
{
	struct report_query_item it;
	enum store_step rc;

	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		it.ticket = store_q_col_int(q, 0);
		it.subject = store_q_col_text(q, 1);
		it.agent = store_q_col_text(q, 2);
		it.detail = store_q_col_text(q, 3);
		it.at = (time_t)store_q_col_int(q, 4);
		fn(&it, arg);
	}
	return rc == STORE_DONE ? 0 : -1;
}
