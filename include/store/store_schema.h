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

/* The newest schema version. */
size_t		 store_schema_version(void);
/* SQL turning version-1 into version (1-based); NULL if out of range. */
const char	*store_schema_migration(size_t version);

#endif
