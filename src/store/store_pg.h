/*
 * store_pg: the PostgreSQL engine of the store (libpq), private to
 * src/store.  store.c dispatches every call of store_db.h and store.h to
 * these functions when the database setting is a libpq URI
 * ("postgresql://..." or "postgres://..."); nothing else calls them.
 *
 * The SQL the store files write (store_db.h: the shared subset, "?N"
 * parameters) is rewritten here to "$N" and prepared once per
 * connection.  A lost connection is an ERR_TEMP of the call that found
 * it; the next call reconnects and prepares again.
 */
#ifndef TRIAGED_STORE_PG_H
#define TRIAGED_STORE_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store_db.h"

struct error;
struct store_pg;
struct store_pg_q;

/* Is database a libpq connection URI rather than an SQLite path? */
bool		 store_pg_is_uri(const char *database);

/*
 * Connects (STORE_READONLY: a session that refuses writes) and, for a
 * writing connection, migrates the schema under an advisory lock.
 */
struct store_pg	*store_pg_open(const char *uri, int flags, struct error *err);
void		 store_pg_close(struct store_pg *);

/* A statement for sql (the caller's literal, kept by address). */
struct store_pg_q *store_pg_q_new(struct store_pg *, const char *sql);
void		 store_pg_q_free(struct store_pg_q *);
/* Forget the last result and the bindings. */
void		 store_pg_q_clear(struct store_pg_q *);
void		 store_pg_q_reset(struct store_pg_q *);

void		 store_pg_q_int(struct store_pg_q *, int n, int64_t v);
void		 store_pg_q_text(struct store_pg_q *, int n, const char *s);
void		 store_pg_q_blob(struct store_pg_q *, int n, const void *p,
		    size_t len);
/* p in the binary form of the type the statement casts ?n to */
void		 store_pg_q_binary(struct store_pg_q *, int n, const void *p,
		    size_t len);
void		 store_pg_q_null(struct store_pg_q *, int n);	/* untyped */
void		 store_pg_q_id(struct store_pg_q *, int n, int64_t v);

enum store_step	 store_pg_q_step(struct store_pg_q *, struct error *err);
int64_t		 store_pg_changes(struct store_pg *);

bool		 store_pg_col_null(struct store_pg_q *, int col);
int64_t		 store_pg_col_int(struct store_pg_q *, int col);
const char	*store_pg_col_text(struct store_pg_q *, int col);
const void	*store_pg_col_blob(struct store_pg_q *, int col,
		    size_t *len_out);

/* Several statements without parameters or rows.  0, or -1 + err. */
int		 store_pg_exec(struct store_pg *, const char *sql,
		    struct error *err);
/* Inside a transaction (or a failed one)? */
bool		 store_pg_in_tx(struct store_pg *);
/*
 * In a transaction, send a write whose result is not read and go on: it
 * runs in order before whatever the connection does next, which reports
 * its failure (or store_pg_exec's RELEASE or COMMIT does).  Outside one,
 * as store_pg_q_step to the end / store_pg_exec.
 */
int		 store_pg_q_exec_later(struct store_pg_q *, struct error *err);
int		 store_pg_exec_later(struct store_pg *, const char *sql,
		    struct error *err);
/* Reads what the deferred writes gave: 0, or -1 + err for a failure. */
int		 store_pg_sync(struct store_pg *, struct error *err);
/*
 * BEGIN, sent with what follows instead of waiting for its answer (a
 * round trip less per transaction); its failure fails the next read.
 */
int		 store_pg_begin_later(struct store_pg *, struct error *err);
/*
 * The writer's units (store.h, store_unit_begin): marks where the next
 * unit's statements begin.  A deferred write sent before the mark that
 * fails later is the earlier unit's: store_pg_earlier_failed says so
 * (with its error) until the next mark, whoever read the failure.
 * store_pg_earlier_pending: statements before the mark not read yet.
 */
void		 store_pg_unit_begin(struct store_pg *);
bool		 store_pg_earlier_failed(const struct store_pg *,
		    struct error *err_out);
bool		 store_pg_earlier_pending(const struct store_pg *);

#endif
