/*
 * store_schema: the SQL that builds each schema version.
 */
#ifndef TRIAGED_STORE_SCHEMA_H
#define TRIAGED_STORE_SCHEMA_H

#include <stddef.h>

/*
 * A migration that starts with this comment is SQLite's alone (FTS5): on
 * PostgreSQL its version is counted and its SQL not run.
 */
#define STORE_SCHEMA_SQLITE_ONLY	"-- SQLite only\n"
/*
 * A migration that starts with this comment is PostgreSQL's alone
 * (tsvector search): on SQLite its version is counted and its SQL not
 * run.  It is written in PostgreSQL's SQL, still through store_pg.c's
 * translation of the shared schema words.
 */
#define STORE_SCHEMA_PG_ONLY		"-- PostgreSQL only\n"

/*
 * SQLite-only.  The folding unicode61's remove_diacritics leaves out,
 * done to the text before it is indexed: letters that carry no
 * decomposition in Unicode (Polish ł, Danish ø, Croatian đ) and Russian
 * ё, written е by most people.  Each is one letter for one letter, so
 * token positions match the unfolded text FTS5 reads back from the
 * content table for snippets.  search_index.c folds query words the
 * same way (search_index_folds there: keep the two lists alike; the
 * bulk of search_index_catch_up folds with that table in C).
 */
#define SEARCH_FOLD(x)							\
	"replace(replace(replace(replace(replace(replace(replace("	\
	"replace(" x ", 'ł', 'l'), 'Ł', 'L'), 'ø', 'o'), 'Ø', 'O'),"	\
	" 'đ', 'd'), 'Đ', 'D'), 'ё', 'е'), 'Ё', 'Е')"

/* The newest schema version. */
size_t		 store_schema_version(void);
/* SQL turning version-1 into version (1-based); NULL if out of range. */
const char	*store_schema_migration(size_t version);

#endif
