/*
 * queue_view: the open requests grouped (queue_view.h).  The earliest
 * deadline is spelt with CASE and coalesce rather than ticket.c's scalar
 * min() so that the statement is the same on both engines.  The counts read
 * the partial index tickets_queue, the deadlines tickets_due
 * (store_schema.c), whose WHERE they repeat word for word: SQLite uses a
 * partial index only for a query whose WHERE implies the index's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "queue_view.h"
#include "store_db.h"
#include "xmalloc.h"

/*
 * The earliest of the three running deadlines; NULL if none runs.  The
 * one definition of a request's deadline here: the counts test it
 * against now and soon, the list sorts by it, and the index
 * tickets_due (store_schema.c) holds it word for word.
 */
#define QUEUE_VIEW_BIG	"9223372036854775807"
#define QUEUE_VIEW_DUE \
	"CASE WHEN first_response_due <= coalesce(next_response_due, " \
	QUEUE_VIEW_BIG ") AND first_response_due <= coalesce(" \
	"resolution_due, " QUEUE_VIEW_BIG ") THEN first_response_due" \
	" WHEN next_response_due <= coalesce(resolution_due, " \
	QUEUE_VIEW_BIG ") THEN next_response_due ELSE resolution_due END"

/*
 * Breached: the earliest running deadline before now; at risk: before
 * soon but not now.  (A deadline passed is one of the three passed: the
 * earliest is.)
 */
int
queue_view_groups(struct store *st, time_t now, time_t soon,
    struct queue_group **out, size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT status, category, assignee,"
	    " count(*),"
	    " sum(CASE WHEN due < ?1 THEN 1 ELSE 0 END),"
	    " sum(CASE WHEN due >= ?1 AND due < ?2 THEN 1 ELSE 0 END)"
	    " FROM (SELECT status, category, assignee, " QUEUE_VIEW_DUE
	    "  AS due FROM tickets"
	    "  WHERE status IN ('new', 'open', 'pending') AND hidden = 0) t"
	    " GROUP BY status, category, assignee"
	    " ORDER BY status, category, assignee";
	struct queue_group *g = NULL;
	struct store_q *q;
	size_t n = 0, cap = 0;
	enum store_step rc;

	*out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, (int64_t)soon);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			g = xreallocarray(g, cap, sizeof(*g));
		}
		g[n].status = store_q_col_strdup(q, 0);
		g[n].category = store_q_col_strdup(q, 1);
		g[n].assignee = store_q_col_strdup(q, 2);
		g[n].open = (long)store_q_col_int(q, 3);
		g[n].breached = (long)store_q_col_int(q, 4);
		g[n].at_risk = (long)store_q_col_int(q, 5);
		n++;
	}
	if (rc == STORE_ERROR) {
		queue_view_free(g, n);
		return -1;
	}
	*out = g;
	*n_out = n;
	return 0;
}

/*
 * Read in the order of the index tickets_due (store_schema.c), whose
 * expression and WHERE these repeat word for word.  SQLite-only spot:
 * SQLite's planner takes tickets_queue for the status IN (...) instead
 * (where ANALYZE ran, and the sort of every open request's deadlines
 * costs it 4-8 ms on a million-request store), so it is named with
 * INDEXED BY, which PostgreSQL does not have; its planner sees the
 * LIMIT and the ordered index itself.
 */
#define QUEUE_VIEW_DEADLINES(from) \
	"SELECT id, category, assignee, " QUEUE_VIEW_DUE " AS due" \
	" FROM " from \
	" WHERE status IN ('new', 'open', 'pending') AND hidden = 0" \
	" AND (first_response_due IS NOT NULL OR next_response_due IS" \
	" NOT NULL OR resolution_due IS NOT NULL)" \
	" ORDER BY due, id LIMIT ?1"

int
queue_view_deadlines(struct store *st, size_t max, struct queue_due **out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = QUEUE_VIEW_DEADLINES("tickets");
	static const char sql_sqlite[] =
	    QUEUE_VIEW_DEADLINES("tickets INDEXED BY tickets_due");
	struct queue_due *d = NULL;
	struct store_q *q;
	size_t n = 0, cap = 0;
	enum store_step rc;

	*out = NULL;
	*n_out = 0;
	if ((q = store_q(st, store_db_sqlite(st) ? sql_sqlite : sql,
	    err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)max);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			d = xreallocarray(d, cap, sizeof(*d));
		}
		d[n].id = store_q_col_int(q, 0);
		d[n].category = store_q_col_strdup(q, 1);
		d[n].assignee = store_q_col_strdup(q, 2);
		d[n].due = (time_t)store_q_col_int(q, 3);
		n++;
	}
	if (rc == STORE_ERROR) {
		queue_view_dues_free(d, n);
		return -1;
	}
	*out = d;
	*n_out = n;
	return 0;
}

void
queue_view_dues_free(struct queue_due *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(d[i].category);
		free(d[i].assignee);
	}
	free(d);
}

int
queue_view_row(struct store *st, int64_t id, struct queue_row *r,
    struct error *err)
{
	static const char sql[] = "SELECT t.id, t.subject, t.status,"
	    " t.category, t.assignee, c.name,"
	    " (SELECT a.address FROM customer_addresses a"
	    "  WHERE a.customer_id = t.customer_id"
	    "  ORDER BY a.added_at, a.address LIMIT 1),"
	    " t.created_at"
	    " FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id"
	    " WHERE t.id = ?1";
	struct store_q *q;

	memset(r, 0, sizeof(*r));
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		break;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
	r->id = store_q_col_int(q, 0);
	r->subject = store_q_col_strdup(q, 1);
	r->status = store_q_col_strdup(q, 2);
	r->category = store_q_col_strdup(q, 3);
	r->assignee = store_q_col_strdup(q, 4);
	r->customer_name = store_q_col_strdup(q, 5);
	r->customer_address = store_q_col_strdup(q, 6);
	r->created_at = (time_t)store_q_col_int(q, 7);
	store_q_reset(q);
	return 1;
}

void
queue_view_row_clear(struct queue_row *r)
{
	free(r->subject);
	free(r->status);
	free(r->category);
	free(r->assignee);
	free(r->customer_name);
	free(r->customer_address);
	memset(r, 0, sizeof(*r));
}

void
queue_view_free(struct queue_group *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(g[i].status);
		free(g[i].category);
		free(g[i].assignee);
	}
	free(g);
}
