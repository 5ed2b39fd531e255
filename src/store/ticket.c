/*
 * ticket: the read side of requests, for triagectl.  Every query here is
 * a plain SELECT on the store's cached statements, run outside any
 * transaction, so a read-only triagectl sees a consistent snapshot per
 * statement and never holds a lock the daemon's writer waits for.
 * Optional filters are written as "(?N IS NULL OR ...)" so each query is
 * one fixed string (the statement cache is keyed by the literal).
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "customer.h"
#include "error.h"
#include "history.h"
#include "store_db.h"
#include "ticket.h"
#include "ticket_cc.h"
#include "xmalloc.h"

#define TICKET_SEP_STR	"/"

/*
 * The earliest running SLA deadline of t, NULL if none runs (min() of
 * SQL is NULL as soon as one argument is).  SQLite-only: the scalar
 * min() of three values (PostgreSQL: LEAST, which skips NULLs).
 */
#define TICKET_DUE_NONE	"9223372036854775807"
#define TICKET_DUE_SQL \
	"nullif(min(coalesce(t.first_response_due, " TICKET_DUE_NONE ")," \
	" coalesce(t.next_response_due, " TICKET_DUE_NONE ")," \
	" coalesce(t.resolution_due, " TICKET_DUE_NONE "))," \
	" " TICKET_DUE_NONE ")"

/* Columns of a ticket_row, in the order ticket_row_read expects. */
#define TICKET_ROW_COLUMNS \
	"t.id, t.subject, t.status, t.priority, t.category, t.assignee," \
	" t.customer_id, c.name," \
	" (SELECT a.address FROM customer_addresses a" \
	"  WHERE a.customer_id = t.customer_id" \
	"  ORDER BY a.added_at, a.address LIMIT 1)," \
	" t.created_at, t.updated_at," \
	" (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id)," \
	" " TICKET_DUE_SQL
#define TICKET_ROW_NCOLUMNS	13
#define TICKET_ROW_FROM \
	" FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id"

/* Outbox columns, in the order ticket_outbox_read expects. */
#define TICKET_OUTBOX_COLUMNS \
	"id, ticket_id, kind, rcpts, status, attempts, created_at, sent_at," \
	" last_error, claimed_by, lease_until"

/* Every column of tickets, in the order ticket_read expects. */
#define TICKET_COLUMNS \
	"id, subject, customer_id, status, priority, category, assignee," \
	" source, company, sla_policy, thread_root, created_at, updated_at," \
	" first_response_at, last_customer_at, last_agent_at, resolved_at," \
	" closed_at, reopen_count, hidden, merged_into, first_response_due," \
	" next_response_due, resolution_due, sla_check_at, paused_at," \
	" paused_secs, rating, rated_at, survey_sent_at, customer_seq"

static const char *const ticket_statuses[] = {
	"new", "open", "pending", "resolved", "closed"
};
static const char *const ticket_outbox_statuses[] = {
	"queued", "sent", "failed"
};

static void	ticket_read(struct store_q *, struct ticket *);
static struct store_q *ticket_load_row(struct store *, const char *,
		    int64_t, struct ticket *, struct error *);
static int	ticket_step(struct store_q *, struct error *);
static char	*ticket_col_bytes(struct store_q *, int col, size_t *len_out);
static void	ticket_row_read(struct store_q *, struct ticket_row *);
static void	ticket_row_clear(struct ticket_row *);
static void	ticket_outbox_read(struct store_q *, struct ticket_outbox *);
static void	ticket_outbox_clear(struct ticket_outbox *);
static char	*ticket_address_key(const char *addr);
static char	*ticket_category_key(const char *category);
static char	*ticket_levels(const struct ticket_filter *);
static int	ticket_load_cc(struct store *, struct ticket_detail *,
		    struct error *);
static int	ticket_load_messages(struct store *, struct ticket_detail *,
		    struct error *);
static int	ticket_load_attachments(struct store *, struct ticket_message *,
		    struct error *);
static int	ticket_load_outbox(struct store *, struct ticket_detail *,
		    struct error *);
static void	ticket_bind_sla(struct store_q *, int, const struct ticket *);
static int	ticket_load_addresses(struct store *, struct ticket_customer *,
		    struct error *);
static void	ticket_message_clear(struct ticket_message *);
static void	*ticket_grow(void *array, size_t n, size_t *cap, size_t size);
static int	ticket_create_reserved(struct store *,
		    const struct ticket_new *, struct ticket *, char **,
		    int64_t *, struct error *);
static bool	ticket_in(const char *s, const char *const *set, size_t n);
static int	ticket_update(struct store *, const char *sql, int64_t id,
		    const char *value, time_t now, struct error *err);

int
ticket_load(struct store *st, int64_t id, struct ticket *t,
    struct error *err)
{
	static const char sql[] = "SELECT " TICKET_COLUMNS
	    " FROM tickets WHERE id = ?1";
	struct store_q *q;

	if ((q = ticket_load_row(st, sql, id, t, err)) == NULL)
		return -1;
	store_q_reset(q);
	return 0;
}

/*
 * Runs sql (TICKET_COLUMNS, maybe more columns after them, of request
 * ?1 = id) and reads its row into t, which it clears first.  Returns q
 * on that row, for the caller to read its own columns and reset; NULL +
 * err (ERR_PERM "no request #id") if there is none.
 */
static struct store_q *
ticket_load_row(struct store *st, const char *sql, int64_t id,
    struct ticket *t, struct error *err)
{
	struct store_q *q;

	memset(t, 0, sizeof(*t));
	if ((q = store_q(st, sql, err)) == NULL)
		return NULL;
	store_q_int(q, 1, id);
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		ticket_read(q, t);
		return q;
	case STORE_DONE:
		(void)error_set(err, ERR_PERM, "no request #%lld",
		    (long long)id);
		return NULL;
	default:
		return NULL;
	}
}

void
ticket_clear(struct ticket *t)
{
	free(t->subject);
	free(t->status);
	free(t->priority);
	free(t->category);
	free(t->assignee);
	free(t->source);
	free(t->company);
	free(t->sla_policy);
	free(t->thread_root);
	memset(t, 0, sizeof(*t));
}

/* The current row of a SELECT of TICKET_COLUMNS into t. */
static void
ticket_read(struct store_q *q, struct ticket *t)
{
	int c = 0;

	t->id = store_q_col_int(q, c++);
	t->subject = store_q_col_strdup(q, c++);
	t->customer_id = store_q_col_int(q, c++);
	t->status = store_q_col_strdup(q, c++);
	t->priority = store_q_col_strdup(q, c++);
	t->category = store_q_col_strdup(q, c++);
	t->assignee = store_q_col_strdup(q, c++);
	t->source = store_q_col_strdup(q, c++);
	t->company = store_q_col_strdup(q, c++);
	t->sla_policy = store_q_col_strdup(q, c++);
	t->thread_root = store_q_col_strdup(q, c++);
	t->created_at = (time_t)store_q_col_int(q, c++);
	t->updated_at = (time_t)store_q_col_int(q, c++);
	t->first_response_at = (time_t)store_q_col_int(q, c++);
	t->last_customer_at = (time_t)store_q_col_int(q, c++);
	t->last_agent_at = (time_t)store_q_col_int(q, c++);
	t->resolved_at = (time_t)store_q_col_int(q, c++);
	t->closed_at = (time_t)store_q_col_int(q, c++);
	t->reopen_count = store_q_col_int(q, c++);
	t->hidden = store_q_col_int(q, c++) != 0;
	t->merged_into = store_q_col_int(q, c++);
	t->first_response_due = (time_t)store_q_col_int(q, c++);
	t->next_response_due = (time_t)store_q_col_int(q, c++);
	t->resolution_due = (time_t)store_q_col_int(q, c++);
	t->sla_check_at = (time_t)store_q_col_int(q, c++);
	t->paused_at = (time_t)store_q_col_int(q, c++);
	t->paused_secs = store_q_col_int(q, c++);
	t->rating = (int)store_q_col_int(q, c++);
	t->rated_at = (time_t)store_q_col_int(q, c++);
	t->survey_sent_at = (time_t)store_q_col_int(q, c++);
	t->customer_seq = store_q_col_int(q, c++);
}

/* --- for ticket_ops, threading, agent mail, notify (store-a) --- */

int
ticket_exists(struct store *st, int64_t id, bool *exists_out,
    struct error *err)
{
	static const char sql[] = "SELECT 1 FROM tickets WHERE id = ?1";
	struct store_q *q;
	enum store_step rc;

	*exists_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	*exists_out = rc == STORE_ROW;
	store_q_reset(q);
	return 0;
}

int
ticket_rule_hits(struct store *st, int64_t id,
    struct ticket_rule_hit **hits_out, size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT at, message_row, rule, actions"
	    " FROM rule_hits WHERE ticket_id = ?1 ORDER BY id";
	struct ticket_rule_hit *hits = NULL, *h;
	struct store_q *q;
	size_t n = 0, cap = 0;
	int rc;

	*hits_out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	while ((rc = ticket_step(q, err)) == 1) {
		hits = ticket_grow(hits, n, &cap, sizeof(*hits));
		h = &hits[n++];
		h->at = (time_t)store_q_col_int(q, 0);
		h->message_row = store_q_col_int(q, 1);
		h->rule = store_q_col_strdup(q, 2);
		h->actions = store_q_col_strdup(q, 3);
	}
	if (rc == -1) {
		ticket_rule_hits_free(hits, n);
		return -1;
	}
	*hits_out = hits;
	*n_out = n;
	return 0;
}

void
ticket_rule_hits_free(struct ticket_rule_hit *hits, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(hits[i].rule);
		free(hits[i].actions);
	}
	free(hits);
}

int
ticket_count_before(struct store *st, int64_t customer, int64_t id,
    int64_t *n_out, struct error *err)
{
	/* the number it got when it was made (version 22), else counted */
	static const char sql[] = "SELECT coalesce((SELECT customer_seq - 1"
	    " FROM tickets WHERE id = ?2 AND customer_id = ?1), (SELECT"
	    " count(*) FROM tickets WHERE customer_id = ?1 AND id < ?2))";
	struct store_q *q;
	int rc;

	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, customer);
	store_q_int(q, 2, id);
	if ((rc = ticket_step(q, err)) == -1)
		return -1;
	if (rc == 1) {
		*n_out = store_q_col_int(q, 0);
		store_q_reset(q);
	}
	return 0;
}

int
ticket_set_thread_root(struct store *st, int64_t id, const char *msgid,
    struct error *err)
{
	static const char sql[] = "UPDATE tickets SET thread_root = ?1"
	    " WHERE id = ?2 AND thread_root IS NULL";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, msgid);
	store_q_int(q, 2, id);
	return store_q_exec_later(q, err);
}

int
ticket_set_assignee(struct store *st, int64_t id, const char *agent,
    time_t now, struct error *err)
{
	return ticket_update(st, "UPDATE tickets SET assignee = ?1,"
	    " updated_at = ?2 WHERE id = ?3", id, agent, now, err);
}

int
ticket_set_status(struct store *st, int64_t id, const char *status,
    bool reopen, time_t now, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET status = ?1,"
	    " updated_at = ?2,"
	    " resolved_at = CASE WHEN ?1 = 'resolved' THEN ?2"
	    "  WHEN ?1 = 'closed' THEN COALESCE(resolved_at, ?2)"
	    "  ELSE resolved_at END,"
	    " closed_at = CASE WHEN ?1 = 'closed' THEN ?2 ELSE closed_at END,"
	    " reopen_count = reopen_count + ?4 WHERE id = ?3";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, status);
	store_q_int(q, 2, (int64_t)now);
	store_q_int(q, 3, id);
	store_q_int(q, 4, reopen ? 1 : 0);
	return store_q_exec(q, err);
}

int
ticket_set_priority(struct store *st, int64_t id, const char *priority,
    time_t now, struct error *err)
{
	return ticket_update(st, "UPDATE tickets SET priority = ?1,"
	    " updated_at = ?2 WHERE id = ?3", id, priority, now, err);
}

int
ticket_set_category(struct store *st, int64_t id, const char *category,
    time_t now, struct error *err)
{
	return ticket_update(st, "UPDATE tickets SET category = ?1,"
	    " updated_at = ?2 WHERE id = ?3", id, category, now, err);
}

int
ticket_touch(struct store *st, int64_t id, time_t now, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET updated_at = ?1"
	    " WHERE id = ?2";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, id);
	return store_q_exec_later(q, err);
}

int
ticket_mark_replied(struct store *st, int64_t id, const char *agent,
    time_t now, struct error *err)
{
	return ticket_update(st, "UPDATE tickets SET"
	    " first_response_at = COALESCE(first_response_at, ?2),"
	    " last_agent_at = ?2, updated_at = ?2,"
	    " assignee = COALESCE(assignee, ?1),"
	    " status = CASE WHEN status = 'new' THEN 'open' ELSE status END"
	    " WHERE id = ?3", id, agent, now, err);
}

int
ticket_merge(struct store *st, int64_t from, int64_t into, time_t now,
    struct error *err)
{
	static const char close_sql[] = "UPDATE tickets SET merged_into = ?1,"
	    " status = 'closed', closed_at = ?2, updated_at = ?2,"
	    " resolved_at = COALESCE(resolved_at, ?2) WHERE id = ?3";
	/* the later of two times, NULL counting as 0 (CASE: both engines) */
	static const char into_sql[] = "UPDATE tickets SET updated_at = ?1,"
	    " last_customer_at = CASE WHEN COALESCE(last_customer_at, 0) >="
	    "  COALESCE((SELECT f.last_customer_at FROM tickets f"
	    "  WHERE f.id = ?2), 0) THEN COALESCE(last_customer_at, 0)"
	    "  ELSE (SELECT f.last_customer_at FROM tickets f WHERE f.id = ?2)"
	    "  END WHERE id = ?3";
	struct store_q *q;

	if ((q = store_q(st, close_sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, into);
	store_q_int(q, 2, (int64_t)now);
	store_q_int(q, 3, from);
	if (store_q_exec(q, err) == -1 ||
	    (q = store_q(st, into_sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, from);
	store_q_int(q, 3, into);
	return store_q_exec(q, err);
}

/* --- for routing, assignment, SLA, ratings (store-b) --- */

/* The statuses of an open request, as SQL. */
#define TICKET_OPEN_SQL	"('new', 'open', 'pending')"

int
ticket_open_count(struct store *st, const char *agent, int64_t *count_out,
    struct error *err)
{
	static const char sql[] = "SELECT count(*) FROM tickets"
	    " WHERE assignee = ?1 AND status IN " TICKET_OPEN_SQL;
	struct store_q *q;

	*count_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, agent);
	return store_q_one_int(q, count_out, err) == -1 ? -1 : 0;
}

int
ticket_previous_assignee(struct store *st, int64_t ticket, char **agent_out,
    struct error *err)
{
	static const char sql[] = "SELECT p.assignee FROM tickets t"
	    " JOIN tickets p ON p.customer_id = t.customer_id"
	    " WHERE t.id = ?1 AND p.id <> t.id"
	    " AND p.assignee IS NOT NULL AND p.assignee <> ''"
	    " ORDER BY p.created_at DESC, p.id DESC LIMIT 1";
	struct store_q *q;

	*agent_out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	return store_q_one_text(q, agent_out, err) == -1 ? -1 : 0;
}

int
ticket_next_unassigned(struct store *st, const char *const *levels,
    size_t nlevels, bool (*take)(const char *category, void *arg), void *arg,
    int64_t *ticket_out, struct error *err)
{
	/*
	 * ?1 is ",low,normal,...," (ticket_levels): a level's offset in it
	 * grows with its rank.  SQLite-only: the scalar min() of three
	 * (PostgreSQL: LEAST) and instr() (PostgreSQL: strpos).
	 */
	static const char sql[] = "SELECT id, category FROM tickets"
	    " WHERE (assignee IS NULL OR assignee = '')"
	    " AND status IN " TICKET_OPEN_SQL
	    " AND hidden = 0 AND merged_into IS NULL AND category IS NOT NULL"
	    " ORDER BY min(coalesce(first_response_due, 9e18),"
	    "  coalesce(next_response_due, 9e18),"
	    "  coalesce(resolution_due, 9e18)),"
	    " instr(?1, ',' || priority || ',') DESC, created_at, id";
	struct ticket_filter f;
	struct store_q *q;
	enum store_step rc;
	char *order;

	*ticket_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	memset(&f, 0, sizeof(f));
	f.levels = levels;
	f.nlevels = nlevels;
	order = ticket_levels(&f);
	store_q_text(q, 1, order);
	free(order);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		if (take(store_q_col_text(q, 1), arg)) {
			*ticket_out = store_q_col_int(q, 0);
			store_q_reset(q);
			return 0;
		}
	}
	return rc == STORE_DONE ? 0 : -1;
}

/* How many columns TICKET_COLUMNS has. */
#define TICKET_NCOLUMNS	31
/* The answer times of ticket_load_sla, after TICKET_COLUMNS. */
#define TICKET_SLA_TIMES \
	" COALESCE(first_response_at, (SELECT min(m.created_at)" \
	"  FROM messages m WHERE m.ticket_id = t.id" \
	"  AND m.direction = 'out'))," \
	" (SELECT max(m.created_at) FROM messages m WHERE m.ticket_id = t.id" \
	"  AND m.direction = 'in' AND m.auto_reason IS NULL)," \
	" (SELECT max(m.created_at) FROM messages m WHERE m.ticket_id = t.id" \
	"  AND m.direction = 'out')"

int
ticket_load_sla(struct store *st, int64_t id, struct ticket *t,
    struct error *err)
{
	static const char sql[] = "SELECT " TICKET_COLUMNS ","
	    TICKET_SLA_TIMES " FROM tickets t WHERE t.id = ?1";
	struct store_q *q;
	time_t last_in, last_out;

	if ((q = ticket_load_row(st, sql, id, t, err)) == NULL)
		return -1;
	t->first_response_at = (time_t)store_q_col_int(q, TICKET_NCOLUMNS);
	last_in = (time_t)store_q_col_int(q, TICKET_NCOLUMNS + 1);
	last_out = (time_t)store_q_col_int(q, TICKET_NCOLUMNS + 2);
	store_q_reset(q);
	if (last_in > t->last_customer_at)
		t->last_customer_at = last_in;
	if (last_out > t->last_agent_at)
		t->last_agent_at = last_out;
	return 0;
}

int
ticket_save_sla(struct store *st, const struct ticket *t, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET first_response_due = ?1,"
	    " next_response_due = ?2, resolution_due = ?3, sla_check_at = ?4,"
	    " paused_at = ?5, paused_secs = ?6 WHERE id = ?7";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	ticket_bind_sla(q, 1, t);
	store_q_int(q, 7, t->id);
	return store_q_exec_later(q, err);
}

/* t's six SLA columns, as ticket_save_sla writes them, from parameter n. */
static void
ticket_bind_sla(struct store_q *q, int n, const struct ticket *t)
{
	store_q_id(q, n, (int64_t)t->first_response_due);
	store_q_id(q, n + 1, (int64_t)t->next_response_due);
	store_q_id(q, n + 2, (int64_t)t->resolution_due);
	store_q_id(q, n + 3, (int64_t)t->sla_check_at);
	store_q_id(q, n + 4, (int64_t)t->paused_at);
	store_q_int(q, n + 5, t->paused_secs);
}

/* The first column of up to max rows of q (bound) into ids. */
static int
ticket_ids(struct store_q *q, size_t max, int64_t *ids, size_t *n_out,
    struct error *err)
{
	enum store_step rc = STORE_DONE;

	*n_out = 0;
	while (*n_out < max && (rc = store_q_step(q, err)) == STORE_ROW)
		ids[(*n_out)++] = store_q_col_int(q, 0);
	if (rc == STORE_ERROR)
		return -1;
	store_q_reset(q);
	return 0;
}

int
ticket_open_ids(struct store *st, int64_t after, size_t max, int64_t *ids,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT id FROM tickets WHERE status IN "
	    TICKET_OPEN_SQL " AND hidden = 0 AND id > ?1 ORDER BY id LIMIT ?2";
	struct store_q *q;

	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, after);
	store_q_int(q, 2, (int64_t)max);
	return ticket_ids(q, max, ids, n_out, err);
}

int
ticket_sla_due(struct store *st, time_t now, size_t max, int64_t *ids,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT id FROM tickets"
	    " WHERE sla_check_at <= ?1 ORDER BY sla_check_at LIMIT ?2";
	struct store_q *q;

	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, (int64_t)max);
	return ticket_ids(q, max, ids, n_out, err);
}

int
ticket_customer_address(struct store *st, int64_t ticket, char **addr_out,
    struct error *err)
{
	static const char sql[] = "SELECT a.address FROM tickets t"
	    " JOIN customer_addresses a ON a.customer_id = t.customer_id"
	    " WHERE t.id = ?1 ORDER BY a.added_at, a.address LIMIT 1";
	struct store_q *q;

	*addr_out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	return store_q_one_text(q, addr_out, err) == -1 ? -1 : 0;
}

int
ticket_rate(struct store *st, int64_t id, int score, time_t now,
    bool *found_out, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET rating = ?1,"
	    " rated_at = ?2, updated_at = ?2 WHERE id = ?3";
	struct store_q *q;

	*found_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, score);
	store_q_int(q, 2, (int64_t)now);
	store_q_int(q, 3, id);
	if (store_q_exec(q, err) == -1)
		return -1;
	*found_out = store_q_changes(st) > 0;
	return 0;
}

int
ticket_survey_of(struct store *st, const char *message_id,
    int64_t *ticket_out, struct error *err)
{
	static const char sql[] = "SELECT m.ticket_id FROM message_ids i"
	    " JOIN messages m ON m.ticket_id = i.ticket_id"
	    " AND m.message_id = i.message_id"
	    " WHERE i.message_id = ?1 AND m.source = 'survey'";
	struct store_q *q;

	*ticket_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, message_id);
	return store_q_one_int(q, ticket_out, err) == -1 ? -1 : 0;
}

int
ticket_survey_due(struct store *st, time_t since, size_t max,
    struct ticket_survey **out, size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT t.id, t.subject,"
	    " (SELECT m.from_addr FROM messages m WHERE m.ticket_id = t.id"
	    "  AND m.direction = 'in' ORDER BY m.id DESC LIMIT 1),"
	    " (SELECT c.name FROM customers c WHERE c.id = t.customer_id),"
	    " t.customer_id, t.created_at, t.resolved_at"
	    " FROM tickets t WHERE t.survey_sent_at IS NULL"
	    " AND t.status = 'resolved' AND t.resolved_at >= ?1"
	    " AND t.rating IS NULL AND t.hidden = 0 LIMIT ?2";
	struct ticket_survey *v;
	struct store_q *q;
	enum store_step rc = STORE_DONE;

	*out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)since);
	store_q_int(q, 2, (int64_t)max);
	v = xcalloc(max + 1, sizeof(*v));
	while (*n_out < max && (rc = store_q_step(q, err)) == STORE_ROW) {
		v[*n_out].id = store_q_col_int(q, 0);
		v[*n_out].subject = store_q_col_strdup(q, 1);
		v[*n_out].to = store_q_col_strdup(q, 2);
		v[*n_out].name = store_q_col_strdup(q, 3);
		v[*n_out].customer_id = store_q_col_int(q, 4);
		v[*n_out].created_at = (time_t)store_q_col_int(q, 5);
		v[(*n_out)++].resolved_at = (time_t)store_q_col_int(q, 6);
	}
	if (rc == STORE_ERROR) {
		ticket_surveys_free(v, *n_out);
		*n_out = 0;
		return -1;
	}
	store_q_reset(q);
	*out = v;
	return 0;
}

void
ticket_surveys_free(struct ticket_survey *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].subject);
		free(v[i].to);
		free(v[i].name);
	}
	free(v);
}

int
ticket_survey_sent(struct store *st, int64_t id, time_t now,
    bool *marked_out, struct error *err)
{
	static const char sql[] = "UPDATE tickets SET survey_sent_at = ?1"
	    " WHERE id = ?2 AND survey_sent_at IS NULL";
	struct store_q *q;

	*marked_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, id);
	if (store_q_exec(q, err) == -1)
		return -1;
	*marked_out = store_q_changes(st) > 0;
	return 0;
}

int
ticket_save_routed(struct store *st, const struct ticket *t,
    struct error *err)
{
	static const char sql[] = "UPDATE tickets SET company = ?1,"
	    " category = ?2, priority = ?3, sla_policy = ?4, hidden = ?5,"
	    " assignee = ?6, updated_at = ?7, first_response_due = ?8,"
	    " next_response_due = ?9, resolution_due = ?10,"
	    " sla_check_at = ?11, paused_at = ?12, paused_secs = ?13"
	    " WHERE id = ?14";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, t->company);
	store_q_text(q, 2, t->category);
	store_q_text(q, 3, t->priority);
	store_q_text(q, 4, t->sla_policy);
	store_q_int(q, 5, t->hidden ? 1 : 0);
	store_q_text(q, 6, t->assignee);
	store_q_int(q, 7, (int64_t)t->updated_at);
	ticket_bind_sla(q, 8, t);
	store_q_int(q, 14, t->id);
	return store_q_exec_later(q, err);
}

int
ticket_raise_priority(struct store *st, int64_t id, const char *priority,
    struct error *err)
{
	static const char sql[] = "UPDATE tickets SET priority = ?1"
	    " WHERE id = ?2";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, priority);
	store_q_int(q, 2, id);
	return store_q_exec(q, err);
}

int
ticket_load_with_company(struct store *st, int64_t id, struct ticket *t,
    char **company_out, struct error *err)
{
	static const char sql[] = "SELECT " TICKET_COLUMNS ", (SELECT"
	    " c.company FROM customers c WHERE c.id = t.customer_id)"
	    " FROM tickets t WHERE t.id = ?1";
	struct store_q *q;

	*company_out = NULL;
	if ((q = ticket_load_row(st, sql, id, t, err)) == NULL)
		return -1;
	*company_out = store_q_col_strdup(q, TICKET_NCOLUMNS);
	store_q_reset(q);
	return 0;
}

/* --- for intake and the pipeline (store-c) --- */

int
ticket_list(struct store *st, const struct ticket_filter *f,
    struct ticket_row **rows_out, size_t *n_out, struct error *err)
{
	/*
	 * ?12 is ",low,normal,...," (ticket_levels): a level's offset in it
	 * grows with its rank, so instr() sorts by priority in one fixed
	 * statement.  Each ORDER BY term is NULL unless its sort is chosen.
	 * SQLite-only: instr() (store_pg.c spells it strpos).  "No limit"
	 * is INT64_MAX, which both engines take (LIMIT -1 is SQLite's).
	 */
	/*
	 * The newest first (the default) has a statement of its own: with
	 * the sorts' CASE terms SQLite sorts every request that passes
	 * before it takes the first few (`triagectl list --limit 1` on a
	 * million requests: 2 s); ordered by id alone it walks the primary
	 * key from the end and stops at the limit.  The other sorts pick
	 * the ids first and make the columns (a customer's address, the
	 * messages counted) for those only: made for every row before the
	 * sort, `--sort priority --limit 5` took 4 s.
	 */
#define TICKET_LIST_WHERE						\
	    " (?1 IS NULL OR t.status = ?1)"				\
	    " AND (?2 = 0 OR t.assignee IS NULL OR t.assignee = '')"	\
	    " AND (?3 IS NULL OR t.category = ?3"			\
	    "  OR substr(t.category, 1, length(?3) + 1) = ?3 || '"	\
	    TICKET_SEP_STR "')"						\
	    " AND (?4 IS NULL OR t.customer_id ="			\
	    "  (SELECT customer_id FROM customer_addresses WHERE address = ?4))" \
	    " AND (?5 = 0 OR t.customer_id = ?5)"			\
	    " AND (?7 IS NULL OR t.assignee = ?7)"			\
	    " AND (?8 = 0 OR NOT EXISTS (SELECT 1 FROM ticket_tags g"	\
	    "  WHERE g.ticket_id = t.id))"				\
	    " AND (?9 = 0 OR t.category IS NULL OR t.category = '')"	\
	    " AND (?10 IS NULL OR t.priority = ?10)"			\
	    " AND (?11 = 0 OR (t.status IN ('new', 'open', 'pending')"	\
	    "  AND " TICKET_DUE_SQL " < ?11))"				\
	    " AND t.hidden = ?13"
#define TICKET_LIST_ORDER						\
	    " ORDER BY"							\
	    " CASE WHEN ?14 = 1 THEN " TICKET_DUE_SQL " IS NULL END,"	\
	    " CASE WHEN ?14 = 1 THEN " TICKET_DUE_SQL " END,"		\
	    " CASE WHEN ?14 IN (1, 2) THEN instr(?12, ',' || t.priority || ',')" \
	    "  END DESC,"						\
	    " CASE WHEN ?14 IN (1, 3) THEN t.created_at END,"		\
	    " CASE WHEN ?14 IN (1, 3) THEN t.id END,"			\
	    " t.id DESC"
	static const char sql[] = "SELECT " TICKET_ROW_COLUMNS TICKET_ROW_FROM
	    " WHERE t.id IN (SELECT t.id FROM tickets t WHERE"
	    TICKET_LIST_WHERE TICKET_LIST_ORDER " LIMIT ?6)"
	    TICKET_LIST_ORDER;
	/* ?12 and ?14 bound but unused: both engines let that be */
	static const char newest_sql[] = "SELECT " TICKET_ROW_COLUMNS
	    TICKET_ROW_FROM " WHERE" TICKET_LIST_WHERE
	    " ORDER BY t.id DESC LIMIT ?6";
	struct ticket_row *rows = NULL;
	struct store_q *q;
	char *addr = NULL, *category = NULL, *levels;
	size_t n = 0, cap = 0;
	int rc;

	*rows_out = NULL;
	*n_out = 0;
	if ((q = store_q(st, f->sort == TICKET_SORT_NEWEST ? newest_sql : sql,
	    err)) == NULL)
		return -1;
	addr = ticket_address_key(f->customer);
	category = ticket_category_key(f->category);
	levels = ticket_levels(f);
	store_q_text(q, 1, f->status);
	store_q_int(q, 2, f->unassigned);
	store_q_text(q, 3, category);
	store_q_text(q, 4, addr);
	store_q_int(q, 5, f->customer_id);
	store_q_int(q, 6, f->limit == 0 ? INT64_MAX : (int64_t)f->limit);
	store_q_text(q, 7, f->assignee);
	store_q_int(q, 8, f->untagged);
	store_q_int(q, 9, f->uncategorized);
	store_q_text(q, 10, f->priority);
	store_q_int(q, 11, (int64_t)f->due_before);
	store_q_text(q, 12, levels);
	store_q_int(q, 13, f->hidden);
	store_q_int(q, 14, (int)f->sort);
	free(addr);
	free(category);
	free(levels);
	while ((rc = ticket_step(q, err)) == 1) {
		rows = ticket_grow(rows, n, &cap, sizeof(*rows));
		ticket_row_read(q, &rows[n++]);
	}
	if (rc == -1) {
		ticket_rows_free(rows, n);
		return -1;
	}
	*rows_out = rows;
	*n_out = n;
	return 0;
}

void
ticket_rows_free(struct ticket_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ticket_row_clear(&rows[i]);
	free(rows);
}

struct ticket_detail *
ticket_show(struct store *st, int64_t id, struct error *err)
{
	static const char sql[] = "SELECT " TICKET_ROW_COLUMNS ", t.source"
	    TICKET_ROW_FROM " WHERE t.id = ?1";
	struct ticket_detail *d;
	struct store_q *q;
	int rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return NULL;
	store_q_int(q, 1, id);
	if ((rc = ticket_step(q, err)) != 1) {
		if (rc == 0)
			error_set(err, ERR_PERM, "no request #%lld",
			    (long long)id);
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	ticket_row_read(q, &d->row);
	d->source = store_q_col_strdup(q, TICKET_ROW_NCOLUMNS);
	store_q_reset(q);
	if (ticket_load_cc(st, d, err) == -1 ||
	    ticket_load_messages(st, d, err) == -1 ||
	    ticket_load_outbox(st, d, err) == -1 ||
	    (d->row.customer.id != 0 && customer_language(st,
	    d->row.customer.id, &d->customer_language, err) == -1)) {
		ticket_detail_free(d);
		return NULL;
	}
	return d;
}

void
ticket_detail_free(struct ticket_detail *d)
{
	size_t i;

	if (d == NULL)
		return;
	ticket_row_clear(&d->row);
	free(d->source);
	ticket_cc_free(d->cc, d->ncc);
	for (i = 0; i < d->nmessages; i++)
		ticket_message_clear(&d->messages[i]);
	free(d->messages);
	ticket_outbox_free(d->outbox, d->noutbox);
	free(d->customer_language);
	free(d);
}

struct ticket_customer *
ticket_customer_load(struct store *st, const char *addr, struct error *err)
{
	static const char sql[] = "SELECT c.id, c.name, c.company, c.created_at"
	    " FROM customer_addresses a"
	    " JOIN customers c ON c.id = a.customer_id"
	    " WHERE a.address = ?1";
	struct ticket_filter f;
	struct ticket_customer *c;
	struct store_q *q;
	char *key;
	int rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return NULL;
	key = ticket_address_key(addr);
	store_q_text(q, 1, key);
	free(key);
	if ((rc = ticket_step(q, err)) != 1) {
		if (rc == 0)
			error_set(err, ERR_PERM, "no customer %s", addr);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->id = store_q_col_int(q, 0);
	c->name = store_q_col_strdup(q, 1);
	c->company = store_q_col_strdup(q, 2);
	c->created_at = (time_t)store_q_col_int(q, 3);
	store_q_reset(q);
	memset(&f, 0, sizeof(f));
	f.customer_id = c->id;
	if (ticket_load_addresses(st, c, err) == -1 ||
	    ticket_list(st, &f, &c->requests, &c->nrequests, err) == -1) {
		ticket_customer_free(c);
		return NULL;
	}
	return c;
}

void
ticket_customer_free(struct ticket_customer *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->name);
	free(c->company);
	for (i = 0; i < c->naddresses; i++)
		free(c->addresses[i]);
	free(c->addresses);
	ticket_rows_free(c->requests, c->nrequests);
	free(c);
}

int
ticket_outbox_list(struct store *st, const char *status,
    struct ticket_outbox **rows_out, size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT " TICKET_OUTBOX_COLUMNS
	    " FROM outbox WHERE (?1 IS NULL OR status = ?1) ORDER BY id";
	struct ticket_outbox *rows = NULL;
	struct store_q *q;
	size_t n = 0, cap = 0;
	int rc;

	*rows_out = NULL;
	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, status);
	while ((rc = ticket_step(q, err)) == 1) {
		rows = ticket_grow(rows, n, &cap, sizeof(*rows));
		ticket_outbox_read(q, &rows[n++]);
	}
	if (rc == -1) {
		ticket_outbox_free(rows, n);
		return -1;
	}
	*rows_out = rows;
	*n_out = n;
	return 0;
}

void
ticket_outbox_free(struct ticket_outbox *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ticket_outbox_clear(&rows[i]);
	free(rows);
}

bool
ticket_status_valid(const char *s)
{
	return ticket_in(s, ticket_statuses,
	    sizeof(ticket_statuses) / sizeof(ticket_statuses[0]));
}

bool
ticket_outbox_status_valid(const char *s)
{
	return ticket_in(s, ticket_outbox_statuses,
	    sizeof(ticket_outbox_statuses) / sizeof(ticket_outbox_statuses[0]));
}

int
ticket_create(struct store *st, const struct ticket_new *n, struct ticket *t,
    char **company_out, int64_t *message_id_out, struct error *err)
{
	/* its customer's newest request: one step down tickets_customer */
#define TICKET_CREATE "INSERT INTO tickets (subject, customer_id," \
	" customer_seq, source, created_at, updated_at) VALUES (?1, ?2," \
	" coalesce((SELECT customer_seq FROM tickets WHERE customer_id =" \
	" ?2 ORDER BY customer_id DESC, id DESC LIMIT 1), 0) + 1, ?3, ?4," \
	" ?4) RETURNING "
	/*
	 * SQLite: the id (store.c reads it without RETURNING's temporary
	 * table), then the row.  PostgreSQL: the row, the company and the
	 * id of the message that opens the request come back with the
	 * INSERT, one round trip where there were four (the row read by
	 * routing and by SLA, the message's INSERT ... RETURNING id).  The
	 * sequence is the one of messages.id (GENERATED ... AS IDENTITY),
	 * so the id is the one the message's INSERT would have drawn.
	 */
	static const char sql_id[] = TICKET_CREATE "id";
	static const char sql_row[] = TICKET_CREATE TICKET_COLUMNS ","
	    " (SELECT c.company FROM customers c WHERE c.id = ?2),"
	    " nextval('messages_id_seq')";
#undef TICKET_CREATE
	struct store_q *q;
	int64_t id;
	bool sqlite = store_db_sqlite(st);

	memset(t, 0, sizeof(*t));
	*company_out = NULL;
	*message_id_out = 0;
	if (n->reserve != NULL && n->reserve->id != 0)
		return ticket_create_reserved(st, n, t, company_out,
		    message_id_out, err);
	if ((q = store_q(st, sqlite ? sql_id : sql_row, err)) == NULL)
		return -1;
	store_q_text(q, 1, n->subject);
	store_q_id(q, 2, n->customer);
	store_q_text(q, 3, n->source);
	store_q_int(q, 4, (int64_t)n->now);
	if (sqlite) {
		if (store_q_returning(q, &id, err) == -1 ||
		    ticket_load_with_company(st, id, t, company_out,
		    err) == -1)
			return -1;
	} else {
		switch (store_q_step(q, err)) {
		case STORE_ROW:
			ticket_read(q, t);
			*company_out = store_q_col_strdup(q, TICKET_NCOLUMNS);
			*message_id_out = store_q_col_int(q,
			    TICKET_NCOLUMNS + 1);
			store_q_reset(q);
			break;
		case STORE_DONE:
			return error_set(err, ERR_TEMP, "database: no request "
			    "made");
		default:
			return -1;
		}
	}
	if (n->event_kind == NULL)
		return 0;
	if (history_add(st, t->id, n->now, n->event_kind, n->event_actor,
	    n->event_detail, err) == -1) {
		ticket_clear(t);
		free(*company_out);
		*company_out = NULL;
		return -1;
	}
	return 0;
}

/*
 * ticket_create with a number drawn ahead: the INSERT goes with the
 * deferred writes (a failure fails the unit later, store.h), and the row
 * is the one it makes: the columns' defaults (store_schema.c: status
 * 'new', priority 'normal', the rest NULL or 0) and what is given.  The
 * first event goes in the same statement (history_add's INSERT; its
 * foreign key is checked at the statement's end).
 */
static int
ticket_create_reserved(struct store *st, const struct ticket_new *n,
    struct ticket *t, char **company_out, int64_t *message_id_out,
    struct error *err)
{
#define TICKET_INSERT "INSERT INTO tickets (id, subject, customer_id," \
	" customer_seq, source, created_at, updated_at)" \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
	static const char sql[] = TICKET_INSERT;
	static const char sql_event[] = "WITH t AS (" TICKET_INSERT ")"
	    " INSERT INTO events (ticket_id, at, kind, actor, detail)"
	    " VALUES (?1, ?6, ?7, ?8, ?9)";
#undef TICKET_INSERT
	const struct ticket_reserve *r = n->reserve;
	struct store_q *q;

	if ((q = store_q(st, n->event_kind != NULL ? sql_event : sql,
	    err)) == NULL)
		return -1;
	store_q_int(q, 1, r->id);
	store_q_text(q, 2, n->subject);
	store_q_id(q, 3, n->customer);
	store_q_int(q, 4, r->customer_seq);
	store_q_text(q, 5, n->source);
	store_q_int(q, 6, (int64_t)n->now);
	if (n->event_kind != NULL) {
		store_q_text(q, 7, n->event_kind);
		store_q_text(q, 8, n->event_actor);
		store_q_text(q, 9, n->event_detail);
	}
	if (store_q_exec_later(q, err) == -1)
		return -1;
	t->id = r->id;
	t->subject = xstrdup(n->subject != NULL ? n->subject : "");
	t->customer_id = n->customer;
	t->status = xstrdup("new");
	t->priority = xstrdup("normal");
	t->source = xstrdup(n->source != NULL ? n->source : "");
	t->created_at = t->updated_at = n->now;
	t->customer_seq = r->customer_seq;
	*company_out = r->company != NULL ? xstrdup(r->company) : NULL;
	*message_id_out = r->message_id;
	return 0;
}

void
ticket_reserve_clear(struct ticket_reserve *r)
{
	free(r->company);
	memset(r, 0, sizeof(*r));
}

int
ticket_customer_wrote(struct store *st, int64_t id, bool *reopened_out,
    bool *unpended_out, struct error *err)
{
	static const char reopen[] = "UPDATE tickets SET status = 'open',"
	    " reopen_count = reopen_count + 1"
	    " WHERE id = ?1 AND status IN ('resolved', 'closed')";
	static const char unpend[] = "UPDATE tickets SET status = 'open'"
	    " WHERE id = ?1 AND status = 'pending'";
	struct store_q *q;

	if ((q = store_q(st, reopen, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	if (store_q_exec(q, err) == -1)
		return -1;
	*reopened_out = store_q_changes(st) > 0;
	if ((q = store_q(st, unpend, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	if (store_q_exec(q, err) == -1)
		return -1;
	*unpended_out = store_q_changes(st) > 0;
	return 0;
}

int
ticket_has_party(struct store *st, int64_t id, int64_t customer,
    const char *address, bool *on_out, struct error *err)
{
	static const char sql[] = "SELECT 1 FROM tickets t WHERE t.id = ?1 AND"
	    " (t.customer_id = ?2 OR EXISTS (SELECT 1 FROM ticket_cc c"
	    " WHERE c.ticket_id = ?1 AND c.address = ?3))";
	struct store_q *q;
	int rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, id);
	store_q_int(q, 2, customer);
	store_q_text(q, 3, address);
	if ((rc = ticket_step(q, err)) == -1)
		return -1;
	store_q_reset(q);
	*on_out = rc == 1;
	return 0;
}

/* 1: a row is ready; 0: done; -1: error (err filled). */
static int
ticket_step(struct store_q *q, struct error *err)
{
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		return 1;
	case STORE_DONE:
		return 0;
	default:
		return -1;
	}
}

/*
 * A copy of a text column with all its bytes (a body may hold NUL) and
 * a NUL after them; NULL for SQL NULL.
 */
static char *
ticket_col_bytes(struct store_q *q, int col, size_t *len_out)
{
	const void *p;
	char *copy;
	size_t len;

	*len_out = 0;
	if (store_q_col_null(q, col))
		return NULL;
	p = store_q_col_blob(q, col, &len);
	copy = xmalloc(len + 1);
	if (len > 0)
		memcpy(copy, p, len);
	copy[len] = '\0';
	*len_out = len;
	return copy;
}

static void
ticket_row_read(struct store_q *q, struct ticket_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = store_q_col_int(q, 0);
	r->subject = store_q_col_strdup(q, 1);
	r->status = store_q_col_strdup(q, 2);
	r->priority = store_q_col_strdup(q, 3);
	r->category = store_q_col_strdup(q, 4);
	r->assignee = store_q_col_strdup(q, 5);
	/* A ticket whose customer row is missing still shows, as nobody's. */
	if (!store_q_col_null(q, 7)) {
		r->customer.id = store_q_col_int(q, 6);
		r->customer.name = store_q_col_strdup(q, 7);
		r->customer.address = store_q_col_strdup(q, 8);
	}
	r->created_at = (time_t)store_q_col_int(q, 9);
	r->updated_at = (time_t)store_q_col_int(q, 10);
	r->nmessages = store_q_col_int(q, 11);
	r->due = (time_t)store_q_col_int(q, 12);
	/* An empty assignee is how some writers say "nobody". */
	if (r->assignee != NULL && *r->assignee == '\0') {
		free(r->assignee);
		r->assignee = NULL;
	}
}

static void
ticket_row_clear(struct ticket_row *r)
{
	free(r->subject);
	free(r->status);
	free(r->priority);
	free(r->category);
	free(r->assignee);
	free(r->customer.name);
	free(r->customer.address);
}

static void
ticket_outbox_read(struct store_q *q, struct ticket_outbox *o)
{
	memset(o, 0, sizeof(*o));
	o->id = store_q_col_int(q, 0);
	o->ticket_id = store_q_col_int(q, 1);
	o->kind = store_q_col_strdup(q, 2);
	o->rcpts = store_q_col_strdup(q, 3);
	o->status = store_q_col_strdup(q, 4);
	o->attempts = store_q_col_int(q, 5);
	o->created_at = (time_t)store_q_col_int(q, 6);
	o->sent_at = (time_t)store_q_col_int(q, 7);
	o->last_error = store_q_col_strdup(q, 8);
	o->claimed_by = store_q_col_strdup(q, 9);
	o->lease_until = (time_t)store_q_col_int(q, 10);
}

static void
ticket_outbox_clear(struct ticket_outbox *o)
{
	free(o->kind);
	free(o->rcpts);
	free(o->status);
	free(o->last_error);
	free(o->claimed_by);
}

/*
 * The stored form of an address typed by an admin: surrounding blanks
 * and one pair of angle brackets dropped, lowercased like customer.c
 * stores it.  NULL in, NULL out.
 */
static char *
ticket_address_key(const char *addr)
{
	const char *end;
	char *trimmed, *key;

	if (addr == NULL)
		return NULL;
	addr += strspn(addr, " \t");
	end = addr + strlen(addr);
	while (end > addr && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - addr >= 2 && *addr == '<' && end[-1] == '>') {
		addr++;
		end--;
	}
	trimmed = xstrndup(addr, (size_t)(end - addr));
	key = customer_normalize_address(trimmed);
	free(trimmed);
	return key;
}

/* "billing/" means "billing": the separator is implied by the query. */
static char *
ticket_category_key(const char *category)
{
	char *key;
	size_t len;

	if (category == NULL)
		return NULL;
	key = xstrdup(category);
	len = strlen(key);
	while (len > 1 && key[len - 1] == TICKET_CATEGORY_SEP)
		key[--len] = '\0';
	return key;
}

/* ",low,normal,high,urgent,", for ordering by instr(); NULL if none. */
static char *
ticket_levels(const struct ticket_filter *f)
{
	struct buf b;
	size_t i;

	if (f->levels == NULL || f->nlevels == 0)
		return NULL;
	buf_init(&b);
	buf_append_char(&b, ',');
	for (i = 0; i < f->nlevels; i++) {
		buf_append_str(&b, f->levels[i]);
		buf_append_char(&b, ',');
	}
	return buf_steal(&b, NULL);
}

static int
ticket_load_cc(struct store *st, struct ticket_detail *d, struct error *err)
{
	return ticket_cc_list(st, d->row.id, &d->cc, &d->ncc, err);
}

static int
ticket_load_messages(struct store *st, struct ticket_detail *d,
    struct error *err)
{
	static const char sql[] = "SELECT id, direction, message_id,"
	    " from_addr, from_name, subject, body, created_at, source,"
	    " auto_reason, parse_warning, token_flag"
	    " FROM messages WHERE ticket_id = ?1 ORDER BY id";
	struct ticket_message *m;
	struct store_q *q;
	size_t i, cap = 0;
	int rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, d->row.id);
	while ((rc = ticket_step(q, err)) == 1) {
		d->messages = ticket_grow(d->messages, d->nmessages, &cap,
		    sizeof(*d->messages));
		m = &d->messages[d->nmessages++];
		memset(m, 0, sizeof(*m));
		m->id = store_q_col_int(q, 0);
		m->direction = store_q_col_strdup(q, 1);
		m->message_id = store_q_col_strdup(q, 2);
		m->from_addr = store_q_col_strdup(q, 3);
		m->from_name = store_q_col_strdup(q, 4);
		m->subject = store_q_col_strdup(q, 5);
		m->body = ticket_col_bytes(q, 6, &m->body_len);
		m->created_at = (time_t)store_q_col_int(q, 7);
		m->source = store_q_col_strdup(q, 8);
		m->auto_reason = store_q_col_strdup(q, 9);
		m->parse_warning = store_q_col_strdup(q, 10);
		m->token_flag = store_q_col_strdup(q, 11);
	}
	if (rc == -1)
		return -1;
	/* After the loop: one statement is stepped at a time. */
	for (i = 0; i < d->nmessages; i++)
		if (ticket_load_attachments(st, &d->messages[i], err) == -1)
			return -1;
	return 0;
}

static int
ticket_load_attachments(struct store *st, struct ticket_message *m,
    struct error *err)
{
	static const char sql[] = "SELECT filename, content_type, size"
	    " FROM attachments WHERE message_id = ?1 ORDER BY id";
	struct ticket_attachment *a;
	struct store_q *q;
	size_t cap = 0;
	int rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, m->id);
	while ((rc = ticket_step(q, err)) == 1) {
		m->attachments = ticket_grow(m->attachments, m->nattachments,
		    &cap, sizeof(*m->attachments));
		a = &m->attachments[m->nattachments++];
		a->filename = store_q_col_strdup(q, 0);
		a->content_type = store_q_col_strdup(q, 1);
		a->size = store_q_col_int(q, 2);
	}
	return rc;
}

static int
ticket_load_outbox(struct store *st, struct ticket_detail *d,
    struct error *err)
{
	static const char sql[] = "SELECT " TICKET_OUTBOX_COLUMNS
	    " FROM outbox WHERE ticket_id = ?1 ORDER BY id";
	struct store_q *q;
	size_t cap = 0;
	int rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, d->row.id);
	while ((rc = ticket_step(q, err)) == 1) {
		d->outbox = ticket_grow(d->outbox, d->noutbox, &cap,
		    sizeof(*d->outbox));
		ticket_outbox_read(q, &d->outbox[d->noutbox++]);
	}
	return rc;
}

static int
ticket_load_addresses(struct store *st, struct ticket_customer *c,
    struct error *err)
{
	static const char sql[] = "SELECT address FROM customer_addresses"
	    " WHERE customer_id = ?1 ORDER BY added_at, address";
	struct store_q *q;
	size_t cap = 0;
	int rc;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, c->id);
	while ((rc = ticket_step(q, err)) == 1) {
		c->addresses = ticket_grow(c->addresses, c->naddresses, &cap,
		    sizeof(*c->addresses));
		c->addresses[c->naddresses++] = store_q_col_strdup(q, 0);
	}
	return rc;
}

static void
ticket_message_clear(struct ticket_message *m)
{
	size_t i;

	free(m->direction);
	free(m->message_id);
	free(m->from_name);
	free(m->from_addr);
	free(m->subject);
	free(m->body);
	free(m->source);
	free(m->auto_reason);
	free(m->parse_warning);
	free(m->token_flag);
	for (i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
	}
	free(m->attachments);
}

/* Room for element n of an array of elements of size bytes. */
static void *
ticket_grow(void *array, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return array;
	*cap = *cap == 0 ? 8 : *cap * 2;
	return xreallocarray(array, *cap, size);
}

static bool
ticket_in(const char *s, const char *const *set, size_t n)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return true;
	return false;
}

/*
 * Runs sql, an UPDATE of request id (a string literal), with ?1 = value
 * (NULL binds NULL), ?2 = now and ?3 = id: a deferred write (nobody
 * reads what it changed; a failure fails the unit at its next read).
 */
static int
ticket_update(struct store *st, const char *sql, int64_t id,
    const char *value, time_t now, struct error *err)
{
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, value);
	store_q_int(q, 2, (int64_t)now);
	store_q_int(q, 3, id);
	return store_q_exec_later(q, err);
}
