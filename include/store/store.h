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

#include <stdbool.h>
#include <stdint.h>

struct error;
struct store;

#define STORE_READONLY	0x01	/* open for reading only (triagectl list/show) */
/*
 * SQLite: open for writing and alone (triagectl migrate): refused at once
 * (ERR_TEMP, "in use") while another process has the file open (a running
 * daemon, `triaged inject`, a triagectl), and nobody else can open it
 * until store_close.  Ignored for PostgreSQL.
 */
#define STORE_EXCLUSIVE	0x02
/*
 * SQLite: the messages written leave their words for a later bulk
 * (search_index_catch_up, search_index.h) instead of being indexed in
 * their own statement: the daemon's writer, whose timer catches up.
 * Ignored for PostgreSQL.
 */
#define STORE_SEARCH_LATER	0x04

/*
 * Is database a PostgreSQL connection URI ("postgresql://...",
 * "postgres://...": any libpq URI) rather than an SQLite file?  Nothing
 * beside it is then a file (no directory made, no reply key beside it).
 */
bool		 store_is_remote(const char *database);

/*
 * Opens (creating dirs and schema as needed); NULL + err on failure.
 * path is an SQLite file or a libpq URI (store_is_remote): the
 * PostgreSQL schema is migrated under an advisory lock, so instances
 * starting at once migrate once.
 */
struct store	*store_open(const char *path, int flags, struct error *err);
void		 store_close(struct store *);

/* Transactions; -1 + err (ERR_TEMP for busy/full/io) on failure. */
int		 store_begin(struct store *, struct error *err);	/* BEGIN IMMEDIATE */
int		 store_commit(struct store *, struct error *err);
void		 store_rollback(struct store *);
int		 store_savepoint(struct store *, struct error *err);
int		 store_release(struct store *, struct error *err);
void		 store_rollback_to(struct store *);
/*
 * The writer's units (store_writer.c), each under a savepoint of its
 * own name ("unit"), so that the savepoints a unit's own code makes and
 * rolls back (store_savepoint, "msg") can never undo another unit's.
 * store_unit_begin marks where a unit's statements begin and opens its
 * savepoint.  store_unit_end releases it without waiting for the
 * answer: on PostgreSQL the RELEASE and the unit's deferred writes
 * travel with the next unit's first read (SQLite: at once).  A write
 * sent before the mark that fails later is the earlier unit's:
 * store_unit_earlier_failed says so (and gives its error) until the
 * next mark, whoever read the failure; store_unit_earlier_pending: some
 * of it is not read yet, which store_unit_confirm does (-1 + err if
 * anything sent failed).  store_unit_rollback undoes to the newest unit
 * savepoint: the unit's own, or the earlier unit's when that one failed
 * (this unit's was then never made).
 */
int		 store_unit_begin(struct store *, struct error *err);
int		 store_unit_end(struct store *, struct error *err);
bool		 store_unit_earlier_pending(const struct store *);
bool		 store_unit_earlier_failed(const struct store *,
		    struct error *err_out);
int		 store_unit_confirm(struct store *, struct error *err);
void		 store_unit_rollback(struct store *);

/*
 * Copies committed WAL pages into the database without blocking writers
 * (a passive checkpoint); errors are ignored, the next call retries.
 */
void		 store_checkpoint(struct store *);
/*
 * Copies the database, as one consistent snapshot, into dest, a file that
 * must not exist (it is created 0640 and refused if present: a backup
 * never overwrites).  Safe while the daemon writes: the copy is one read
 * transaction of a WAL reader, so writers go on and the copy is what was
 * committed when it began.  The copy is synced and checked to open.
 * 0 and *pages_out (pages copied), or -1 + err (dest removed again).
 */
int		 store_backup(struct store *, const char *dest,
		    long long *pages_out, struct error *err);
/*
 * The store's identity: STORE_ID_LEN hex digits chosen at random when the
 * database was made (schema version 8), never changed.  Names that must
 * differ between two databases carry it (outgoing Maildir files).
 * 0 and out filled, or -1 + err.
 */
#define STORE_ID_LEN	16
int		 store_id(struct store *, char out[STORE_ID_LEN + 1],
		    struct error *err);

#endif
