/*
 * queue_view: the open requests (new, open, pending; not hidden) counted
 * by status, category and assignee, for the dashboard's queue page
 * (issue 18), in one GROUP BY over the tickets table: the page then
 * filters and sums the groups (by what the agent may see) in C, never
 * the rows.  -1 + err (ERR_TEMP for a busy or broken database).
 */
#ifndef TRIAGED_QUEUE_VIEW_H
#define TRIAGED_QUEUE_VIEW_H

#include <stddef.h>
#include <time.h>

struct error;
struct store;

struct queue_group {
	char	*status;
	char	*category;	/* NULL: none */
	char	*assignee;	/* NULL: unassigned */
	long	 open;		/* requests of the group */
	/*
	 * Of them, with a running SLA deadline passed at now (as `triagectl
	 * list --overdue` lists them), and, not breached, with one before
	 * soon (at risk).
	 */
	long	 breached;
	long	 at_risk;
};

/* The groups at now, into a new array; free with queue_view_free. */
int	queue_view_groups(struct store *, time_t now, time_t soon,
	    struct queue_group **out, size_t *n_out, struct error *err);
void	queue_view_free(struct queue_group *, size_t n);

#endif
