/*
 * search_pg: how the PostgreSQL store keeps its full-text index in step
 * (private to src/store; search_index.c).  SQLite's FTS5 triggers do
 * this in its schema (store_schema.c, versions 13 and 15); PostgreSQL's
 * tsvector documents need the words search_tok makes, in C, so the
 * store's own functions that write a message or a file call these in
 * the same transaction (message.c).  Deletes and changed words are the
 * schema's (its PostgreSQL-only migration: ON DELETE CASCADE,
 * triggers).  On SQLite every
 * call does nothing and returns 0.
 */
#ifndef TRIAGED_SEARCH_PG_H
#define TRIAGED_SEARCH_PG_H

#include <stdbool.h>
#include <stdint.h>

struct error;
struct store;
struct store_q;

/*
 * Is a message of direction searched?  Not our automatic mail ("auto"),
 * the one rule of both engines (FTS5's triggers have it too).
 */
bool	search_pg_searched(const char *direction);
/*
 * Indexes the message id with these texts (NULL: none), unless
 * direction is not searched.  0, or -1 + err.
 */
int	search_pg_message(struct store *, int64_t id, const char *direction,
	    const char *subject, const char *body, const char *from_name,
	    const char *from_addr, struct error *err);
/*
 * search_pg_message's document bound to q's parameter n (a statement
 * that casts it ?n::tsvector) instead of sent by a statement of its own;
 * PostgreSQL and a searched direction only (the caller checks).  0, or
 * -1 + err.
 */
int	search_pg_message_bind(struct store *, struct store_q *q, int n,
	    const char *subject, const char *body, const char *from_name,
	    const char *from_addr, struct error *err);
/* Indexes the name of file id of message (NULL: none).  0, or -1 + err. */
int	search_pg_attachment(struct store *, int64_t id, int64_t message,
	    const char *filename, struct error *err);
/*
 * When the store asks for it (store_info 'search_fill', set by the
 * migration that made the index): indexes every message and file that
 * has words and no document yet, in one transaction, and clears the
 * request.  Two instances starting at once fill once (the second waits
 * on the first's row lock, then finds nothing to do).  0, or -1 + err.
 */
int	search_pg_fill(struct store *, struct error *err);
/*
 * Indexes every message and file that has words and no document yet, in
 * the caller's transaction (search_pg_fill's work; store_copy's after
 * copying a store into PostgreSQL).  0, or -1 + err.
 */
int	search_pg_index_all(struct store *, struct error *err);

#endif
