/*
 * store_sqlite: the SQLite handle under a struct store, for unit tests
 * that prepare or inspect a database on the store's own connection
 * (inside its transaction, through its statement cache).  Only the unit
 * tests declare these: nothing in src/ may, so that sqlite3 stays inside
 * src/store/store.c (issue 12, stage 3).
 */
#ifndef TRIAGED_TEST_STORE_SQLITE_H
#define TRIAGED_TEST_STORE_SQLITE_H

#include <sqlite3.h>

struct error;
struct store;

/* The store's connection; borrowed until store_close. */
sqlite3		*store_db(struct store *);
/*
 * The prepared statement for sql (a string literal), reset and with
 * bindings cleared, from the store's cache.  NULL + err if it does not
 * prepare.  Borrowed: valid until store_close.
 */
sqlite3_stmt	*store_stmt(struct store *, const char *sql, struct error *err);

#endif
