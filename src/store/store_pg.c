/*
 * store_pg: the PostgreSQL engine of the store (store_pg.h), through
 * libpq.  One PGconn per struct store, used by one thread at a time like
 * the SQLite connection.
 *
 * Statements: the store files' SQL is rewritten once ("?N" -> "$N" and
 * the few SQLite-only spellings, store_pg_rewrite) and prepared on the
 * connection at its first run, with the types of that run's bindings
 * (int8, text, bytea; NULL left to PostgreSQL to infer), so that
 * "length(?3)" or "?1 || ','" have a type.  Results come as text (one
 * result per run, all rows: the store's reads are bounded by their LIMIT)
 * and are read the way SQLite's column calls read them: an integer
 * column parsed, a boolean 't'/'f' as 1/0, bytea unescaped.
 *
 * Errors: connection loss (class 08), serialization failures and
 * deadlocks (40001, 40P01), lock timeouts, resources (53) and operator
 * intervention (57: the server shutting down) and a UNIQUE key taken
 * by another instance meanwhile (23505) are ERR_TEMP, like SQLITE_BUSY:
 * intake answers 4xx and the peer retries; everything else
 * is ERR_INTERNAL (a bug in our SQL, a constraint).  A connection found
 * lost outside a transaction is reset by the next call; inside one, the
 * calls fail until the caller's rollback, so no half of a transaction is
 * ever run again in autocommit.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "error.h"
#include "store.h"
#include "store_pg.h"
#include "store_schema.h"
#include "xmalloc.h"

/* Type OIDs of the bindings (pg_type.h is not part of libpq-dev). */
#define PG_BYTEAOID	17
#define PG_INT8OID	20
#define PG_TEXTOID	25

/* Parameters a statement can have ("?1" .. "?99"). */
#define PG_MAXPARAM	99

/* The advisory lock key of the migrations: "triaged" in ASCII. */
#define PG_MIGRATE_LOCK	"7598543962842468"

struct store_pg {
	PGconn		*conn;
	char		*uri;
	int		 flags;
	unsigned	 gen;		/* bumped at every (re)connection */
	unsigned	 nstmt;		/* names s1, s2, ... */
	bool		 tx;		/* between BEGIN and COMMIT/ROLLBACK */
	int64_t		 changes;
	int		 pending;	/* writes sent, results not read:
					   the connection is in pipeline mode */
	int		 boundary;	/* pending when the unit began */
	bool		 earlier_failed;	/* a write before it failed */
	struct error	 earlier;	/* ... with this error */
};

/* PG_BINARY: binary format, typed by the statement (a cast ?N::type) */
enum pg_bind { PG_UNSET, PG_NULL, PG_INT, PG_TEXT, PG_BLOB, PG_BINARY };

struct store_pg_q {
	struct store_pg	*pg;
	const char	*sql;		/* the caller's text */
	char		*text;		/* rewritten for PostgreSQL */
	int		 nparams;
	char		 name[16];
	unsigned	 gen;		/* connection it is prepared on; 0: none */
	enum pg_bind	 kind[PG_MAXPARAM];
	char		*val[PG_MAXPARAM];
	int		 len[PG_MAXPARAM];
	PGresult	*res;
	int		 row;		/* current row; -1 before the first */
	unsigned char	*blob;		/* unescaped bytea of the current row */
};

static int	pg_connect(struct store_pg *, struct error *);
static int	pg_flush(struct store_pg *, struct error *);
static int	pg_flush_last(struct store_pg *, PGresult **, struct error *);
static void	pg_earlier(struct store_pg *, const struct error *);
static void	pg_bind_bytes(struct store_pg_q *, int, enum pg_bind,
		    const void *, size_t);
static int	pg_send(struct store_pg *, struct store_pg_q *, const char *,
		    struct error *);
static void	pg_params(struct store_pg_q *, const char **, int *, int *);
static int	pg_ready(struct store_pg *, struct error *);
static int	pg_result_error(struct store_pg *, PGresult *, const char *,
		    struct error *);
static enum error_kind pg_error_kind(struct store_pg *, PGresult *);
static char	*pg_rewrite(const char *sql, int *nparams);
static char	*pg_schema(const char *sql);
static int	pg_migrate(struct store_pg *, struct error *);
static void	pg_notice(void *, const char *);

bool
store_pg_is_uri(const char *database)
{
	return strncmp(database, "postgresql://", 13) == 0 ||
	    strncmp(database, "postgres://", 11) == 0;
}

struct store_pg *
store_pg_open(const char *uri, int flags, struct error *err)
{
	struct store_pg *pg;

	pg = xcalloc(1, sizeof(*pg));
	pg->uri = xstrdup(uri);
	pg->flags = flags;
	if (pg_connect(pg, err) == -1 ||
	    (!(flags & STORE_READONLY) && pg_migrate(pg, err) == -1)) {
		store_pg_close(pg);
		return NULL;
	}
	return pg;
}

void
store_pg_close(struct store_pg *pg)
{
	if (pg == NULL)
		return;
	if (pg->conn != NULL)
		PQfinish(pg->conn);
	free(pg->uri);
	free(pg);
}

/*
 * Session settings: warnings only (the notices of CREATE ... IF NOT
 * EXISTS are not ours to log), and the reading connection refuses
 * writes as SQLite's query_only does.
 */
static int
pg_connect(struct store_pg *pg, struct error *err)
{
	const char *sql;
	PGresult *res;

	if (pg->conn != NULL)
		PQfinish(pg->conn);
	pg->conn = PQconnectdb(pg->uri);
	pg->gen++;
	pg->tx = false;
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		char *msg = xstrdup(PQerrorMessage(pg->conn)), *nl;

		if ((nl = strchr(msg, '\n')) != NULL && nl[1] == '\0')
			*nl = '\0';
		/* the URI may hold a password: never in the message */
		error_set(err, ERR_TEMP, "cannot connect to PostgreSQL: %s",
		    msg);
		free(msg);
		return -1;
	}
	PQsetNoticeProcessor(pg->conn, pg_notice, NULL);
	sql = (pg->flags & STORE_READONLY) ?
	    "SET client_min_messages = warning;"
	    "SET default_transaction_read_only = on;" :
	    "SET client_min_messages = warning;";
	res = PQexec(pg->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_result_error(pg, res, "connect", err);
	PQclear(res);
	/*
	 * Values TOASTed (a raw message, an outgoing mail, a long body)
	 * compressed with LZ4 rather than pglz, whose compression was the
	 * server's costliest function at intake (6 % of its time); the
	 * stored values read back the same either way.  A server built
	 * without LZ4 (or older than 14) refuses the setting and keeps pglz.
	 */
	if (!(pg->flags & STORE_READONLY))
		PQclear(PQexec(pg->conn,
		    "SET default_toast_compression = lz4"));
	return 0;
}

static void
pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* The connection, reset if it was lost outside a transaction. */
static int
pg_ready(struct store_pg *pg, struct error *err)
{
	if (PQstatus(pg->conn) == CONNECTION_OK)
		return 0;
	if (pg->tx)
		return error_set(err, ERR_TEMP, "database: connection to "
		    "PostgreSQL lost in a transaction");
	return pg_connect(pg, err);
}

struct store_pg_q *
store_pg_q_new(struct store_pg *pg, const char *sql)
{
	struct store_pg_q *q;

	q = xcalloc(1, sizeof(*q));
	q->pg = pg;
	q->sql = sql;
	q->text = pg_rewrite(sql, &q->nparams);
	q->row = -1;
	return q;
}

void
store_pg_q_free(struct store_pg_q *q)
{
	if (q == NULL)
		return;
	store_pg_q_clear(q);
	free(q->text);
	free(q);
}

void
store_pg_q_reset(struct store_pg_q *q)
{
	PQfreemem(q->blob);
	q->blob = NULL;
	PQclear(q->res);
	q->res = NULL;
	q->row = -1;
}

void
store_pg_q_clear(struct store_pg_q *q)
{
	int i;

	store_pg_q_reset(q);
	for (i = 0; i < PG_MAXPARAM; i++) {
		free(q->val[i]);
		q->val[i] = NULL;
		q->kind[i] = PG_UNSET;
	}
}

static void
pg_bind(struct store_pg_q *q, int n, enum pg_bind kind, char *val, int len)
{
	if (n < 1 || n > PG_MAXPARAM) {
		free(val);
		return;
	}
	free(q->val[n - 1]);
	q->kind[n - 1] = kind;
	q->val[n - 1] = val;
	q->len[n - 1] = len;
}

void
store_pg_q_int(struct store_pg_q *q, int n, int64_t v)
{
	char *s;

	xasprintf(&s, "%" PRId64, v);
	pg_bind(q, n, PG_INT, s, 0);
}

void
store_pg_q_text(struct store_pg_q *q, int n, const char *s)
{
	/* a NULL text is still a text: "?1 IS NULL OR x = ?1" needs one */
	pg_bind(q, n, PG_TEXT, s == NULL ? NULL : xstrdup(s), 0);
}

void
store_pg_q_blob(struct store_pg_q *q, int n, const void *p, size_t len)
{
	pg_bind_bytes(q, n, PG_BLOB, p, len);
}

void
store_pg_q_binary(struct store_pg_q *q, int n, const void *p, size_t len)
{
	pg_bind_bytes(q, n, PG_BINARY, p, len);
}

/* A copy of p[0..len) bound as kind, a binary-format parameter. */
static void
pg_bind_bytes(struct store_pg_q *q, int n, enum pg_bind kind, const void *p,
    size_t len)
{
	char *copy = xmalloc(len + 1);

	if (len > 0)
		memcpy(copy, p, len);
	pg_bind(q, n, kind, copy, (int)len);
}

void
store_pg_q_id(struct store_pg_q *q, int n, int64_t v)
{
	if (v == 0)
		pg_bind(q, n, PG_INT, NULL, 0);	/* an int8 NULL */
	else
		store_pg_q_int(q, n, v);
}

void
store_pg_q_null(struct store_pg_q *q, int n)
{
	pg_bind(q, n, PG_NULL, NULL, 0);
}

/* Prepares q on the current connection, typed by its bindings. */
static int
pg_prepare(struct store_pg_q *q, struct error *err)
{
	unsigned int types[PG_MAXPARAM];
	PGresult *res;
	int i;

	for (i = 0; i < q->nparams; i++) {
		switch (q->kind[i]) {
		case PG_INT:
			types[i] = PG_INT8OID;
			break;
		case PG_TEXT:
			types[i] = PG_TEXTOID;
			break;
		case PG_BLOB:
			types[i] = PG_BYTEAOID;
			break;
		default:
			types[i] = 0;	/* inferred by PostgreSQL */
		}
	}
	snprintf(q->name, sizeof(q->name), "s%u", ++q->pg->nstmt);
	res = PQprepare(q->pg->conn, q->name, q->text, q->nparams, types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_result_error(q->pg, res, "prepare", err);
	PQclear(res);
	q->gen = q->pg->gen;
	return 0;
}

static int
pg_run(struct store_pg_q *q, struct error *err)
{
	const char *vals[PG_MAXPARAM];
	int lens[PG_MAXPARAM], fmts[PG_MAXPARAM];
	const char *n;
	PGresult *res;

	if (q->pg->pending > 0 && q->gen == q->pg->gen) {
		/* behind the deferred writes, in their round trip */
		if (pg_send(q->pg, q, NULL, err) == -1) {
			(void)pg_flush(q->pg, NULL);
			return -1;
		}
		if (pg_flush_last(q->pg, &res, err) == -1)
			return -1;
	} else {
		if (pg_flush(q->pg, err) == -1 || pg_ready(q->pg, err) == -1)
			return -1;
		if (q->gen != q->pg->gen && pg_prepare(q, err) == -1)
			return -1;
		pg_params(q, vals, lens, fmts);
		res = PQexecPrepared(q->pg->conn, q->name, q->nparams, vals,
		    lens, fmts, 0);
	}
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		/* as sqlite3_changes: only what INSERT, UPDATE, DELETE did */
		n = PQcmdStatus(res);
		if (strncmp(n, "INSERT", 6) == 0 ||
		    strncmp(n, "UPDATE", 6) == 0 ||
		    strncmp(n, "DELETE", 6) == 0)
			q->pg->changes = strtoll(PQcmdTuples(res), NULL, 10);
		q->res = res;
		return 0;
	default:
		return pg_result_error(q->pg, res, "query", err);
	}
}

enum store_step
store_pg_q_step(struct store_pg_q *q, struct error *err)
{
	if (q->res == NULL && pg_run(q, err) == -1) {
		store_pg_q_reset(q);
		return STORE_ERROR;
	}
	PQfreemem(q->blob);
	q->blob = NULL;
	if (q->row + 1 >= PQntuples(q->res)) {
		/* the next step runs it again, as sqlite3_step does */
		store_pg_q_reset(q);
		return STORE_DONE;
	}
	q->row++;
	return STORE_ROW;
}

int64_t
store_pg_changes(struct store_pg *pg)
{
	return pg->changes;
}

bool
store_pg_col_null(struct store_pg_q *q, int col)
{
	return PQgetisnull(q->res, q->row, col);
}

int64_t
store_pg_col_int(struct store_pg_q *q, int col)
{
	const char *v;

	if (PQgetisnull(q->res, q->row, col))
		return 0;
	v = PQgetvalue(q->res, q->row, col);
	if (*v == 't')
		return 1;
	if (*v == 'f')
		return 0;
	/* numeric (sum, avg) and 9e18 read as SQLite reads a real */
	if (strpbrk(v, ".eE") != NULL)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

const char *
store_pg_col_text(struct store_pg_q *q, int col)
{
	if (PQgetisnull(q->res, q->row, col))
		return NULL;
	return PQgetvalue(q->res, q->row, col);
}

const void *
store_pg_col_blob(struct store_pg_q *q, int col, size_t *len_out)
{
	const char *v;
	size_t len;

	*len_out = 0;
	if (PQgetisnull(q->res, q->row, col))
		return NULL;
	v = PQgetvalue(q->res, q->row, col);
	if (PQftype(q->res, col) != PG_BYTEAOID) {
		*len_out = (size_t)PQgetlength(q->res, q->row, col);
		return v;
	}
	PQfreemem(q->blob);
	q->blob = PQunescapeBytea((const unsigned char *)v, &len);
	if (q->blob == NULL)
		return NULL;
	*len_out = len;
	return q->blob;
}

static void
pg_params(struct store_pg_q *q, const char **vals, int *lens, int *fmts)
{
	int i;

	for (i = 0; i < q->nparams; i++) {
		vals[i] = q->val[i];	/* NULL: SQL NULL */
		lens[i] = q->len[i];
		/* bytea, and what the statement types, as binary */
		fmts[i] = q->kind[i] == PG_BLOB || q->kind[i] == PG_BINARY;
	}
}

/*
 * Deferred writes (store_pg.h).  Each round trip to the server costs the
 * one writer thread a wait and two context switches, ~20 a stored
 * message; a write whose result nobody reads is sent in pipeline mode
 * and its result read with the next statement that needs one, or at the
 * end of the message (store_pg_release), so a message's writes travel
 * together.  Outside a transaction there is nothing to wait for: run now.
 */
int
store_pg_q_exec_later(struct store_pg_q *q, struct error *err)
{
	enum store_step rc;

	if (!q->pg->tx) {
		while ((rc = store_pg_q_step(q, err)) == STORE_ROW)
			;
		return rc == STORE_ERROR ? -1 : 0;
	}
	return pg_send(q->pg, q, NULL, err);
}

int
store_pg_exec_later(struct store_pg *pg, const char *sql, struct error *err)
{
	if (!pg->tx)
		return store_pg_exec(pg, sql, err);
	return pg_send(pg, NULL, sql, err);
}

/* Sends q (bound) or sql (no parameters) in pipeline mode: 0 or -1. */
static int
pg_send(struct store_pg *pg, struct store_pg_q *q, const char *sql,
    struct error *err)
{
	const char *vals[PG_MAXPARAM];
	int lens[PG_MAXPARAM], fmts[PG_MAXPARAM], ok;

	/* a statement is prepared outside the pipeline, synchronously */
	if (q != NULL && q->gen != pg->gen && (pg_flush(pg, err) == -1 ||
	    pg_ready(pg, err) == -1 || pg_prepare(q, err) == -1))
		return -1;
	if (pg->pending == 0) {
		if (pg_ready(pg, err) == -1)
			return -1;
		if (PQenterPipelineMode(pg->conn) != 1)
			return error_set(err, ERR_TEMP, "database: cannot "
			    "enter pipeline mode: %s", PQerrorMessage(pg->conn));
	}
	if (q != NULL) {
		pg_params(q, vals, lens, fmts);
		ok = PQsendQueryPrepared(pg->conn, q->name, q->nparams, vals,
		    lens, fmts, 0);
	} else
		ok = PQsendQueryParams(pg->conn, sql, 0, NULL, NULL, NULL,
		    NULL, 0);
	pg->pending++;	/* even unsent: pg_flush ends the pipeline */
	if (ok != 1)
		return error_set(err, ERR_TEMP, "database: %s",
		    PQerrorMessage(pg->conn));
	return 0;
}

/*
 * Reads the results of the deferred writes and leaves pipeline mode: 0,
 * or -1 + err for the first that failed (the ones after it were not
 * run; the transaction is to be rolled back, to the message's savepoint
 * or whole).  A connection that cannot leave the pipeline is dropped.
 */
static int
pg_flush(struct store_pg *pg, struct error *err)
{
	return pg_flush_last(pg, NULL, err);
}

/*
 * pg_flush, and with last_out the result of the last query sent (a
 * statement whose answer is wanted, sent behind the deferred writes so
 * that all of them take one round trip): *last_out its PGresult when
 * it succeeded, NULL and -1 when it or a write before it failed.
 */
static int
pg_flush_last(struct store_pg *pg, PGresult **last_out, struct error *err)
{
	PGresult *res;
	int left = pg->pending, rc = 0, query = 0, last = pg->pending - 1;
	bool synced = false;

	int boundary = pg->boundary;
	struct error mine;

	if (err == NULL)	/* the earlier unit's failure is told anyway */
		err = &mine;
	if (last_out != NULL)
		*last_out = NULL;
	if (left == 0)
		return 0;
	pg->pending = 0;
	pg->boundary = 0;
	if (PQpipelineSync(pg->conn) == 1) {
		while (!synced) {
			if ((res = PQgetResult(pg->conn)) == NULL) {
				/* one query's results end; none after the sync */
				query++;
				if (left-- <= 0)
					break;
				continue;
			}
			switch (PQresultStatus(res)) {
			case PGRES_PIPELINE_SYNC:
				synced = true;
				PQclear(res);
				break;
			case PGRES_FATAL_ERROR:
				/* the first failure is the one to tell */
				if (rc == 0) {
					rc = pg_result_error(pg, res,
					    last_out != NULL && query == last ?
					    "query" : "deferred write", err);
					if (query < boundary)
						pg_earlier(pg, err);
				} else
					PQclear(res);
				break;
			case PGRES_TUPLES_OK:
			case PGRES_COMMAND_OK:
				if (last_out != NULL && query == last &&
				    *last_out == NULL) {
					*last_out = res;
					break;
				}
				PQclear(res);
				break;
			default:
				PQclear(res);
			}
		}
	}
	if (!synced || PQexitPipelineMode(pg->conn) != 1) {
		if (rc == 0)
			rc = error_set(err, ERR_TEMP, "database: connection to "
			    "PostgreSQL lost with writes in flight");
		PQfinish(pg->conn);
		pg->conn = NULL;
	}
	if (rc != 0 && last_out != NULL && *last_out != NULL) {
		PQclear(*last_out);
		*last_out = NULL;
	}
	return rc;
}

/*
 * BEGIN in the pipeline, so that it travels with the transaction's
 * first statements: a failure surfaces at the first statement whose
 * answer is read, which fails, and the caller's ROLLBACK ends it.
 */
int
store_pg_begin_later(struct store_pg *pg, struct error *err)
{
	if (pg_flush(pg, err) == -1 || pg_ready(pg, err) == -1)
		return -1;
	pg->tx = true;
	if (pg_send(pg, NULL, "BEGIN;", err) == -1) {
		(void)pg_flush(pg, NULL);
		pg->tx = false;
		return -1;
	}
	return 0;
}

/* The failure just read was a write of the unit before the mark. */
static void
pg_earlier(struct store_pg *pg, const struct error *err)
{
	pg->earlier_failed = true;
	pg->earlier = *err;
}

void
store_pg_unit_begin(struct store_pg *pg)
{
	pg->boundary = pg->pending;
	pg->earlier_failed = false;
	error_clear(&pg->earlier);
}

bool
store_pg_earlier_failed(const struct store_pg *pg, struct error *err_out)
{
	if (pg->earlier_failed && err_out != NULL)
		*err_out = pg->earlier;
	return pg->earlier_failed;
}

bool
store_pg_earlier_pending(const struct store_pg *pg)
{
	return pg->boundary > 0;
}

int
store_pg_sync(struct store_pg *pg, struct error *err)
{
	return pg_flush(pg, err);
}

bool
store_pg_in_tx(struct store_pg *pg)
{
	return pg->tx || (pg->conn != NULL &&
	    PQtransactionStatus(pg->conn) != PQTRANS_IDLE);
}

/*
 * BEGIN marks the connection as in a transaction (no silent reconnect
 * until it ends); COMMIT or ROLLBACK ends it, whatever their outcome.
 */
int
store_pg_exec(struct store_pg *pg, const char *sql, struct error *err)
{
	PGresult *res;
	ExecStatusType rc;

	/* ROLLBACK clears what a failed deferred write left */
	if (pg_flush(pg, err) == -1 && strncmp(sql, "ROLLBACK", 8) != 0)
		return -1;
	if (strncmp(sql, "BEGIN", 5) == 0) {
		if (pg_ready(pg, err) == -1)
			return -1;
		pg->tx = true;
	} else if (strncmp(sql, "COMMIT", 6) == 0 ||
	    strcmp(sql, "ROLLBACK;") == 0) {
		pg->tx = false;
		if (PQstatus(pg->conn) != CONNECTION_OK)
			return error_set(err, ERR_TEMP, "database: "
			    "connection to PostgreSQL lost in a transaction");
	} else if (pg_ready(pg, err) == -1)
		return -1;
	res = PQexec(pg->conn, sql);
	rc = PQresultStatus(res);
	if (rc != PGRES_COMMAND_OK && rc != PGRES_TUPLES_OK) {
		/* a BEGIN that failed began nothing to roll back */
		if (strncmp(sql, "BEGIN", 5) == 0)
			pg->tx = false;
		return pg_result_error(pg, res, "exec", err);
	}
	/*
	 * COMMIT of a transaction a failed statement aborted succeeds as a
	 * ROLLBACK: nothing was stored, and nobody may be told it was.
	 */
	if (strncmp(sql, "COMMIT", 6) == 0 &&
	    strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		PQclear(res);
		return error_set(err, ERR_TEMP, "database: the transaction "
		    "had failed and was rolled back at COMMIT");
	}
	PQclear(res);
	return 0;
}

/* Fills err from res (or the connection) and frees res: -1. */
static int
pg_result_error(struct store_pg *pg, PGresult *res, const char *what,
    struct error *err)
{
	const char *msg;
	char *copy, *nl;
	enum error_kind kind = pg_error_kind(pg, res);

	msg = res != NULL && *PQresultErrorMessage(res) != '\0' ?
	    PQresultErrorMessage(res) : PQerrorMessage(pg->conn);
	copy = xstrdup(msg);
	if ((nl = strchr(copy, '\n')) != NULL)
		*nl = '\0';
	error_set(err, kind, "database %s: %s", what, copy);
	free(copy);
	PQclear(res);
	return -1;
}

static enum error_kind
pg_error_kind(struct store_pg *pg, PGresult *res)
{
	const char *state;

	if (PQstatus(pg->conn) != CONNECTION_OK)
		return ERR_TEMP;
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
	    NULL;
	if (state == NULL)	/* no answer from the server */
		return ERR_TEMP;
	if (strncmp(state, "08", 2) == 0 ||	/* connection exception */
	    strcmp(state, "40001") == 0 ||	/* serialization_failure */
	    strcmp(state, "40P01") == 0 ||	/* deadlock_detected */
	    strcmp(state, "55P03") == 0 ||	/* lock_not_available */
	    strncmp(state, "53", 2) == 0 ||	/* insufficient resources */
	    strncmp(state, "57", 2) == 0 ||	/* operator intervention */
	    strncmp(state, "58", 2) == 0)	/* system error (I/O) */
		return ERR_TEMP;
	/*
	 * A UNIQUE key another instance took between our look-up and our
	 * insert (the same message delivered to two MX hosts at once): the
	 * peer retries, and the retry finds it stored (a redelivery).
	 */
	if (strcmp(state, "23505") == 0)
		return ERR_TEMP;
	return ERR_INTERNAL;
}

/*
 * The engine-chosen spellings, applied outside string literals.  The
 * store files write the shared subset; what SQLite has and PostgreSQL
 * spells otherwise is named once here:
 *   ?N                    -> $N
 *   instr(                -> strpos(   (same argument order)
 *   min(coalesce(         -> LEAST(coalesce(   SQLite's scalar min of
 *                            several values; every one in the store has
 *                            coalesce( as its first argument, and no
 *                            aggregate min() does
 */
static const struct {
	const char *from, *to;
} pg_words[] = {
	{ "instr(", "strpos(" },
	{ "min(coalesce(", "LEAST(coalesce(" },
	{ "min(COALESCE(", "LEAST(COALESCE(" },
};

static char *
pg_rewrite(const char *sql, int *nparams)
{
	size_t i, n = strlen(sql), w, cap = 2 * n + 1, o = 0;
	char *out = xmalloc(cap), quote = 0;
	int max = 0;

	for (i = 0; i < n; ) {
		char c = sql[i];

		if (quote != 0) {
			out[o++] = c;
			if (c == quote)
				quote = 0;
			i++;
			continue;
		}
		if (c == '\'' || c == '"') {
			quote = c;
			out[o++] = c;
			i++;
			continue;
		}
		if (c == '?' && isdigit((unsigned char)sql[i + 1])) {
			int v = 0;

			out[o++] = '$';
			for (i++; isdigit((unsigned char)sql[i]); i++) {
				v = v * 10 + (sql[i] - '0');
				out[o++] = sql[i];
			}
			if (v > max)
				max = v;
			continue;
		}
		for (w = 0; w < sizeof(pg_words) / sizeof(pg_words[0]); w++) {
			size_t fl = strlen(pg_words[w].from);

			if (strncmp(sql + i, pg_words[w].from, fl) == 0 &&
			    (i == 0 || !(isalnum((unsigned char)sql[i - 1]) ||
			    sql[i - 1] == '_'))) {
				size_t tl = strlen(pg_words[w].to);

				memcpy(out + o, pg_words[w].to, tl);
				o += tl;
				i += fl;
				break;
			}
		}
		if (w < sizeof(pg_words) / sizeof(pg_words[0]))
			continue;
		out[o++] = c;
		i++;
	}
	out[o] = '\0';
	*nparams = max > PG_MAXPARAM ? PG_MAXPARAM : max;
	return out;
}

/*
 * The schema's description (store_schema.c, one for both engines) made
 * PostgreSQL's by these rules, applied outside string literals:
 *   INTEGER PRIMARY KEY    -> BIGINT GENERATED BY DEFAULT AS IDENTITY
 *                             PRIMARY KEY (ids the database chooses;
 *                             a sequence, so gaps are possible)
 *   INTEGER                -> BIGINT (times and ids are 64-bit)
 *   BLOB                   -> BYTEA
 *   ) WITHOUT ROWID        -> )  (a PostgreSQL table has no rowid)
 *   lower(hex(randomblob(8)))
 *                          -> substr(md5(random()::text ||
 *                             clock_timestamp()::text), 1, 16)
 *                             (16 random hex digits without pgcrypto)
 */
static const struct {
	const char *from, *to;
} pg_schema_words[] = {
	{ "INTEGER PRIMARY KEY",
	  "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" },
	{ "INTEGER", "BIGINT" },
	{ "BLOB", "BYTEA" },
	{ ") WITHOUT ROWID", ")" },
	{ "lower(hex(randomblob(8)))", "substr(md5(random()::text ||"
	  " clock_timestamp()::text), 1, 16)" },
};

static char *
pg_schema(const char *sql)
{
	size_t i, w, n = strlen(sql), cap = 4 * n + 64, o = 0;
	char *out = xmalloc(cap), quote = 0;

	for (i = 0; i < n; ) {
		if (quote == 0) {
			for (w = 0; w < sizeof(pg_schema_words) /
			    sizeof(pg_schema_words[0]); w++) {
				size_t fl = strlen(pg_schema_words[w].from);
				size_t tl = strlen(pg_schema_words[w].to);

				if (strncmp(sql + i, pg_schema_words[w].from,
				    fl) != 0)
					continue;
				if (o + tl + 1 > cap) {
					cap = 2 * cap + tl;
					out = xreallocarray(out, cap, 1);
				}
				memcpy(out + o, pg_schema_words[w].to, tl);
				o += tl;
				i += fl;
				break;
			}
			if (w < sizeof(pg_schema_words) /
			    sizeof(pg_schema_words[0]))
				continue;
		}
		if (sql[i] == '\'')
			quote = quote == 0 ? '\'' : 0;
		if (o + 2 > cap) {
			cap *= 2;
			out = xreallocarray(out, cap, 1);
		}
		out[o++] = sql[i++];
	}
	out[o] = '\0';
	return out;
}

/*
 * The schema version lives in triaged_schema (PostgreSQL has no
 * user_version).  Every instance takes the advisory lock before reading
 * it, so two instances starting at once migrate once: the second waits,
 * then finds the version current.  Each migration runs in its own
 * transaction with its version bump (PostgreSQL's DDL is transactional).
 */
static int
pg_migrate(struct store_pg *pg, struct error *err)
{
	size_t want = store_schema_version();
	char *sql, bump[96];
	long have = 0;
	PGresult *res;
	int rc = -1;

	if (store_pg_exec(pg, "SELECT pg_advisory_lock(" PG_MIGRATE_LOCK ");",
	    err) == -1)
		return -1;
	if (store_pg_exec(pg, "CREATE TABLE IF NOT EXISTS triaged_schema ("
	    " version BIGINT NOT NULL);", err) == -1)
		goto out;
	res = PQexec(pg->conn, "SELECT max(version) FROM triaged_schema");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_result_error(pg, res, "schema version", err);
		goto out;
	}
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		have = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (have < 0 || (size_t)have > want) {
		error_set(err, ERR_PERM, "database schema version %ld is newer "
		    "than this triaged (%zu)", have, want);
		goto out;
	}
	for (; (size_t)have < want; have++) {
		if (store_pg_exec(pg, "BEGIN;", err) == -1)
			goto out;
		/* SQLite's alone (FTS5): the version counts, nothing runs */
		if (strncmp(store_schema_migration((size_t)have + 1),
		    STORE_SCHEMA_SQLITE_ONLY,
		    strlen(STORE_SCHEMA_SQLITE_ONLY)) == 0)
			sql = xstrdup("SELECT 1;");
		else
			sql = pg_schema(store_schema_migration((size_t)have +
			    1));
		snprintf(bump, sizeof(bump), "INSERT INTO triaged_schema"
		    " (version) VALUES (%ld);", have + 1);
		if (store_pg_exec(pg, sql, err) == -1 ||
		    store_pg_exec(pg, bump, err) == -1 ||
		    store_pg_exec(pg, "COMMIT;", err) == -1) {
			free(sql);
			(void)store_pg_exec(pg, "ROLLBACK;", NULL);
			goto out;
		}
		free(sql);
	}
	rc = 0;
out:
	(void)store_pg_exec(pg, "SELECT pg_advisory_unlock(" PG_MIGRATE_LOCK
	    ");", NULL);
	return rc;
}
