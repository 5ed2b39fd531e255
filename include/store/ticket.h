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
	/* its number among its customer's requests (1: the first), 0: none */
	int64_t	 customer_seq;
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

/* *exists_out: is there a request id (merged or not)?  0, or -1 + err. */
int	ticket_exists(struct store *, int64_t id, bool *exists_out,
	    struct error *err);

/* One rule that matched a request (a rule_hits row, routing.c writes). */
struct ticket_rule_hit {
	time_t	 at;
	int64_t	 message_row;	/* 0: not tied to a message */
	char	*rule;
	char	*actions;
};

/*
 * The rules that matched request id, in the order they matched, into a
 * new array (free with ticket_rule_hits_free), for `triagectl explain`.
 * An unknown request has none.  0, or -1 + err.
 */
int	ticket_rule_hits(struct store *, int64_t id,
	    struct ticket_rule_hit **hits_out, size_t *n_out,
	    struct error *err);
void	ticket_rule_hits_free(struct ticket_rule_hit *, size_t n);

/*
 * *n_out: how many requests customer had opened before request id (the
 * notices' "earlier requests"), as numbered when id was created, deleted
 * ones included; 0 for customer 0.  0, or -1 + err.
 */
int	ticket_count_before(struct store *, int64_t customer, int64_t id,
	    int64_t *n_out, struct error *err);
/*
 * Sets the Message-ID that starts the agents' notice thread of request
 * id, unless it has one already (the first notice wins).  0, or -1 + err.
 */
int	ticket_set_thread_root(struct store *, int64_t id, const char *msgid,
	    struct error *err);

/*
 * The agents' changes to a request (ticket_ops.c), each in the caller's
 * transaction and each touching it (updated_at = now); the caller has
 * checked the value and writes the event.  0, or -1 + err.
 */
/* agent NULL: nobody. */
int	ticket_set_assignee(struct store *, int64_t id, const char *agent,
	    time_t now, struct error *err);
/*
 * resolved sets resolved_at; closed sets closed_at (and resolved_at if
 * the request never was); reopen counts a way back from resolved or
 * closed.
 */
int	ticket_set_status(struct store *, int64_t id, const char *status,
	    bool reopen, time_t now, struct error *err);
int	ticket_set_priority(struct store *, int64_t id, const char *priority,
	    time_t now, struct error *err);
/* category NULL: none. */
int	ticket_set_category(struct store *, int64_t id, const char *category,
	    time_t now, struct error *err);
/* Only updated_at: a change elsewhere (a tag, a note). */
int	ticket_touch(struct store *, int64_t id, time_t now,
	    struct error *err);
/*
 * agent's reply went to the customer: first_response_at (if none yet)
 * and last_agent_at are now, agent takes it if nobody has, a new
 * request becomes open.
 */
int	ticket_mark_replied(struct store *, int64_t id, const char *agent,
	    time_t now, struct error *err);
/*
 * The tickets-table side of merging request from into into: from is
 * closed as merged into it (resolved now unless it was before), into's
 * last customer activity becomes the later of the two.
 */
int	ticket_merge(struct store *, int64_t from, int64_t into, time_t now,
	    struct error *err);

/* --- for routing, assignment, SLA, ratings (store-b) --- */

/*
 * Open requests (new, open, pending) assigned to agent, in *count_out.
 * 0, or -1 + err.
 */
int	ticket_open_count(struct store *, const char *agent,
	    int64_t *count_out, struct error *err);
/*
 * The assignee of the most recent other request of ticket's customer, in
 * *agent_out (a copy the caller frees; NULL if none).  0, or -1 + err.
 */
int	ticket_previous_assignee(struct store *, int64_t ticket,
	    char **agent_out, struct error *err);
/*
 * The pull queue: walks the unassigned, open, not hidden, not merged
 * requests that have a category, the most urgent first (the earliest
 * running deadline, none last; then the higher priority, by its place in
 * levels, lowest first; then the older), and stops at the first whose
 * category take() accepts: its id in *ticket_out (0: none taken).
 * take gets the category borrowed for the call.  0, or -1 + err.
 */
int	ticket_next_unassigned(struct store *, const char *const *levels,
	    size_t nlevels, bool (*take)(const char *category, void *arg),
	    void *arg, int64_t *ticket_out, struct error *err);

/*
 * ticket_load, with the answer times a writer left empty taken from the
 * request's messages, as the SLA deadlines count them: first_response_at
 * the first agent reply (direction out) when the row has none;
 * last_customer_at the later of the row's and of the latest customer
 * message that is not automatic; last_agent_at the later of the row's
 * and of the latest agent reply.  Errors as ticket_load.
 */
int	ticket_load_sla(struct store *, int64_t id, struct ticket *t,
	    struct error *err);
/*
 * Writes t's SLA columns to request t->id: the three deadlines,
 * sla_check_at and paused_at (0: NULL), and paused_secs.
 */
int	ticket_save_sla(struct store *, const struct ticket *t,
	    struct error *err);
/*
 * Up to max ids of the open (new, open, pending), not hidden requests
 * numbered above after, in order, into ids (room for max); *n_out how
 * many (fewer than max: the last ones).
 */
int	ticket_open_ids(struct store *, int64_t after, size_t max,
	    int64_t *ids, size_t *n_out, struct error *err);
/*
 * Up to max ids of the requests whose sla_check_at is at or before now,
 * the earliest first, into ids (room for max); *n_out how many.  Read
 * through the tickets_sla_check index: the cost follows the due rows.
 */
int	ticket_sla_due(struct store *, time_t now, size_t max, int64_t *ids,
	    size_t *n_out, struct error *err);
/*
 * The first address of ticket's customer, in *addr_out (a copy the
 * caller frees; NULL when the request has no customer).  0, or -1 + err.
 */
int	ticket_customer_address(struct store *, int64_t ticket,
	    char **addr_out, struct error *err);

/*
 * Records the customer's rating (1-5) of request id at now (rating,
 * rated_at, updated_at).  *found_out false: no such request, nothing
 * written.  0, or -1 + err.
 */
int	ticket_rate(struct store *, int64_t id, int score, time_t now,
	    bool *found_out, struct error *err);
/*
 * The request whose satisfaction survey went out with Message-ID
 * message_id (a message of source "survey"), in *ticket_out; 0: none.
 */
int	ticket_survey_of(struct store *, const char *message_id,
	    int64_t *ticket_out, struct error *err);

/* A request to ask for a rating. */
struct ticket_survey {
	int64_t	 id;
	char	*subject;
	char	*to;		/* the author of its latest customer message */
	char	*name;		/* its customer's name; NULL */
	int64_t	 customer_id;	/* 0: none */
	time_t	 created_at;
	time_t	 resolved_at;
};

/*
 * Up to max requests resolved at or after since, still resolved, not
 * hidden, unrated and not asked yet (survey_sent_at), read through the
 * tickets_survey index, into a new array (free with
 * ticket_surveys_free); to is NULL when the request has no customer
 * message.  0, or -1 + err.
 */
int	ticket_survey_due(struct store *, time_t since, size_t max,
	    struct ticket_survey **out, size_t *n_out, struct error *err);
void	ticket_surveys_free(struct ticket_survey *, size_t n);
/*
 * Marks request id as asked for a rating at now (survey_sent_at), unless
 * it is already: *marked_out says whether this call did (another
 * instance on the same database may have meanwhile: then it asks).
 */
int	ticket_survey_sent(struct store *, int64_t id, time_t now,
	    bool *marked_out, struct error *err);

/* What the rules decided for a new request (routing.c). */
struct ticket_route {
	const char	*company;	/* NULL: none */
	const char	*category;	/* NULL: none */
	const char	*priority;
	const char	*sla_policy;	/* NULL: by priority or the default */
	bool		 hidden;	/* dropped as spam */
};

/*
 * Writes what the intake decided for the new request t->id in one
 * statement: its route (company, category, priority, sla_policy,
 * hidden), assignee and updated_at, and the SLA columns of
 * ticket_save_sla.  A request's row carries five indexes over these
 * columns: one UPDATE where there were three.  0, or -1 + err.
 */
int	ticket_save_routed(struct store *, const struct ticket *t,
	    struct error *err);
/*
 * The priority the rules raised a follow-up of request id to (updated_at
 * untouched: the follow-up's own write sets it).  0, or -1 + err.
 */
int	ticket_raise_priority(struct store *, int64_t id, const char *priority,
	    struct error *err);
/*
 * ticket_load, and the company an admin gave the request's customer in
 * *company_out (a copy the caller frees; NULL: none, or no customer):
 * one read for routing.  0, or -1 + err.
 */
int	ticket_load_with_company(struct store *, int64_t id, struct ticket *t,
	    char **company_out, struct error *err);

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
	/*
	 * Why the sender is suspect (NULL: not): "sender-not-on-request"
	 * (neither the customer nor in Cc, yet it named the request),
	 * "forged-agent" (an agent's From without the proof
	 * agent_mail.require asks for; stored as a customer's message).
	 */
	char			*token_flag;
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
	/*
	 * The instance delivering it now (several instances on one
	 * PostgreSQL database, outbox.h) and until when its claim holds;
	 * NULL and 0: nobody (always so on SQLite).
	 */
	char	*claimed_by;
	time_t	 lease_until;
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
	char			*customer_language;	/* NULL: not known */
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

/*
 * PostgreSQL: a new request's number and its first message's id drawn
 * ahead by the intake's first read (customer_seen_with_duplicate), with
 * what the request's INSERT would read: its customer's last customer_seq
 * and company.  ticket_create with it sends the INSERT with the deferred
 * writes, no round trip of its own.  id 0: none drawn (SQLite, or the
 * message was not expected to open a request, or is a duplicate).
 */
struct ticket_reserve {
	int64_t	 id;
	int64_t	 message_id;
	int64_t	 customer_seq;	/* the new request's */
	char	*company;	/* the customer's; NULL: none */
};
void	ticket_reserve_clear(struct ticket_reserve *);

/* A new request as the pipeline makes it (ticket_create). */
struct ticket_new {
	const char	*subject;	/* NULL: none */
	int64_t		 customer;	/* 0: none */
	const char	*source;	/* lmtp, smtp, inject, imap:NAME */
	time_t		 now;		/* created and updated */
	/*
	 * NULL or id 0: none; else from the look-up of this customer's
	 * address in this transaction, and its number is used
	 */
	const struct ticket_reserve *reserve;
	/* its first history event (history.h), written with it; NULL kind: none */
	const char	*event_kind;
	const char	*event_actor;
	const char	*event_detail;
};

/*
 * A new request, status new.  0 with the row in *t (ticket_clear) and
 * the company an admin gave the customer in *company_out (a copy; NULL:
 * none), as ticket_load_with_company would read them, and in
 * *message_id_out an id reserved for the message that opens the request
 * (message_row.id; 0: none, the message's insert draws it); or -1 +
 * err, *t cleared.
 */
int	ticket_create(struct store *, const struct ticket_new *,
	    struct ticket *t, char **company_out, int64_t *message_id_out,
	    struct error *err);
/*
 * The customer wrote again on request id: a resolved or closed request
 * reopens (reopen_count grows, *reopened_out true), a pending one goes
 * back to open (*unpended_out true).  0, or -1 + err.
 */
int	ticket_customer_wrote(struct store *, int64_t id, bool *reopened_out,
	    bool *unpended_out, struct error *err);
/*
 * Whether request id belongs to customer or has address (NULL: none) on
 * its cc list, in *on_out.  0, or -1 + err.
 */
int	ticket_has_party(struct store *, int64_t id, int64_t customer,
	    const char *address, bool *on_out, struct error *err);

#endif
