/*
 * store_copy: moving a store from SQLite to PostgreSQL (`triagectl
 * migrate`, issue 15).  Both stores are opened by store_open, so the
 * target's schema is made by the same migrations as at a daemon's start;
 * then every table the source has is copied, row by row, in one
 * transaction of the target.
 *
 * The tables and columns come from the two databases themselves (SQLite's
 * pragma_table_list and pragma_table_info, PostgreSQL's
 * information_schema), never from a list kept here: a migration that adds
 * a table or a column is copied without a change to this file.  A source
 * table the target does not have can only come from a SQLite-only
 * migration (STORE_SCHEMA_SQLITE_ONLY: FTS5 search and the knowledge
 * base's index, rebuilt from their sources on PostgreSQL) and is reported
 * as skipped; a source column the target does not have is an error.
 */
#ifndef TRIAGED_STORE_COPY_H
#define TRIAGED_STORE_COPY_H

#include <stdint.h>

struct error;
struct store;

/*
 * Told for each table in the order it is copied: rows copied, or -1 for
 * a table skipped (a SQLite-only one).
 */
typedef void	 store_copy_fn(void *arg, const char *table, int64_t rows);

/*
 * 0 if the PostgreSQL store to holds nothing: no table of its schema has
 * a row (store_info's identity aside, which every new database gets, and
 * the schema version).  -1 + err (ERR_PERM) naming the first table that
 * has rows, or another error.  Works on a store opened STORE_READONLY
 * (which has no tables yet on a new database).
 */
int		 store_copy_check_empty(struct store *to, struct error *err);

/*
 * Copies every row of the SQLite store from (opened STORE_EXCLUSIVE, so
 * nothing writes meanwhile) into the empty PostgreSQL store to, keeping
 * every id, in one transaction: all or nothing.  The target's identity
 * sequences are then set past the highest id copied (new request numbers
 * follow the old ones), and the store's identity (store_id) is the
 * source's: the same store, moved (its outbox rows keep their ids, and
 * the names it gave files in an outgoing Maildir stay its own).  Each
 * table's count is read back from the target before the commit.
 * 0, or -1 + err (nothing of the copy committed).
 */
int		 store_copy(struct store *from, struct store *to,
		    store_copy_fn *fn, void *arg, struct error *err);

#endif
