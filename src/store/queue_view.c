/*
 * queue_view: the open requests grouped (queue_view.h).  The deadline
 * tests are spelt with CASE and OR rather than ticket.c's scalar min()
 * so that the statement is the same on both engines.
 */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "queue_view.h"
#include "store_db.h"
#include "xmalloc.h"

#define QUEUE_VIEW_PASSED(at) \
	"(t.first_response_due < " at " OR t.next_response_due < " at \
	" OR t.resolution_due < " at ")"

int
queue_view_groups(struct store *st, time_t now, time_t soon,
    struct queue_group **out, size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT t.status, t.category, t.assignee,"
	    " count(*),"
	    " sum(CASE WHEN " QUEUE_VIEW_PASSED("?1") " THEN 1 ELSE 0 END),"
	    " sum(CASE WHEN " QUEUE_VIEW_PASSED("?1") " THEN 0"
	    "  WHEN " QUEUE_VIEW_PASSED("?2") " THEN 1 ELSE 0 END)"
	    " FROM tickets t WHERE t.hidden = 0"
	    " AND t.status IN ('new', 'open', 'pending')"
	    " GROUP BY t.status, t.category, t.assignee"
	    " ORDER BY t.status, t.category, t.assignee";
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
