/*
 * store_db: the database engine as the store's own files see it (private
 * to src/store; nothing above the store includes it).  Every typed
 * function of the store (ticket.c, outbox.c, ...) runs its SQL through
 * these calls and never through the engine's own API, so that a second
 * engine (PostgreSQL, issue 15) is one more implementation of this file's
 * functions, not SQL forked through the tree.
 *
 * SQL is written in the subset SQLite and PostgreSQL share, with numbered
 * parameters "?1", "?2" (an engine that spells them otherwise rewrites
 * them when it prepares).  Statements are prepared once and cached by the
 * address of their text: pass string literals.
 *
 * A statement belongs to its store and to one use at a time: bind, step
 * through the rows, and the next store_q() of the same text resets it.
 * Texts and blobs read from a row are borrowed until the next step.
 */
#ifndef TRIAGED_STORE_DB_H
#define TRIAGED_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct store;
struct store_q;

/* What store_q_step found. */
enum store_step {
	STORE_ERROR = -1,	/* err says why (ERR_TEMP: busy, full, I/O) */
	STORE_DONE = 0,		/* no (more) rows */
	STORE_ROW = 1		/* a row to read with store_q_col_* */
};

/*
 * The cached statement for sql, reset and with its bindings cleared.
 * NULL + err (ERR_INTERNAL) if it does not prepare: a bug in the SQL.
 */
struct store_q	*store_q(struct store *, const char *sql, struct error *err);

/*
 * A statement of its own for a text made at run time (the copy of
 * store_copy.c, whose SQL names each table): not cached, so the text may
 * be freed after this call; store_q_free ends it.  NULL + err as
 * store_q.
 */
struct store_q	*store_q_new(struct store *, const char *sql, struct error *err);
void		 store_q_free(struct store_q *);

/* Bindings, numbered from 1.  Texts and blobs are copied by the engine. */
void		 store_q_int(struct store_q *, int n, int64_t v);
void		 store_q_text(struct store_q *, int n, const char *s); /* NULL: NULL */
void		 store_q_blob(struct store_q *, int n, const void *p, size_t len);
/*
 * PostgreSQL: p in the binary send/receive form of the type the statement
 * casts ?n to ("?2::tsvector"), read by the server without parsing.
 * SQLite has no such types: a blob there.
 */
void		 store_q_pg_binary(struct store_q *, int n, const void *p,
		    size_t len);
void		 store_q_null(struct store_q *, int n);
/* An int64 that 0 means "none" for: binds NULL for 0. */
void		 store_q_id(struct store_q *, int n, int64_t v);

/* The next row; STORE_ERROR fills err and resets the statement. */
enum store_step	 store_q_step(struct store_q *, struct error *err);
/*
 * Runs a statement that returns no rows (or whose rows do not matter)
 * to its end and resets it: 0, or -1 + err.
 */
int		 store_q_exec(struct store_q *, struct error *err);
/*
 * store_q_exec for a write whose outcome the caller does not read (no
 * store_q_changes after it): on PostgreSQL, inside a transaction, it is
 * sent without waiting, and a failure is reported by the next statement
 * on the store, at the latest by store_release or store_commit, which
 * fail with it.  On SQLite store_q_exec.
 */
int		 store_q_exec_later(struct store_q *, struct error *err);
/*
 * Ends the statement's use before its last row (a lookup that wanted
 * one row): the engine lets go of the read it holds open, so a reader
 * outside a transaction does not pin its snapshot until the next use.
 * Texts and blobs read from the row are gone.
 */
void		 store_q_reset(struct store_q *);
/*
 * Runs an INSERT ... RETURNING id (the new row's id as the first
 * column of the one row it returns) to its end: 0 and *id_out, or -1 +
 * err.  RETURNING rather than the engine's "last insert id", which
 * PostgreSQL does not have.  The text must end with " RETURNING id":
 * SQLite prepares it without that tail and reads its last insert id,
 * sparing an ephemeral table per row (store.c).
 */
int		 store_q_returning(struct store_q *, int64_t *id_out,
		    struct error *err);
/*
 * A lookup of one value (store_q.c, on top of the calls above): steps q
 * once; on a row, column 0 goes to *out (an int; or a copy of a text the
 * caller frees, NULL for SQL NULL) and q is reset (store_q_reset).
 * 1: a row, 0: none (*out untouched), -1 + err.
 */
int		 store_q_one_int(struct store_q *, int64_t *out,
		    struct error *err);
int		 store_q_one_text(struct store_q *, char **out,
		    struct error *err);
/*
 * Whether the store is SQLite's: full-text search and the knowledge base
 * check it to take FTS5 (SQLite) or tsvector (PostgreSQL) SQL.
 */
bool		 store_db_sqlite(struct store *);
/* Opened STORE_SEARCH_LATER on SQLite: message_insert indexes nothing. */
bool		 store_search_later(struct store *);
/*
 * The store's tokenizer for PostgreSQL's full-text search (search_tok.h),
 * made at its first use and freed with the store; NULL + err if SQLite's
 * FTS5 is missing.
 */
struct search_tok *store_search_tok(struct store *, struct error *err);
/* Rows the last INSERT, UPDATE or DELETE of the store changed. */
int64_t		 store_q_changes(struct store *);

/* Columns of the current row, numbered from 0. */
bool		 store_q_col_null(struct store_q *, int col);
int64_t		 store_q_col_int(struct store_q *, int col);	/* NULL: 0 */
const char	*store_q_col_text(struct store_q *, int col);	/* NULL: NULL */
const void	*store_q_col_blob(struct store_q *, int col, size_t *len_out);
/* A copy of a text column the caller frees; NULL for SQL NULL. */
char		*store_q_col_strdup(struct store_q *, int col);

/*
 * Runs sql (several statements, no parameters, no rows) at once: schema
 * changes and pragmas.  0, or -1 + err.
 */
int		 store_db_exec(struct store *, const char *sql, struct error *err);

#endif
