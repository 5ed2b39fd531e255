/*
 * mailbox_state: the SQL for the mailbox_state table.  Every write is
 * its own small transaction on the caller's connection (a poller's), so
 * it never waits inside the writer's group commit and never holds a
 * lock across network I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mailbox_state.h"
#include "store.h"
#include "xmalloc.h"

static int	mailbox_state_write(struct store *, sqlite3_stmt *,
		    struct error *);
static void	mailbox_state_read_row(sqlite3_stmt *, struct mailbox_state *);
static char	*mailbox_state_text(sqlite3_stmt *, int);
static int	mailbox_state_table_exists(struct store *, bool *,
		    struct error *);

#define MAILBOX_STATE_COLUMNS \
	"name, uidvalidity, last_uid, state, last_success, last_error," \
	" last_error_at, backlog, taken"

int
mailbox_state_get(struct store *st, const char *name,
    struct mailbox_state *out, bool *found, struct error *err)
{
	static const char sql[] = "SELECT " MAILBOX_STATE_COLUMNS
	    " FROM mailbox_state WHERE name = ?";
	sqlite3_stmt *stmt;
	int rc;

	memset(out, 0, sizeof(*out));
	out->uidvalidity = out->last_uid = -1;
	*found = false;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		mailbox_state_read_row(stmt, out);
		*found = true;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "mailbox state", err);
	return 0;
}

void
mailbox_state_clear(struct mailbox_state *s)
{
	free(s->name);
	free(s->state);
	free(s->last_error);
	memset(s, 0, sizeof(*s));
}

int
mailbox_state_set(struct store *st, const char *name, const char *state,
    const char *why, time_t now, struct error *err)
{
	static const char sql[] = "INSERT INTO mailbox_state"
	    " (name, state, last_error, last_error_at) VALUES (?1, ?2, ?3,"
	    " CASE WHEN ?3 IS NULL THEN NULL ELSE ?4 END)"
	    " ON CONFLICT (name) DO UPDATE SET state = ?2,"
	    " last_error = COALESCE(?3, last_error),"
	    " last_error_at = CASE WHEN ?3 IS NULL THEN last_error_at"
	    " ELSE ?4 END";
	sqlite3_stmt *stmt;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	if (why != NULL)
		sqlite3_bind_text(stmt, 3, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, (sqlite3_int64)now);
	return mailbox_state_write(st, stmt, err);
}

int
mailbox_state_set_uidvalidity(struct store *st, const char *name,
    int64_t uidvalidity, struct error *err)
{
	static const char sql[] = "INSERT INTO mailbox_state"
	    " (name, uidvalidity, last_uid) VALUES (?1, ?2, 0)"
	    " ON CONFLICT (name) DO UPDATE SET uidvalidity = ?2,"
	    " last_uid = 0";
	sqlite3_stmt *stmt;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, uidvalidity);
	return mailbox_state_write(st, stmt, err);
}

int
mailbox_state_round(struct store *st, const char *name, const char *state,
    int64_t last_uid, int64_t taken, int64_t backlog, time_t now,
    struct error *err)
{
	static const char sql[] = "INSERT INTO mailbox_state"
	    " (name, state, last_uid, taken, backlog, last_success)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT (name) DO UPDATE SET state = ?2,"
	    " last_uid = MAX(COALESCE(last_uid, 0), ?3),"
	    " taken = taken + ?4, backlog = ?5, last_success = ?6";
	sqlite3_stmt *stmt;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, last_uid);
	sqlite3_bind_int64(stmt, 4, taken);
	sqlite3_bind_int64(stmt, 5, backlog);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)now);
	return mailbox_state_write(st, stmt, err);
}

int
mailbox_state_list(struct store *st, struct mailbox_state **rows_out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT " MAILBOX_STATE_COLUMNS
	    " FROM mailbox_state ORDER BY name";
	struct mailbox_state *rows = NULL;
	sqlite3_stmt *stmt;
	size_t n = 0;
	bool exists = false;
	int rc;

	*rows_out = NULL;
	*n_out = 0;
	if (mailbox_state_table_exists(st, &exists, err) == -1)
		return -1;
	if (!exists)
		return 0;
	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		mailbox_state_read_row(stmt, &rows[n++]);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		mailbox_state_free(rows, n);
		return store_error(st, "mailbox states", err);
	}
	*rows_out = rows;
	*n_out = n;
	return 0;
}

void
mailbox_state_free(struct mailbox_state *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mailbox_state_clear(&rows[i]);
	free(rows);
}

/* One statement in a transaction of its own: durable when we return. */
static int
mailbox_state_write(struct store *st, sqlite3_stmt *stmt, struct error *err)
{
	if (store_begin(st, err) == -1) {
		sqlite3_reset(stmt);
		return -1;
	}
	if (store_step_done(st, stmt, err) == -1 ||
	    store_commit(st, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

static void
mailbox_state_read_row(sqlite3_stmt *stmt, struct mailbox_state *s)
{
	s->name = mailbox_state_text(stmt, 0);
	s->uidvalidity = sqlite3_column_type(stmt, 1) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(stmt, 1);
	s->last_uid = sqlite3_column_type(stmt, 2) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(stmt, 2);
	s->state = mailbox_state_text(stmt, 3);
	s->last_success = (time_t)sqlite3_column_int64(stmt, 4);
	s->last_error = mailbox_state_text(stmt, 5);
	s->last_error_at = (time_t)sqlite3_column_int64(stmt, 6);
	s->backlog = sqlite3_column_int64(stmt, 7);
	s->taken = sqlite3_column_int64(stmt, 8);
}

static char *
mailbox_state_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/* triagectl opens read-only and cannot migrate an old database. */
static int
mailbox_state_table_exists(struct store *st, bool *exists,
    struct error *err)
{
	static const char sql[] = "SELECT 1 FROM sqlite_master"
	    " WHERE type = 'table' AND name = 'mailbox_state'";
	sqlite3_stmt *stmt;
	int rc;

	if ((stmt = store_stmt(st, sql, err)) == NULL)
		return -1;
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, "mailbox states", err);
	*exists = rc == SQLITE_ROW;
	return 0;
}
