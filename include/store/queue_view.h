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
#include <stdint.h>
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

/* A line of the queue's list. */
struct queue_row {
	int64_t	 id;
	char	*subject;
	char	*status;
	char	*category;	/* NULL: none */
	char	*assignee;	/* NULL: unassigned */
	char	*customer_name;	/* NULL: none */
	char	*customer_address;	/* the first; NULL: none */
	time_t	 created_at;
};

/* The groups at now, into a new array; free with queue_view_free. */
int	queue_view_groups(struct store *, time_t now, time_t soon,
	    struct queue_group **out, size_t *n_out, struct error *err);
void	queue_view_free(struct queue_group *, size_t n);
/* A running deadline, as the index holds it. */
struct queue_due {
	int64_t	 id;
	char	*category;	/* NULL: none */
	char	*assignee;	/* NULL: unassigned */
	time_t	 due;		/* the earliest of the request's deadlines */
};

/*
 * The open requests with a running deadline, earliest first (ties: by
 * number), at most max of them, into a new array; free with
 * queue_view_dues_free.  Read from the index alone, so that the page
 * picks the requests its viewer may see before any row is read.
 */
int	queue_view_deadlines(struct store *, size_t max,
	    struct queue_due **out, size_t *n_out, struct error *err);
void	queue_view_dues_free(struct queue_due *, size_t n);
/*
 * Request id as a line of the queue into *out (queue_view_row_clear
 * it): 1, or 0 when there is none.
 */
int	queue_view_row(struct store *, int64_t id, struct queue_row *out,
	    struct error *err);
void	queue_view_row_clear(struct queue_row *);

#endif
