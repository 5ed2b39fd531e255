/*
 * mailbox_state: the SQL for the mailbox_state table.  The daemon's IMAP
 * workers run these calls as units of the store writer (imap_poller.c),
 * so each write commits with the writer's batch and no lock is ever held
 * across network I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "mailbox_state.h"
#include "store.h"
#include "store_db.h"
#include "xmalloc.h"

static int	mailbox_state_write(struct store *, struct store_q *,
		    struct error *);
static void	mailbox_state_read_row(struct store_q *,
		    struct mailbox_state *);
static int64_t	mailbox_state_int(struct store_q *, int);
static int	mailbox_state_table_exists(struct store *, bool *,
		    struct error *);

#define MAILBOX_STATE_COLUMNS \
	"name, uidvalidity, last_uid, state, last_success, last_error," \
	" last_error_at, backlog, taken, import_uid"

int
mailbox_state_get(struct store *st, const char *name,
    struct mailbox_state *out, bool *found, struct error *err)
{
	static const char sql[] = "SELECT " MAILBOX_STATE_COLUMNS
	    " FROM mailbox_state WHERE name = ?1";
	struct store_q *q;
	enum store_step rc;

	memset(out, 0, sizeof(*out));
	out->uidvalidity = out->last_uid = out->import_uid = -1;
	*found = false;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, name);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	if (rc == STORE_ROW) {
		mailbox_state_read_row(q, out);
		*found = true;
	}
	store_q_reset(q);
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
	    " last_error = COALESCE(?3, mailbox_state.last_error),"
	    " last_error_at = CASE WHEN ?3 IS NULL"
	    " THEN mailbox_state.last_error_at ELSE ?4 END";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, name);
	store_q_text(q, 2, state);
	store_q_text(q, 3, why);
	store_q_int(q, 4, (int64_t)now);
	return mailbox_state_write(st, q, err);
}

int
mailbox_state_set_uidvalidity(struct store *st, const char *name,
    int64_t uidvalidity, struct error *err)
{
	static const char sql[] = "INSERT INTO mailbox_state"
	    " (name, uidvalidity, last_uid) VALUES (?1, ?2, 0)"
	    " ON CONFLICT (name) DO UPDATE SET uidvalidity = ?2,"
	    " last_uid = 0";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, name);
	store_q_int(q, 2, uidvalidity);
	return mailbox_state_write(st, q, err);
}

int
mailbox_state_onboard(struct store *st, const char *name,
    int64_t uidvalidity, int64_t import_uid, struct error *err)
{
	static const char sql[] = "INSERT INTO mailbox_state"
	    " (name, uidvalidity, last_uid, import_uid) VALUES (?1, ?2, 0, ?3)"
	    " ON CONFLICT (name) DO UPDATE SET uidvalidity = ?2,"
	    " last_uid = 0, import_uid = ?3";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, name);
	store_q_int(q, 2, uidvalidity);
	store_q_int(q, 3, import_uid);
	return mailbox_state_write(st, q, err);
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
	    " last_uid = CASE WHEN COALESCE(mailbox_state.last_uid, 0) > ?3"
	    " THEN COALESCE(mailbox_state.last_uid, 0) ELSE ?3 END,"
	    " taken = mailbox_state.taken + ?4, backlog = ?5,"
	    " last_success = ?6";
	struct store_q *q;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, name);
	store_q_text(q, 2, state);
	store_q_int(q, 3, last_uid);
	store_q_int(q, 4, taken);
	store_q_int(q, 5, backlog);
	store_q_int(q, 6, (int64_t)now);
	return mailbox_state_write(st, q, err);
}

int
mailbox_state_list(struct store *st, struct mailbox_state **rows_out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT " MAILBOX_STATE_COLUMNS
	    " FROM mailbox_state ORDER BY name";
	struct mailbox_state *rows = NULL;
	struct store_q *q;
	size_t n = 0;
	bool exists = false;
	enum store_step rc;

	*rows_out = NULL;
	*n_out = 0;
	if (mailbox_state_table_exists(st, &exists, err) == -1)
		return -1;
	if (!exists)
		return 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		rows = xreallocarray(rows, n + 1, sizeof(*rows));
		mailbox_state_read_row(q, &rows[n++]);
	}
	if (rc == STORE_ERROR) {
		mailbox_state_free(rows, n);
		return -1;
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

/*
 * One statement, in the caller's transaction (the daemon's store writer)
 * or, outside one, a transaction of its own.
 */
static int
mailbox_state_write(struct store *st, struct store_q *q, struct error *err)
{
	(void)st;
	return store_q_exec(q, err);
}

static void
mailbox_state_read_row(struct store_q *q, struct mailbox_state *s)
{
	s->name = store_q_col_strdup(q, 0);
	s->uidvalidity = mailbox_state_int(q, 1);
	s->last_uid = mailbox_state_int(q, 2);
	s->state = store_q_col_strdup(q, 3);
	s->last_success = (time_t)store_q_col_int(q, 4);
	s->last_error = store_q_col_strdup(q, 5);
	s->last_error_at = (time_t)store_q_col_int(q, 6);
	s->backlog = store_q_col_int(q, 7);
	s->taken = store_q_col_int(q, 8);
	s->import_uid = mailbox_state_int(q, 9);
}

/* An integer column; -1 for NULL (not known yet). */
static int64_t
mailbox_state_int(struct store_q *q, int col)
{
	return store_q_col_null(q, col) ? -1 : store_q_col_int(q, col);
}

/*
 * triagectl opens read-only and cannot migrate an old database.
 * SQLite-only: sqlite_master.  A PostgreSQL store is only ever opened
 * migrated (the daemon migrates at start under its lock, and a reader
 * refuses an older schema), so the table is there.
 */
static int
mailbox_state_table_exists(struct store *st, bool *exists,
    struct error *err)
{
	static const char sql[] = "SELECT 1 FROM sqlite_master"
	    " WHERE type = 'table' AND name = 'mailbox_state'";
	struct store_q *q;
	enum store_step rc;

	if (!store_db_sqlite(st)) {
		*exists = true;
		return 0;
	}

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	store_q_reset(q);
	*exists = rc == STORE_ROW;
	return 0;
}
