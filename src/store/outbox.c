/*
 * outbox: the rows of outgoing mail.  Enqueueing happens inside the
 * caller's transaction (the ticket change and the mail it triggers commit
 * together, promise 1); the sender reads due rows by the (status,
 * next_attempt_at) index and marks each one after the delivery attempt.
 * A crash between delivery and mark leaves the row queued, so the mail is
 * sent at most once more and never lost.
 *
 * Every SELECT statement is reset as soon as it has been read: a cached
 * statement left mid-step would hold a WAL read snapshot open.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "outbox.h"
#include "store.h"
#include "xmalloc.h"

static int	outbox_read_row(sqlite3_stmt *, struct outbox_item *);
static char	*outbox_text(sqlite3_stmt *, int);

int
outbox_enqueue(struct store *st, int64_t ticket_id, const char *kind,
    const char *mail_from, const char *rcpts, const char *message_id,
    const char *data, size_t len, time_t now, struct error *err)
{
	sqlite3_stmt *stmt;

	stmt = store_stmt(st, "INSERT INTO outbox (ticket_id, kind, mail_from,"
	    " rcpts, message_id, data, created_at, next_attempt_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (stmt == NULL)
		return -1;
	if (ticket_id != 0)
		sqlite3_bind_int64(stmt, 1, ticket_id);
	else
		sqlite3_bind_null(stmt, 1);
	sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, mail_from, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, rcpts, -1, SQLITE_STATIC);
	if (message_id != NULL)
		sqlite3_bind_text(stmt, 5, message_id, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 5);
	sqlite3_bind_blob64(stmt, 6, data, len, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, 8, (sqlite3_int64)now);
	return store_step_done(st, stmt, err);
}

/*
 * Acknowledgements go to one address, so the rcpts column equals it
 * exactly (the outbox_rcpt index serves this query).
 */
int
outbox_count_recent(struct store *st, const char *rcpt, const char *kind,
    time_t since, int *count_out, struct error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	stmt = store_stmt(st, "SELECT count(*) FROM outbox"
	    " WHERE rcpts = ? AND kind = ? AND created_at >= ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)since);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		store_error(st, "outbox count", err);
		sqlite3_reset(stmt);
		return -1;
	}
	*count_out = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return 0;
}

int
outbox_due(struct store *st, time_t now, size_t max,
    struct outbox_item **items_out, size_t *n_out, struct error *err)
{
	sqlite3_stmt *stmt;
	struct outbox_item *items = NULL;
	size_t n = 0;
	int rc;

	*items_out = NULL;
	*n_out = 0;
	stmt = store_stmt(st, "SELECT id, ticket_id, kind, mail_from, rcpts,"
	    " message_id, data, attempts, created_at FROM outbox"
	    " WHERE status = 'queued' AND next_attempt_at <= ?"
	    " ORDER BY next_attempt_at, id LIMIT ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		items = xreallocarray(items, n + 1, sizeof(*items));
		outbox_read_row(stmt, &items[n++]);
	}
	if (rc != SQLITE_DONE) {
		store_error(st, "outbox due", err);
		sqlite3_reset(stmt);
		outbox_items_free(items, n);
		return -1;
	}
	sqlite3_reset(stmt);
	*items_out = items;
	*n_out = n;
	return 0;
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
outbox_next_due(struct store *st, time_t *when_out, struct error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	*when_out = 0;
	stmt = store_stmt(st, "SELECT min(next_attempt_at) FROM outbox"
	    " WHERE status = 'queued'", err);
	if (stmt == NULL)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		store_error(st, "outbox next due", err);
		sqlite3_reset(stmt);
		return -1;
	}
	if (sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		*when_out = (time_t)sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return 0;
}

/* attempts counts delivery attempts, the successful one included. */
int
outbox_mark_sent(struct store *st, int64_t id, time_t now, struct error *err)
{
	sqlite3_stmt *stmt;

	stmt = store_stmt(st, "UPDATE outbox SET status = 'sent',"
	    " attempts = attempts + 1, sent_at = ?, last_error = NULL"
	    " WHERE id = ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(stmt, 2, id);
	return store_step_done(st, stmt, err);
}

int
outbox_mark_retry(struct store *st, int64_t id, time_t retry_at,
    const char *why, struct error *err)
{
	sqlite3_stmt *stmt;

	stmt = store_stmt(st, "UPDATE outbox SET attempts = attempts + 1,"
	    " next_attempt_at = ?, last_error = ? WHERE id = ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)retry_at);
	sqlite3_bind_text(stmt, 2, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, id);
	return store_step_done(st, stmt, err);
}

int
outbox_mark_failed(struct store *st, int64_t id, const char *why,
    struct error *err)
{
	sqlite3_stmt *stmt;

	stmt = store_stmt(st, "UPDATE outbox SET status = 'failed',"
	    " attempts = attempts + 1, last_error = ? WHERE id = ?", err);
	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, id);
	return store_step_done(st, stmt, err);
}

static int
outbox_read_row(sqlite3_stmt *stmt, struct outbox_item *it)
{
	const void *blob;
	int len;

	it->id = sqlite3_column_int64(stmt, 0);
	it->ticket_id = sqlite3_column_type(stmt, 1) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(stmt, 1);
	it->kind = outbox_text(stmt, 2);
	it->mail_from = outbox_text(stmt, 3);
	it->rcpts = outbox_text(stmt, 4);
	it->message_id = sqlite3_column_type(stmt, 5) == SQLITE_NULL ? NULL :
	    outbox_text(stmt, 5);
	blob = sqlite3_column_blob(stmt, 6);
	len = sqlite3_column_bytes(stmt, 6);
	/* NUL-terminated as a convenience; len is the truth. */
	it->data = xmalloc((size_t)len + 1);
	if (len > 0)
		memcpy(it->data, blob, (size_t)len);
	it->data[len] = '\0';
	it->len = (size_t)len;
	it->attempts = sqlite3_column_int(stmt, 7);
	it->created_at = (time_t)sqlite3_column_int64(stmt, 8);
	return 0;
}

static char *
outbox_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return xstrdup(t != NULL ? (const char *)t : "");
}
