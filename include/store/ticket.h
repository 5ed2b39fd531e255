/*
 * ticket: requests (tickets) as the admin sees them.  This is the read
 * side used by triagectl list/show/customer/outbox: queries that return
 * plain structs owned by the caller, each with a _free function.  The
 * front-ends never write SQL; they call these.  All functions only read,
 * so they work on a store opened with STORE_READONLY while the daemon
 * writes (SQLite WAL readers never block the writer).
 *
 * Strings are NUL-terminated copies; a column that is NULL in the
 * database is NULL here (JSON null).  Times are seconds since the epoch.
 * Errors: ERR_PERM with "no request #N" / "no customer ADDR" when the
 * thing asked for does not exist, ERR_TEMP for a busy or broken database.
 */
#ifndef TRIAGED_TICKET_H
#define TRIAGED_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

/* Categories are paths: "billing/refunds" is inside "billing". */
#define TICKET_CATEGORY_SEP	'/'

/*
 * A request as the tickets table holds it: the one struct every part of
 * the desk reads a request into (ticket_load).  Times are seconds since
 * the epoch, 0 where the column is NULL; ids 0 for none; strings are
 * copies, NULL where the column is NULL.
 */
struct ticket {
	int64_t	 id;
	char	*subject;
	int64_t	 customer_id;
	char	*status;		/* new, open, pending, resolved, closed */
	char	*priority;
	char	*category;
	char	*assignee;
	char	*source;
	char	*company;
	char	*sla_policy;		/* as rules/category/company chose */
	char	*thread_root;		/* the agents' notification thread */
	time_t	 created_at;
	time_t	 updated_at;
	time_t	 first_response_at;
	time_t	 last_customer_at;
	time_t	 last_agent_at;
	time_t	 resolved_at;
	time_t	 closed_at;
	int64_t	 reopen_count;
	bool	 hidden;		/* dropped as spam */
	int64_t	 merged_into;
	time_t	 first_response_due;	/* the SLA deadlines running */
	time_t	 next_response_due;
	time_t	 resolution_due;
	time_t	 sla_check_at;
	time_t	 paused_at;		/* 0: not paused */
	int64_t	 paused_secs;
	int	 rating;		/* 0: none */
	time_t	 rated_at;
	time_t	 survey_sent_at;
};

/*
 * Reads request id into *t (its strings owned by t: ticket_clear).
 * Returns 0, or -1 + err: ERR_PERM "no request #id", ERR_TEMP for the
 * database.  On -1, *t is cleared and needs no ticket_clear.
 */
int	ticket_load(struct store *, int64_t id, struct ticket *t,
	    struct error *err);
/* Frees t's strings and zeroes it; a zeroed ticket is fine. */
void	ticket_clear(struct ticket *t);

/* --- for ticket_ops, threading, agent mail, notify (store-a) --- */

/* --- for routing, assignment, SLA, ratings (store-b) --- */

/* --- for intake and the pipeline (store-c) --- */

/* Who a request belongs to; id 0 (and the rest NULL) when nobody. */
struct ticket_customer_ref {
	int64_t	 id;
	char	*name;
	char	*address;	/* the customer's first address */
};

/* One line of `triagectl list`. */
struct ticket_row {
	int64_t			 id;
	char			*subject;
	char			*status;	/* new, open, ... closed */
	char			*priority;
	char			*category;	/* NULL: none */
	char			*assignee;	/* NULL: unassigned */
	struct ticket_customer_ref customer;
	time_t			 created_at;
	time_t			 updated_at;
	int64_t			 nmessages;
	time_t			 due;		/* earliest SLA deadline; 0 none */
};

/* The order of a list; TICKET_SORT_NEWEST is the zero default. */
enum ticket_sort {
	TICKET_SORT_NEWEST = 0,	/* by number, newest first */
	TICKET_SORT_DEADLINE,	/* earliest deadline first, none last */
	TICKET_SORT_PRIORITY,	/* highest first (needs levels) */
	TICKET_SORT_AGE		/* oldest first */
};

/*
 * What to list; zero/NULL fields do not filter.  customer is an address
 * of the customer (any case, "<...>" allowed); an unknown one lists
 * nothing.  category matches itself and everything below it.  Hidden
 * requests (dropped as spam) are never listed, unless hidden is set:
 * then only they are.  due_before lists the open requests (new, open,
 * pending) with a running deadline before it (--overdue: now).
 * levels are the priority levels lowest first, for sorting by priority
 * (and the tie-break of the deadline sort); NULL: no priority order.
 */
struct ticket_filter {
	const char	*status;
	bool		 unassigned;
	const char	*category;
	const char	*customer;
	int64_t		 customer_id;
	size_t		 limit;		/* 0: all */
	const char	*assignee;	/* --mine */
	bool		 untagged;
	bool		 uncategorized;
	const char	*priority;
	time_t		 due_before;	/* 0: no filter */
	bool		 hidden;
	enum ticket_sort sort;
	const char *const *levels;
	size_t		 nlevels;
};

/*
 * Requests matching f, in f->sort order (newest first by default: by
 * number, as numbers are given in arrival order), into a new array;
 * free with ticket_rows_free.
 */
int	ticket_list(struct store *, const struct ticket_filter *f,
	    struct ticket_row **rows_out, size_t *n_out, struct error *err);
void	ticket_rows_free(struct ticket_row *, size_t n);

struct ticket_attachment {
	char	*filename;
	char	*content_type;
	int64_t	 size;
};

struct ticket_message {
	int64_t			 id;
	char			*direction;	/* in, out, auto, note */
	char			*message_id;
	char			*from_name;
	char			*from_addr;
	char			*subject;
	char			*body;		/* may hold NUL: see body_len */
	size_t			 body_len;
	time_t			 created_at;
	char			*source;	/* lmtp, smtp, inject, imap */
	char			*auto_reason;	/* why it is automatic mail */
	char			*parse_warning;
	struct ticket_attachment *attachments;
	size_t			 nattachments;
};

struct ticket_cc {
	char	*address;
	char	*name;
};

/* A row of the outbox, for `show` (one ticket) and `outbox` (all). */
struct ticket_outbox {
	int64_t	 id;
	int64_t	 ticket_id;	/* 0: none */
	char	*kind;		/* ack, ... */
	char	*rcpts;		/* space-separated */
	char	*status;	/* queued, sent, failed */
	int64_t	 attempts;
	time_t	 created_at;
	time_t	 sent_at;	/* 0: not sent */
	char	*last_error;
};

/* Everything `triagectl show` prints about one request. */
struct ticket_detail {
	struct ticket_row	 row;
	char			*source;
	struct ticket_cc	*cc;
	size_t			 ncc;
	struct ticket_message	*messages;	/* oldest first */
	size_t			 nmessages;
	struct ticket_outbox	*outbox;	/* oldest first */
	size_t			 noutbox;
};

/*
 * Loads request id with its cc list, messages (with attachment metadata,
 * not the raw bytes) and outbox rows.  Returns a new detail (free with
 * ticket_detail_free) or NULL + err (ERR_PERM "no request #id").
 */
struct ticket_detail *ticket_show(struct store *, int64_t id,
	    struct error *err);
void	ticket_detail_free(struct ticket_detail *);

/* A customer and everything about them. */
struct ticket_customer {
	int64_t			 id;
	char			*name;
	char			*company;
	time_t			 created_at;
	char			**addresses;	/* oldest first */
	size_t			 naddresses;
	struct ticket_row	*requests;	/* newest first */
	size_t			 nrequests;
};

/*
 * The customer owning address addr (any case, "<...>" allowed).  Returns
 * a new record (free with ticket_customer_free) or NULL + err (ERR_PERM
 * "no customer addr").
 */
struct ticket_customer *ticket_customer_load(struct store *, const char *addr,
	    struct error *err);
void	ticket_customer_free(struct ticket_customer *);

/*
 * Outbox rows with status (NULL: all), oldest first (queue order), into a
 * new array; free with ticket_outbox_free.
 */
int	ticket_outbox_list(struct store *, const char *status,
	    struct ticket_outbox **rows_out, size_t *n_out, struct error *err);
void	ticket_outbox_free(struct ticket_outbox *, size_t n);

/* True if s is one of the request statuses / outbox statuses. */
bool	ticket_status_valid(const char *s);
bool	ticket_outbox_status_valid(const char *s);

#endif
