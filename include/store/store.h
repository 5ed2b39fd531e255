/*
 * store: one SQLite connection with our pragmas (WAL, synchronous=FULL,
 * foreign keys, busy timeout) and a cache of prepared statements.  The
 * schema is created and migrated forward by store_open (PRAGMA
 * user_version).  A struct store belongs to one thread at a time: the
 * daemon has one for the writer, one for the sender; triagectl and
 * `triaged inject` open their own.  SQLITE_BUSY/FULL/IOERR are temporary
 * errors (4xx, retry), never a crash.
 */
#ifndef TRIAGED_STORE_H
#define TRIAGED_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

struct error;
struct store;

#define STORE_READONLY	0x01	/* open for reading only (triagectl list/show) */

/* Opens (creating dirs and schema as needed); NULL + err on failure. */
struct store	*store_open(const char *path, int flags, struct error *err);
void		 store_close(struct store *);
sqlite3		*store_db(struct store *);

/*
 * The prepared statement for sql, reset and with bindings cleared, cached
 * by the pointer value of sql (so pass string literals).  NULL + err if
 * it does not prepare (a bug).  Borrowed: valid until store_close.
 */
sqlite3_stmt	*store_stmt(struct store *, const char *sql, struct error *err);

/* A copy of column col's text in stmt's current row; NULL for SQL NULL. */
char		*store_column_text(sqlite3_stmt *, int col);

/* Transactions; -1 + err (ERR_TEMP for busy/full/io) on failure. */
int		 store_begin(struct store *, struct error *err);	/* BEGIN IMMEDIATE */
int		 store_commit(struct store *, struct error *err);
void		 store_rollback(struct store *);
int		 store_savepoint(struct store *, struct error *err);
int		 store_release(struct store *, struct error *err);
void		 store_rollback_to(struct store *);

/*
 * Copies committed WAL pages into the database without blocking writers
 * (a passive checkpoint); errors are ignored, the next call retries.
 */
void		 store_checkpoint(struct store *);
/* Fills err from the connection's last error; returns -1. */
int		 store_error(struct store *, const char *what, struct error *err);
/* Runs a statement that returns no rows (reset after); 0 or -1 + err. */
int		 store_step_done(struct store *, sqlite3_stmt *, struct error *err);

#endif
