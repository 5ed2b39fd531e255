/*
 * outbox: the rows of outgoing mail.  Enqueueing happens inside the
 * caller's transaction (the ticket change and the mail it triggers commit
 * together, promise 1); the sender reads due rows by the (status,
 * next_attempt_at) index and marks each one after the delivery attempt.
 * A crash between delivery and mark leaves the row queued, so the mail is
 * never lost; sender.c makes sure it is not delivered twice (Maildir) or
 * at most once more (smarthost).
 *
 * Every SELECT statement is reset as soon as it has been read: a cached
 * statement left mid-step would hold a WAL read snapshot open.
 *
 * Several instances on one PostgreSQL database: the sender claims due
 * rows with a lease (outbox_claim), renews it while it delivers, and
 * every mark ends the claim; a row whose lease ran out is taken over.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "outbox.h"
#include "store.h"
#include "store_db.h"
#include "thread_id.h"
#include "xmalloc.h"

/* The columns outbox_read_row reads, in its order. */
#define OUTBOX_ITEM_COLUMNS \
	"id, ticket_id, kind, mail_from, rcpts, message_id, data, attempts," \
	" created_at"

static int	outbox_read_rows(struct store_q *, struct outbox_item **,
		    size_t *, struct error *);
static void	outbox_read_row(struct store_q *, struct outbox_item *);
static char	*outbox_text(struct store_q *, int);
static int	 outbox_cmp_id(const void *, const void *);

int
outbox_add(struct store *st, const struct outbox_mail *m, struct error *err)
{
#define OUTBOX_INSERT "INSERT INTO outbox (ticket_id, kind, mail_from," \
	    " rcpts, message_id, data, created_at, next_attempt_at," \
	    " origin_sender, origin_client) VALUES (?1, ?2, ?3, ?4, ?5, ?6," \
	    " ?7, ?7, ?8, ?9)"
	static const char sql[] = OUTBOX_INSERT;
	/* PostgreSQL: the row and its thread id (thread_id_remember's) */
	static const char sql_thread[] = "WITH o AS (" OUTBOX_INSERT ")"
	    " INSERT INTO message_ids (message_id, ticket_id) VALUES (?5, ?1)"
	    " ON CONFLICT DO NOTHING";
#undef OUTBOX_INSERT
	struct store_q *q;
	bool threads = m->threads && m->ticket_id != 0 &&
	    m->message_id != NULL && *m->message_id != '\0';
	bool merged = threads && !store_db_sqlite(st);

	if ((q = store_q(st, merged ? sql_thread : sql, err)) == NULL)
		return -1;
	store_q_id(q, 1, m->ticket_id);
	store_q_text(q, 2, m->kind);
	store_q_text(q, 3, m->mail_from);
	store_q_text(q, 4, m->rcpts);
	store_q_text(q, 5, m->message_id);
	store_q_blob(q, 6, m->data, m->len);
	store_q_int(q, 7, (int64_t)m->now);
	store_q_text(q, 8, m->origin_sender);
	store_q_text(q, 9, m->origin_client);
	if (store_q_exec_later(q, err) == -1)
		return -1;
	if (threads && !merged)
		return thread_id_remember(st, m->message_id, m->ticket_id,
		    err);
	return 0;
}

int
outbox_enqueue(struct store *st, int64_t ticket_id, const char *kind,
    const char *mail_from, const char *rcpts, const char *message_id,
    const char *data, size_t len, time_t now, struct error *err)
{
	struct outbox_mail m = {
		.ticket_id = ticket_id, .kind = kind, .mail_from = mail_from,
		.rcpts = rcpts, .message_id = message_id, .data = data,
		.len = len, .now = now,
	};

	return outbox_add(st, &m, err);
}

/*
 * Acknowledgements go to one address, so the rcpts column equals it
 * exactly (the outbox_rcpt index serves this query).
 */
int
outbox_count_recent(struct store *st, const char *rcpt, const char *kind,
    time_t since, int *count_out, struct error *err)
{
	struct store_q *q;
	enum store_step rc;

	q = store_q(st, "SELECT count(*) FROM outbox"
	    " WHERE rcpts = ?1 AND kind = ?2 AND created_at >= ?3", err);
	if (q == NULL)
		return -1;
	store_q_text(q, 1, rcpt);
	store_q_text(q, 2, kind);
	store_q_int(q, 3, (int64_t)since);
	if ((rc = store_q_step(q, err)) != STORE_ROW)
		return rc == STORE_ERROR ? -1 :
		    error_set(err, ERR_INTERNAL, "outbox count: no row");
	*count_out = (int)store_q_col_int(q, 0);
	store_q_reset(q);
	return 0;
}

/* The partial indexes outbox_origin_sender/_client serve these. */
int
outbox_count_origin(struct store *st, enum outbox_origin origin,
    const char *value, const char *kind, time_t since, int *count_out,
    struct error *err)
{
	struct store_q *q;
	enum store_step rc;

	if (origin == OUTBOX_ORIGIN_SENDER)
		q = store_q(st, "SELECT count(*) FROM outbox WHERE"
		    " origin_sender = ?1 AND kind = ?2 AND created_at >= ?3",
		    err);
	else
		q = store_q(st, "SELECT count(*) FROM outbox WHERE"
		    " origin_client = ?1 AND kind = ?2 AND created_at >= ?3",
		    err);
	if (q == NULL)
		return -1;
	store_q_text(q, 1, value);
	store_q_text(q, 2, kind);
	store_q_int(q, 3, (int64_t)since);
	if ((rc = store_q_step(q, err)) != STORE_ROW)
		return rc == STORE_ERROR ? -1 :
		    error_set(err, ERR_INTERNAL, "outbox count: no row");
	*count_out = (int)store_q_col_int(q, 0);
	store_q_reset(q);
	return 0;
}

int
outbox_due(struct store *st, time_t now, size_t max,
    struct outbox_item **items_out, size_t *n_out, struct error *err)
{
	struct store_q *q;

	*items_out = NULL;
	*n_out = 0;
	q = store_q(st, "SELECT " OUTBOX_ITEM_COLUMNS " FROM outbox"
	    " WHERE status = 'queued' AND next_attempt_at <= ?1"
	    " ORDER BY next_attempt_at, id LIMIT ?2", err);
	if (q == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, (int64_t)max);
	return outbox_read_rows(q, items_out, n_out, err);
}

/*
 * PostgreSQL-only: FOR UPDATE SKIP LOCKED.  Rows another instance is
 * claiming in a transaction not yet committed are skipped rather than
 * waited for, and under READ COMMITTED a row whose claim committed
 * meanwhile is checked again against its new lease_until, so two
 * instances never take one row.  Our own rows (claimed_by = owner) are
 * taken again: a batch the sender dropped (stopped early, a failed
 * record) must not wait for its lease while its renewals keep it alive.
 */
int
outbox_claim(struct store *st, const char *owner, time_t now,
    time_t lease_until, size_t max, struct outbox_item **items_out,
    size_t *n_out, struct error *err)
{
	struct store_q *q;

	if (store_db_sqlite(st))
		return outbox_due(st, now, max, items_out, n_out, err);
	*items_out = NULL;
	*n_out = 0;
	q = store_q(st, "UPDATE outbox SET claimed_by = ?1, lease_until = ?2"
	    " WHERE id IN (SELECT id FROM outbox WHERE status = 'queued'"
	    " AND next_attempt_at <= ?3 AND (lease_until IS NULL"
	    " OR lease_until < ?3 OR claimed_by = ?1)"
	    " ORDER BY next_attempt_at, id LIMIT ?4 FOR UPDATE SKIP LOCKED)"
	    " RETURNING " OUTBOX_ITEM_COLUMNS, err);
	if (q == NULL)
		return -1;
	store_q_text(q, 1, owner);
	store_q_int(q, 2, (int64_t)lease_until);
	store_q_int(q, 3, (int64_t)now);
	store_q_int(q, 4, (int64_t)max);
	if (outbox_read_rows(q, items_out, n_out, err) == -1)
		return -1;
	/* RETURNING has no order: oldest first, as outbox_due */
	if (*n_out > 1)
		qsort(*items_out, *n_out, sizeof(**items_out), outbox_cmp_id);
	return 0;
}

int
outbox_renew(struct store *st, const char *owner, time_t lease_until,
    struct error *err)
{
	struct store_q *q;

	if (store_db_sqlite(st))
		return 0;
	q = store_q(st, "UPDATE outbox SET lease_until = ?2"
	    " WHERE claimed_by = ?1 AND status = 'queued'", err);
	if (q == NULL)
		return -1;
	store_q_text(q, 1, owner);
	store_q_int(q, 2, (int64_t)lease_until);
	return store_q_exec(q, err);
}

int
outbox_release(struct store *st, const char *owner, struct error *err)
{
	struct store_q *q;

	if (store_db_sqlite(st))
		return 0;
	q = store_q(st, "UPDATE outbox SET claimed_by = NULL,"
	    " lease_until = NULL WHERE claimed_by = ?1 AND status = 'queued'",
	    err);
	if (q == NULL)
		return -1;
	store_q_text(q, 1, owner);
	return store_q_exec(q, err);
}

static int
outbox_cmp_id(const void *a, const void *b)
{
	const struct outbox_item *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void
outbox_items_free(struct outbox_item *items, size_t n)
{
	size_t i;

	if (items == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(items[i].kind);
		free(items[i].mail_from);
		free(items[i].rcpts);
		free(items[i].message_id);
		free(items[i].data);
	}
	free(items);
}

int
outbox_queued_at(struct store *st, int64_t ticket, const char *kind,
    const char *rcpt, time_t at, bool *yes_out, struct error *err)
{
	static const char sql[] = "SELECT 1 FROM outbox WHERE ticket_id = ?1"
	    " AND kind = ?2 AND rcpts = ?3 AND created_at = ?4 LIMIT 1";
	struct store_q *q;
	enum store_step rc;

	*yes_out = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, ticket);
	store_q_text(q, 2, kind);
	store_q_text(q, 3, rcpt);
	store_q_int(q, 4, (int64_t)at);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	*yes_out = rc == STORE_ROW;
	store_q_reset(q);
	return 0;
}

int
outbox_latest_message_id(struct store *st, int64_t ticket, const char *kind,
    const char *rcpt, time_t since, char **out, struct error *err)
{
	static const char sql[] = "SELECT message_id FROM outbox"
	    " WHERE rcpts = ?1 AND kind = ?2 AND created_at >= ?3"
	    " AND ticket_id = ?4 AND message_id IS NOT NULL"
	    " ORDER BY created_at DESC, id DESC LIMIT 1";
	struct store_q *q;
	enum store_step rc;

	*out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, rcpt);
	store_q_text(q, 2, kind);
	store_q_int(q, 3, (int64_t)since);
	store_q_int(q, 4, ticket);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	if (rc == STORE_ROW) {
		*out = store_q_col_strdup(q, 0);
		store_q_reset(q);
	}
	return 0;
}

int
outbox_queued_ids(struct store *st, int64_t **ids_out, size_t *n_out,
    struct error *err)
{
	struct store_q *q;
	enum store_step rc;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;

	*ids_out = NULL;
	*n_out = 0;
	q = store_q(st, "SELECT id FROM outbox WHERE status = 'queued'"
	    " ORDER BY id", err);
	if (q == NULL)
		return -1;
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 64;
			ids = xreallocarray(ids, cap, sizeof(*ids));
		}
		ids[n++] = store_q_col_int(q, 0);
	}
	if (rc == STORE_ERROR) {
		free(ids);
		return -1;
	}
	*ids_out = ids;
	*n_out = n;
	return 0;
}

int
outbox_next_due(struct store *st, time_t *when_out, struct error *err)
{
	struct store_q *q;
	enum store_step rc;

	*when_out = 0;
	q = store_q(st, "SELECT min(next_attempt_at) FROM outbox"
	    " WHERE status = 'queued'", err);
	if (q == NULL)
		return -1;
	if ((rc = store_q_step(q, err)) != STORE_ROW)
		return rc == STORE_ERROR ? -1 :
		    error_set(err, ERR_INTERNAL, "outbox next due: no row");
	if (!store_q_col_null(q, 0))
		*when_out = (time_t)store_q_col_int(q, 0);
	store_q_reset(q);
	return 0;
}

/*
 * The marks are writes nobody reads back: deferred (store_q_exec_later),
 * so a batch of them costs the sender's unit one round trip on
 * PostgreSQL, not one each; a failure fails the unit's commit.
 * attempts counts delivery attempts, the successful one included.
 */
/* A sent row, sent at ?1; the WHERE clause names the rows by ?2. */
#define OUTBOX_SENT "UPDATE outbox SET status = 'sent'," \
	" attempts = attempts + 1, sent_at = ?1, last_error = NULL," \
	" claimed_by = NULL, lease_until = NULL WHERE "

int
outbox_mark_sent(struct store *st, int64_t id, time_t now, struct error *err)
{
	struct store_q *q;

	q = store_q(st, OUTBOX_SENT "id = ?2", err);
	if (q == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)now);
	store_q_int(q, 2, id);
	return store_q_exec_later(q, err);
}

/*
 * The ids as one text bound to one parameter: a JSON array that SQLite's
 * json_each walks, an array literal PostgreSQL casts, so a batch of
 * deliveries is one statement (and one statement text) whatever its size.
 */
int
outbox_mark_sent_all(struct store *st, const int64_t *ids, size_t n,
    time_t now, struct error *err)
{
	static const char lite[] = OUTBOX_SENT
	    "id IN (SELECT value FROM json_each(?2))";
	static const char pg[] = OUTBOX_SENT "id = ANY (?2::bigint[])";
	struct store_q *q;
	struct buf list;
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	if (n == 1)
		return outbox_mark_sent(st, ids[0], now, err);
	if ((q = store_q(st, store_db_sqlite(st) ? lite : pg, err)) == NULL)
		return -1;
	buf_init(&list);
	buf_append_char(&list, store_db_sqlite(st) ? '[' : '{');
	for (i = 0; i < n; i++)
		buf_printf(&list, "%s%lld", i > 0 ? "," : "",
		    (long long)ids[i]);
	buf_append_str(&list, store_db_sqlite(st) ? "]" : "}");
	store_q_int(q, 1, (int64_t)now);
	store_q_text(q, 2, list.data);
	rc = store_q_exec_later(q, err);
	buf_release(&list);
	return rc;
}

int
outbox_mark_retry(struct store *st, int64_t id, time_t retry_at,
    const char *why, struct error *err)
{
	struct store_q *q;

	q = store_q(st, "UPDATE outbox SET attempts = attempts + 1,"
	    " next_attempt_at = ?1, last_error = ?2, claimed_by = NULL,"
	    " lease_until = NULL WHERE id = ?3", err);
	if (q == NULL)
		return -1;
	store_q_int(q, 1, (int64_t)retry_at);
	store_q_text(q, 2, why);
	store_q_int(q, 3, id);
	return store_q_exec_later(q, err);
}

int
outbox_mark_failed(struct store *st, int64_t id, const char *why,
    struct error *err)
{
	struct store_q *q;

	q = store_q(st, "UPDATE outbox SET status = 'failed',"
	    " attempts = attempts + 1, last_error = ?1, claimed_by = NULL,"
	    " lease_until = NULL WHERE id = ?2", err);
	if (q == NULL)
		return -1;
	store_q_text(q, 1, why);
	store_q_int(q, 2, id);
	return store_q_exec_later(q, err);
}

/*
 * Every row q gives (OUTBOX_ITEM_COLUMNS), the due rows' SELECT and the
 * claim's RETURNING alike, into a new array: 0, or -1 + err (nothing
 * returned).
 */
static int
outbox_read_rows(struct store_q *q, struct outbox_item **items_out,
    size_t *n_out, struct error *err)
{
	struct outbox_item *items = NULL;
	enum store_step rc;
	size_t n = 0;

	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		items = xreallocarray(items, n + 1, sizeof(*items));
		outbox_read_row(q, &items[n++]);
	}
	if (rc == STORE_ERROR) {
		outbox_items_free(items, n);
		return -1;
	}
	*items_out = items;
	*n_out = n;
	return 0;
}

static void
outbox_read_row(struct store_q *q, struct outbox_item *it)
{
	const void *blob;
	size_t len;

	it->id = store_q_col_int(q, 0);
	it->ticket_id = store_q_col_int(q, 1);
	it->kind = outbox_text(q, 2);
	it->mail_from = outbox_text(q, 3);
	it->rcpts = outbox_text(q, 4);
	it->message_id = store_q_col_strdup(q, 5);
	blob = store_q_col_blob(q, 6, &len);
	/* NUL-terminated as a convenience; len is the truth. */
	it->data = xmalloc(len + 1);
	if (len > 0)
		memcpy(it->data, blob, len);
	it->data[len] = '\0';
	it->len = len;
	it->attempts = (int)store_q_col_int(q, 7);
	it->created_at = (time_t)store_q_col_int(q, 8);
}

/* A copy of a text column; "" for NULL. */
static char *
outbox_text(struct store_q *q, int col)
{
	const char *t = store_q_col_text(q, col);

	return xstrdup(t != NULL ? t : "");
}
