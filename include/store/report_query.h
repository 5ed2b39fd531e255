/*
 * report_query: the rows the reports and digests are computed from
 * (report.c, digest.c), read through indexes so that their cost follows
 * the period asked for, never the whole history.  Each function hands
 * its rows one by one to a callback, as plain structs whose strings are
 * borrowed for the call: the desk groups, sums and sorts them itself.
 *
 * The requests of a report are those not hidden (spam) nor merged away.
 * "Open" is status new, open or pending.  Times are seconds since the
 * epoch, 0 where the column is NULL.  Every function only reads, so it
 * works on a store opened with STORE_READONLY while the daemon writes.
 * 0, or -1 + err (ERR_TEMP for a busy or broken database); rows already
 * handed over stay handed over.
 */
#ifndef TRIAGED_REPORT_QUERY_H
#define TRIAGED_REPORT_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

/* The column a report groups by (the group string of each row). */
enum report_query_group {
	REPORT_QUERY_NONE,	/* none: group is NULL */
	REPORT_QUERY_AGENT,	/* the assignee */
	REPORT_QUERY_CATEGORY,
	REPORT_QUERY_COMPANY,	/* the request's, else its customer's */
	REPORT_QUERY_PRIORITY,
	REPORT_QUERY_NGROUPS
};

/* One request of a period, as the report's figures need it. */
struct report_query_request {
	int64_t		 id;
	time_t		 created_at;
	const char	*group;		/* NULL: none */
	const char	*status;
	const char	*priority;
	const char	*sla_policy;	/* the chosen policy; NULL: none */
	time_t		 resolved_at;
	time_t		 first_response_at;
	int64_t		 reopen_count;
	int64_t		 paused_secs;
	time_t		 first_response_due;	/* running deadlines only */
	time_t		 resolution_due;
	int		 rating;		/* 0: none */
	bool		 first_breached;	/* an sla_marks breach row */
	bool		 resolution_breached;
	int64_t		 customer_messages;	/* direction in */
	int64_t		 agent_replies;		/* direction out */
};

/* Calls fn for each request opened in [from, to), by id. */
int	report_query_cohort(struct store *, enum report_query_group,
	    time_t from, time_t to,
	    void (*fn)(const struct report_query_request *, void *arg),
	    void *arg, struct error *err);
/*
 * Calls fn for each status change (events of kind status, detail
 * "OLD -> NEW") of the requests opened in [from, to), by request id,
 * then in the order they happened.
 */
int	report_query_statuses(struct store *, time_t from, time_t to,
	    void (*fn)(int64_t ticket, time_t at, const char *detail,
	    void *arg), void *arg, struct error *err);
/* Calls fn for each request open now, whenever it was opened. */
int	report_query_backlog(struct store *, enum report_query_group,
	    void (*fn)(time_t created_at, const char *group, void *arg),
	    void *arg, struct error *err);
/* Calls fn with the creation time of each request opened in [from, to). */
int	report_query_opened(struct store *, time_t from, time_t to,
	    void (*fn)(time_t created_at, void *arg), void *arg,
	    struct error *err);

/* The open requests of one assignee at a moment. */
struct report_query_load {
	const char	*agent;		/* NULL: unassigned */
	int64_t		 open;
	int64_t		 overdue;	/* the earliest deadline has passed */
	int64_t		 due_soon;	/* ... passes within the hour */
};

/*
 * Calls fn once per assignee of open requests at now, by name, the
 * unassigned last.
 */
int	report_query_load(struct store *, time_t now,
	    void (*fn)(const struct report_query_load *, void *arg),
	    void *arg, struct error *err);

/* A line of a digest's lists. */
struct report_query_item {
	int64_t		 ticket;
	const char	*subject;
	const char	*agent;		/* NULL: unassigned */
	const char	*detail;	/* the event's detail; NULL */
	time_t		 at;
};

/*
 * Calls fn for up to max SLA breaches (sla_breach events) that happened
 * in [from, to), the oldest first: detail and at are the event's.
 */
int	report_query_breaches(struct store *, time_t from, time_t to,
	    size_t max, void (*fn)(const struct report_query_item *, void *arg),
	    void *arg, struct error *err);
/*
 * Calls fn for up to max requests open now and opened before before, the
 * oldest first: at is the opening, detail NULL.
 */
int	report_query_oldest_open(struct store *, time_t before, size_t max,
	    void (*fn)(const struct report_query_item *, void *arg),
	    void *arg, struct error *err);

#endif
