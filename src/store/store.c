/*
 * store: the SQLite connection and its pragmas.  The store is the queue
 * (STYLE 2.11): WAL with synchronous=FULL, so a COMMIT that returned is on
 * disk and every acknowledgement released after it keeps promise 1.
 * Busy, full and I/O errors are temporary (the peer retries), never fatal.
 *
 * A database setting that is a libpq URI selects PostgreSQL instead:
 * every call below then dispatches to store_pg.c (one test per call; the
 * statement cache is shared by both engines).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error.h"
#include "store.h"
#include "store_db.h"
#include "store_pg.h"
#include "store_schema.h"
#include "store_walbuf.h"
#include "search_pg.h"
#include "search_rank.h"
#include "search_tok.h"
#include "xmalloc.h"

/* First size of the statement cache; it doubles when half full. */
#define STORE_STMT_SLOTS	128

/* A prepared statement of the engine (store_db.h). */
struct store_q {
	struct store	*st;
	sqlite3_stmt	*stmt;
	bool		 returning;	/* " RETURNING id" cut off, see store_q */
	struct store_pg_q *pq;		/* PostgreSQL: the engine's statement */
};

/*
 * The tail store_q_returning's statements end with.  SQLite runs RETURNING
 * through an ephemeral table: a page cache allocated and freed for every
 * row inserted, which on the writer thread cost more than the INSERT (a
 * heap trim, madvise and the page faults after it, README "Benchmarks").
 * The SQLite engine prepares the INSERT without it and reads the id from
 * sqlite3_last_insert_rowid, exact here: one thread per connection
 * (SQLITE_OPEN_NOMUTEX), and the search index's triggers leave it as
 * the INSERT set it (SQLite restores it when a trigger program ends).
 */
#define STORE_RETURNING_ID	" RETURNING id"

struct store_cached {
	const char	*sql;		/* the caller's literal: compared by pointer */
	struct store_q	*q;
};

/*
 * The statement cache is an open-addressing table keyed by the literal's
 * address: every module keeps its SQL as literals, so the number of
 * distinct statements is fixed by the code (over a hundred) and grows
 * with every feature; a fixed-size cache once turned into "cache full"
 * temporary failures of all intake.
 */
struct store {
	sqlite3			*db;
	struct store_pg		*pg;	/* PostgreSQL instead of db */
	struct search_tok	*tok;	/* PostgreSQL's search: its words */
	int			 flags;
	struct store_cached	*cache;
	size_t			 nslots;	/* a power of two */
	size_t			 ncache;
};

static int	store_mkdirs(const char *path, struct error *err);
static int	store_lock(struct store *, const char *path, struct error *);
static struct store_cached *store_slot(struct store_cached *, size_t,
		    const char *);
static void	store_cache_grow(struct store *);
static int	store_exec(struct store *, const char *sql, struct error *err);
static int	store_migrate(struct store *, struct error *err);
static int	store_check_version(struct store *, const char *path,
		    struct error *err);
static int	store_user_version(struct store *, int *, struct error *);
static enum error_kind store_error_kind(int rc);
static int	store_error(struct store *, const char *what, struct error *err);
static int	store_exec_cached(struct store *, const char *, struct error *);
/* For the unit tests only (tests/unit/store_sqlite.h). */
sqlite3		*store_db(struct store *);
sqlite3_stmt	*store_stmt(struct store *, const char *sql, struct error *err);

bool
store_is_remote(const char *database)
{
	return store_pg_is_uri(database);
}

struct store *
store_open(const char *path, int flags, struct error *err)
{
	struct store *st;
	int oflags, rc;

	if (!(flags & STORE_READONLY) && !store_pg_is_uri(path) &&
	    store_mkdirs(path, err) == -1)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->flags = flags;
	if (store_pg_is_uri(path)) {
		/*
		 * The search index of messages stored before it existed is
		 * filled here, once: it needs the words search_tok makes,
		 * which no SQL migration can.
		 */
		if ((st->pg = store_pg_open(path, flags, err)) == NULL ||
		    (!(flags & STORE_READONLY) &&
		    search_pg_fill(st, err) == -1)) {
			store_close(st);
			return NULL;
		}
		return st;
	}
	oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	oflags |= SQLITE_OPEN_NOMUTEX;	/* one thread per connection */
	/* a writing connection's WAL frames in one write a COMMIT */
	rc = sqlite3_open_v2(path, &st->db, oflags, (flags & STORE_READONLY) ?
	    NULL : store_walbuf_vfs());
	if (rc != SQLITE_OK) {
		error_set(err, store_error_kind(rc), "cannot open database %s: %s",
		    path, st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		store_close(st);
		return NULL;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if ((flags & STORE_EXCLUSIVE) && store_lock(st, path, err) == -1) {
		store_close(st);
		return NULL;
	}
	/* Writers queue behind each other (daemon, inject, triagectl). */
	sqlite3_busy_timeout(st->db, 10000);
	/* search's ranking (search_rank.h), on any connection that reads */
	if ((rc = search_rank_register(st->db)) != SQLITE_OK) {
		error_set(err, ERR_INTERNAL, "cannot open database %s: "
		    "SQLite's FTS5: %s", path, sqlite3_errstr(rc));
		store_close(st);
		return NULL;
	}
	if (flags & STORE_READONLY) {
		if (store_exec(st, "PRAGMA query_only=ON;", err) == -1 ||
		    store_check_version(st, path, err) == -1) {
			store_close(st);
			return NULL;
		}
		return st;
	}
	/*
	 * The automatic checkpoint would run inside a writer's COMMIT, on
	 * the path a peer waits on; the store writer checkpoints instead
	 * (store_checkpoint, when its queue is empty).  The high threshold
	 * is only a bound on the WAL if that ever stalls.
	 */
	/*
	 * secure_delete: what retention and `triagectl forget` remove is
	 * overwritten in the file, not left in free pages (GDPR erasure);
	 * SQLite-only, and cheap here: triaged seldom deletes.
	 *
	 * temp_store=MEMORY: the writer wraps every message of a group
	 * commit in a savepoint, and SQLite keeps a savepoint's journal in
	 * memory only up to 64 KiB, then in a new temporary file; a new
	 * request touches more than that (its rows, indexes and the search
	 * index), so every message cost a file in /var/tmp and about 80
	 * writes to it, more than its WAL writes (README, Benchmarks).  In
	 * memory it is bounded by the pages one message changes.  Only for
	 * connections that write: a read-only one's sorts (reports over a
	 * large store) keep spilling to disk.
	 */
	if (store_exec(st, "PRAGMA journal_mode=WAL;"
	    "PRAGMA temp_store=MEMORY;"
	    "PRAGMA secure_delete=ON;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA wal_autocheckpoint=20000;"
	    "PRAGMA foreign_keys=ON;", err) == -1 ||
	    store_migrate(st, err) == -1) {
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nslots; i++) {
		if (st->cache[i].sql != NULL)
			store_q_free(st->cache[i].q);
	}
	free(st->cache);
	sqlite3_close(st->db);
	store_pg_close(st->pg);
	search_tok_close(st->tok);
	free(st);
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

struct store_q *
store_q(struct store *st, const char *sql, struct error *err)
{
	struct store_cached *slot;
	struct store_q *q;

	if (st->cache != NULL &&
	    (slot = store_slot(st->cache, st->nslots, sql))->sql != NULL) {
		if (slot->q->pq != NULL) {
			store_pg_q_clear(slot->q->pq);
			return slot->q;
		}
		sqlite3_reset(slot->q->stmt);
		sqlite3_clear_bindings(slot->q->stmt);
		return slot->q;
	}
	if ((q = store_q_new(st, sql, err)) == NULL)
		return NULL;
	if (st->cache == NULL || 2 * (st->ncache + 1) > st->nslots)
		store_cache_grow(st);
	slot = store_slot(st->cache, st->nslots, sql);
	slot->sql = sql;
	slot->q = q;
	st->ncache++;
	return slot->q;
}

struct store_q *
store_q_new(struct store *st, const char *sql, struct error *err)
{
	struct store_q *q;
	sqlite3_stmt *stmt = NULL;
	struct store_pg_q *pq = NULL;
	size_t len = strlen(sql), tail = strlen(STORE_RETURNING_ID);
	bool returning = false;

	/*
	 * PostgreSQL prepares at the first run, typed by its bindings, and
	 * keeps RETURNING; SQLite runs it through a temporary table, so the
	 * id comes from the last insert instead (store_q_returning).
	 */
	if (st->pg != NULL)
		pq = store_pg_q_new(st->pg, sql);
	else {
		returning = len > tail &&
		    strcmp(sql + len - tail, STORE_RETURNING_ID) == 0;
		if (sqlite3_prepare_v3(st->db, sql,
		    (int)(returning ? len - tail : len),
		    SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
			stmt = NULL;
	}
	if (pq == NULL && stmt == NULL) {
		store_error(st, "prepare", err);
		return NULL;
	}
	q = xcalloc(1, sizeof(*q));
	q->st = st;
	q->stmt = stmt;
	q->returning = returning;
	q->pq = pq;
	return q;
}

void
store_q_free(struct store_q *q)
{
	if (q == NULL)
		return;
	sqlite3_finalize(q->stmt);
	store_pg_q_free(q->pq);
	free(q);
}

sqlite3_stmt *
store_stmt(struct store *st, const char *sql, struct error *err)
{
	struct store_q *q = store_q(st, sql, err);

	return q == NULL ? NULL : q->stmt;
}

void
store_q_int(struct store_q *q, int n, int64_t v)
{
	if (q->pq != NULL) {
		store_pg_q_int(q->pq, n, v);
		return;
	}
	sqlite3_bind_int64(q->stmt, n, (sqlite3_int64)v);
}

void
store_q_text(struct store_q *q, int n, const char *s)
{
	if (q->pq != NULL) {
		store_pg_q_text(q->pq, n, s);
		return;
	}
	if (s == NULL)
		sqlite3_bind_null(q->stmt, n);
	else
		sqlite3_bind_text(q->stmt, n, s, -1, SQLITE_TRANSIENT);
}

void
store_q_blob(struct store_q *q, int n, const void *p, size_t len)
{
	if (q->pq != NULL) {
		store_pg_q_blob(q->pq, n, p, len);
		return;
	}
	sqlite3_bind_blob64(q->stmt, n, p, (sqlite3_uint64)len,
	    SQLITE_TRANSIENT);
}

void
store_q_pg_binary(struct store_q *q, int n, const void *p, size_t len)
{
	if (q->pq != NULL) {
		store_pg_q_binary(q->pq, n, p, len);
		return;
	}
	store_q_blob(q, n, p, len);
}

void
store_q_null(struct store_q *q, int n)
{
	if (q->pq != NULL) {
		store_pg_q_null(q->pq, n);
		return;
	}
	sqlite3_bind_null(q->stmt, n);
}

void
store_q_id(struct store_q *q, int n, int64_t v)
{
	if (q->pq != NULL)
		store_pg_q_id(q->pq, n, v);
	else if (v == 0)
		sqlite3_bind_null(q->stmt, n);
	else
		sqlite3_bind_int64(q->stmt, n, (sqlite3_int64)v);
}

enum store_step
store_q_step(struct store_q *q, struct error *err)
{
	if (q->pq != NULL)
		return store_pg_q_step(q->pq, err);
	switch (sqlite3_step(q->stmt)) {
	case SQLITE_ROW:
		return STORE_ROW;
	case SQLITE_DONE:
		return STORE_DONE;
	default:
		store_error(q->st, "query", err);
		sqlite3_reset(q->stmt);
		return STORE_ERROR;
	}
}

int
store_q_exec(struct store_q *q, struct error *err)
{
	enum store_step rc;

	while ((rc = store_q_step(q, err)) == STORE_ROW)
		;
	if (rc == STORE_ERROR)
		return -1;
	store_q_reset(q);
	return 0;
}

int
store_q_exec_later(struct store_q *q, struct error *err)
{
	if (q->pq != NULL)
		return store_pg_q_exec_later(q->pq, err);
	return store_q_exec(q, err);
}

void
store_q_reset(struct store_q *q)
{
	if (q->pq != NULL)
		store_pg_q_reset(q->pq);
	else
		sqlite3_reset(q->stmt);
}

int
store_q_returning(struct store_q *q, int64_t *id_out, struct error *err)
{
	if (q->returning) {
		if (store_q_exec(q, err) == -1)
			return -1;
		if (sqlite3_changes64(q->st->db) != 1)
			return error_set(err, ERR_INTERNAL,
			    "insert returned no id");
		*id_out = (int64_t)sqlite3_last_insert_rowid(q->st->db);
		return 0;
	}
	switch (store_q_step(q, err)) {
	case STORE_ROW:
		*id_out = store_q_col_int(q, 0);
		return store_q_exec(q, err);
	case STORE_DONE:
		store_q_reset(q);
		return error_set(err, ERR_INTERNAL, "insert returned no id");
	default:
		return -1;
	}
}

bool
store_db_sqlite(struct store *st)
{
	return st->pg == NULL;
}

bool
store_search_later(struct store *st)
{
	return st->pg == NULL && (st->flags & STORE_SEARCH_LATER);
}

struct search_tok *
store_search_tok(struct store *st, struct error *err)
{
	if (st->tok == NULL)
		st->tok = search_tok_open(err);
	return st->tok;
}

int64_t
store_q_changes(struct store *st)
{
	if (st->pg != NULL)
		return store_pg_changes(st->pg);
	return (int64_t)sqlite3_changes64(st->db);
}

bool
store_q_col_null(struct store_q *q, int col)
{
	if (q->pq != NULL)
		return store_pg_col_null(q->pq, col);
	return sqlite3_column_type(q->stmt, col) == SQLITE_NULL;
}

int64_t
store_q_col_int(struct store_q *q, int col)
{
	if (q->pq != NULL)
		return store_pg_col_int(q->pq, col);
	return (int64_t)sqlite3_column_int64(q->stmt, col);
}

const char *
store_q_col_text(struct store_q *q, int col)
{
	if (q->pq != NULL)
		return store_pg_col_text(q->pq, col);
	return (const char *)sqlite3_column_text(q->stmt, col);
}

const void *
store_q_col_blob(struct store_q *q, int col, size_t *len_out)
{
	const void *p;

	if (q->pq != NULL)
		return store_pg_col_blob(q->pq, col, len_out);
	p = sqlite3_column_blob(q->stmt, col);

	*len_out = (size_t)sqlite3_column_bytes(q->stmt, col);
	return p;
}

char *
store_q_col_strdup(struct store_q *q, int col)
{
	return xstrdup_or_null(store_q_col_text(q, col));
}

int
store_db_exec(struct store *st, const char *sql, struct error *err)
{
	return store_exec(st, sql, err);
}

/* The slot of sql in a table of n slots: its own, or the empty one. */
static struct store_cached *
store_slot(struct store_cached *tab, size_t n, const char *sql)
{
	size_t i;

	/* Fibonacci hashing: the high bits of the product mix every bit */
	i = (size_t)(((uint64_t)(uintptr_t)sql * 0x9E3779B97F4A7C15ull) >> 32);
	for (i &= n - 1; tab[i].sql != NULL && tab[i].sql != sql;
	    i = (i + 1) & (n - 1))
		;
	return &tab[i];
}

static void
store_cache_grow(struct store *st)
{
	struct store_cached *old = st->cache, *slot;
	size_t i, n = st->nslots;

	st->nslots = n == 0 ? STORE_STMT_SLOTS : 2 * n;
	st->cache = xcalloc(st->nslots, sizeof(*st->cache));
	for (i = 0; i < n; i++) {
		if (old[i].sql == NULL)
			continue;
		slot = store_slot(st->cache, st->nslots, old[i].sql);
		*slot = old[i];
	}
	free(old);
}

int
store_begin(struct store *st, struct error *err)
{
	/*
	 * PostgreSQL: READ COMMITTED, like every other client of the
	 * database; the store's read-modify-write steps lock what they
	 * change (UNIQUE keys, UPDATE ... WHERE).
	 */
	if (st->pg != NULL)
		return store_pg_begin_later(st->pg, err);
	return store_exec_cached(st, "BEGIN IMMEDIATE;", err);
}

int
store_commit(struct store *st, struct error *err)
{
	return store_exec_cached(st, "COMMIT;", err);
}

void
store_rollback(struct store *st)
{
	if (st->pg != NULL) {
		if (store_pg_in_tx(st->pg))
			(void)store_pg_exec(st->pg, "ROLLBACK;", NULL);
		return;
	}
	if (!sqlite3_get_autocommit(st->db))
		(void)store_exec(st, "ROLLBACK;", NULL);
}

/*
 * On PostgreSQL a message's SAVEPOINT travels with its first statement
 * and its RELEASE with its deferred writes (store_q_exec_later), whose
 * failures it reports: one round trip where each was one.
 */
int
store_savepoint(struct store *st, struct error *err)
{
	if (st->pg != NULL)
		return store_pg_exec_later(st->pg, "SAVEPOINT msg;", err);
	return store_exec_cached(st, "SAVEPOINT msg;", err);
}

int
store_release(struct store *st, struct error *err)
{
	if (st->pg != NULL)
		return store_pg_exec_later(st->pg, "RELEASE msg;", err) == -1 ||
		    store_pg_sync(st->pg, err) == -1 ? -1 : 0;
	return store_exec_cached(st, "RELEASE msg;", err);
}

int
store_unit_begin(struct store *st, struct error *err)
{
	if (st->pg == NULL)
		return store_exec_cached(st, "SAVEPOINT unit;", err);
	store_pg_unit_begin(st->pg);
	return store_pg_exec_later(st->pg, "SAVEPOINT unit;", err);
}

int
store_unit_end(struct store *st, struct error *err)
{
	if (st->pg != NULL)
		return store_pg_exec_later(st->pg, "RELEASE unit;", err);
	return store_exec_cached(st, "RELEASE unit;", err);
}

void
store_unit_rollback(struct store *st)
{
	(void)store_exec(st, "ROLLBACK TO unit; RELEASE unit;", NULL);
}

bool
store_unit_earlier_pending(const struct store *st)
{
	return st->pg != NULL && store_pg_earlier_pending(st->pg);
}

bool
store_unit_earlier_failed(const struct store *st, struct error *err_out)
{
	return st->pg != NULL && store_pg_earlier_failed(st->pg, err_out);
}

int
store_unit_confirm(struct store *st, struct error *err)
{
	return st->pg != NULL ? store_pg_sync(st->pg, err) : 0;
}

void
store_rollback_to(struct store *st)
{
	(void)store_exec(st, "ROLLBACK TO msg; RELEASE msg;", NULL);
}

void
store_checkpoint(struct store *st)
{
	int logged = 0, done = 0;

	if (st->pg != NULL)	/* PostgreSQL checkpoints by itself */
		return;
	(void)sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &logged, &done);
}

int
store_id(struct store *st, char out[STORE_ID_LEN + 1], struct error *err)
{
	struct store_q *q;
	const char *v;
	enum store_step rc;

	q = store_q(st, "SELECT value FROM store_info WHERE key = 'id'", err);
	if (q == NULL)
		return -1;
	if ((rc = store_q_step(q, err)) != STORE_ROW)
		return rc == STORE_ERROR ? -1 :
		    error_set(err, ERR_INTERNAL, "database: no store id");
	v = store_q_col_text(q, 0);
	if (v == NULL || strlen(v) != STORE_ID_LEN) {
		store_q_reset(q);
		return error_set(err, ERR_INTERNAL, "database: bad store id");
	}
	memcpy(out, v, STORE_ID_LEN + 1);
	store_q_reset(q);
	return 0;
}

static int
store_error(struct store *st, const char *what, struct error *err)
{
	int rc = sqlite3_extended_errcode(st->db);

	return error_set(err, store_error_kind(rc), "database %s: %s", what,
	    sqlite3_errmsg(st->db));
}

static enum error_kind
store_error_kind(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_NOMEM:
	case SQLITE_PROTOCOL:
		return ERR_TEMP;
	default:
		return ERR_INTERNAL;
	}
}

static int
store_exec(struct store *st, const char *sql, struct error *err)
{
	char *msg = NULL;
	int rc;

	if (st->pg != NULL)
		return store_pg_exec(st->pg, sql, err);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		error_set(err, store_error_kind(rc), "database: %s",
		    msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/*
 * store_exec for the statements every write runs (BEGIN, COMMIT, the
 * savepoints): on SQLite through the statement cache, since
 * sqlite3_exec parses its text at each call, four or more times a
 * message in the writer.  PostgreSQL: store_exec.
 */
static int
store_exec_cached(struct store *st, const char *sql, struct error *err)
{
	struct store_q *q;

	if (st->pg != NULL)
		return store_exec(st, sql, err);
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	return store_q_exec(q, err);
}

static int
store_mkdirs(const char *path, struct error *err)
{
	char *copy = xstrdup(path), *dir, *p;
	int ret = 0;

	/*
	 * dirname() may return a static "." for a bare file name (or
	 * ":memory:"): there is nothing to create then, and that string
	 * must not be written to.
	 */
	dir = dirname(copy);
	if (strchr(dir, '/') == NULL) {
		free(copy);
		return 0;
	}
	for (p = dir + 1; ; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
			ret = error_set(err, ERR_TEMP, "cannot create %s: %s",
			    dir, strerror(errno));
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return ret;
}

/*
 * STORE_EXCLUSIVE: every other connection to a WAL database holds a
 * shared lock on the file as long as it is open (it is how the last one
 * to close knows it may remove the WAL), so an exclusive lock taken
 * without waiting is refused exactly while a daemon, an inject or a
 * triagectl has the file open, idle or not.  In exclusive locking mode
 * the lock is then kept until the connection closes.
 */
static int
store_lock(struct store *st, const char *path, struct error *err)
{
	struct error lerr;

	error_clear(&lerr);
	if (store_exec(st, "PRAGMA locking_mode=EXCLUSIVE;"
	    "BEGIN EXCLUSIVE; COMMIT;", &lerr) == 0)
		return 0;
	store_rollback(st);
	if (lerr.kind != ERR_TEMP) {
		if (err != NULL)
			*err = lerr;
		return -1;
	}
	return error_set(err, ERR_TEMP, "database %s is in use by another "
	    "process (a running triaged? stop it first)", path);
}

/*
 * A reader never migrates (a running older daemon would then meet a
 * schema it does not know; the upgrade is the new daemon's first start,
 * or a writing command's): it reads only the schema it was built for, and
 * says so clearly instead of failing on a missing column.
 */
static int
store_check_version(struct store *st, const char *path, struct error *err)
{
	size_t want = store_schema_version();
	int have = 0;

	if (store_user_version(st, &have, err) == -1)
		return -1;
	if (have >= 0 && (size_t)have == want)
		return 0;
	if (have >= 0 && (size_t)have < want)
		return error_set(err, ERR_TEMP, "database %s has schema "
		    "version %d, this program %zu: start the new triaged once "
		    "to upgrade it (reading never changes the schema)", path,
		    have, want);
	return error_set(err, ERR_PERM, "database %s has schema version %d, "
	    "newer than this program's %zu: use the newer triagectl", path,
	    have, want);
}

int
store_backup(struct store *st, const char *dest, long long *pages_out,
    struct error *err)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	char *msg = NULL;
	int fd, rc;

	/* a PostgreSQL store is backed up by PostgreSQL's own tools */
	if (st->pg != NULL)
		return error_set(err, ERR_PERM, "backup: the store is in "
		    "PostgreSQL; use pg_dump or its continuous archiving");
	/* O_EXCL: refused if there is anything at dest, even a dangling link */
	if ((fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640)) == -1)
		return error_set(err, errno == EEXIST ? ERR_PERM : ERR_TEMP,
		    "backup %s: %s%s", dest, strerror(errno), errno == EEXIST ?
		    " (a backup never overwrites: choose a new name)" : "");
	close(fd);
	rc = sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	/*
	 * One step copying every page: the source's read transaction spans
	 * the whole copy, so it is one snapshot and a writer committing
	 * meanwhile neither waits nor restarts the copy (it would with
	 * steps of a few pages).  The WAL the writer appends to meanwhile
	 * is what keeps the snapshot readable.
	 */
	if ((b = sqlite3_backup_init(dst, "main", st->db, "main")) == NULL) {
		rc = sqlite3_errcode(dst);
		goto fail;
	}
	do {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(100);
	} while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	*pages_out = sqlite3_backup_pagecount(b);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		rc = rc == SQLITE_DONE ? sqlite3_errcode(dst) : rc;
		goto fail;
	}
	/* the copy must open and hold together; its pages were synced */
	rc = sqlite3_exec(dst, "PRAGMA quick_check;", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	if (sqlite3_close(dst) != SQLITE_OK) {
		dst = NULL;
		rc = SQLITE_IOERR;
		goto fail;
	}
	return 0;
fail:
	error_set(err, store_error_kind(rc), "backup %s: %s", dest,
	    msg != NULL ? msg : dst != NULL && sqlite3_errcode(dst) !=
	    SQLITE_OK ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
	sqlite3_free(msg);
	sqlite3_close(dst);
	(void)unlink(dest);
	return -1;
}

static int
store_user_version(struct store *st, int *version_out, struct error *err)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version;", -1, &stmt,
	    NULL) != SQLITE_OK)
		return store_error(st, "user_version", err);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return store_error(st, "user_version", err);
	}
	*version_out = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

/* Each migration runs in its own transaction with the version bump. */
static int
store_migrate(struct store *st, struct error *err)
{
	size_t want = store_schema_version();
	int have = 0;
	char bump[64];

	if (store_begin(st, err) == -1)
		return -1;
	if (store_user_version(st, &have, err) == -1)
		goto fail;
	if (have < 0 || (size_t)have > want) {
		error_set(err, ERR_PERM, "database schema version %d is newer "
		    "than this triaged (%zu)", have, want);
		goto fail;
	}
	for (; (size_t)have < want; have++) {
		/* PostgreSQL's alone: the version counts, nothing runs */
		if (strncmp(store_schema_migration((size_t)have + 1),
		    STORE_SCHEMA_PG_ONLY, strlen(STORE_SCHEMA_PG_ONLY)) != 0 &&
		    store_exec(st, store_schema_migration((size_t)have + 1),
		    err) == -1)
			goto fail;
		snprintf(bump, sizeof(bump), "PRAGMA user_version=%d;", have + 1);
		if (store_exec(st, bump, err) == -1)
			goto fail;
	}
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}
