/*
 * store_copy: an SQLite store copied into an empty PostgreSQL one
 * (store_copy.h).  The SQL that lists tables and columns is each
 * engine's own (marked below); the copy itself is one SELECT per table on
 * the source and one INSERT per row on the target, texts made here at
 * run time from the names the databases gave (store_q_new: not cached).
 *
 * Order: PostgreSQL checks a REFERENCES clause at each statement (ours
 * are not DEFERRABLE), so a table is copied after the tables its foreign
 * keys name (SQLite's pragma_foreign_key_list).  Values are bound by the
 * target column's type, not by what SQLite holds: a BLOB column's value
 * goes in as bytea byte for byte, whatever SQLite's storage class.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "search_pg.h"
#include "store.h"
#include "store_copy.h"
#include "store_db.h"
#include "xmalloc.h"

enum copy_type { COPY_INT, COPY_TEXT, COPY_BLOB };

struct copy_col {
	char		*name;
	enum copy_type	 type;		/* the target's */
	bool		 identity;	/* the target's sequence to move */
	int64_t		 max;		/* highest value copied */
};

struct copy_table {
	char		*name;
	bool		 skip;		/* not in the target: SQLite-only */
	bool		 done;
	char		**deps;		/* tables its foreign keys name */
	size_t		 ndeps;
	struct copy_col	*cols;
	size_t		 ncols;
};

struct copy_set {
	struct copy_table *t;
	size_t		 n;
};

static int	copy_tables(struct store *, char ***, size_t *, struct error *);
static int	copy_plan(struct store *, struct store *, struct copy_set *,
		    struct error *);
static int	copy_columns(struct store *, struct store *,
		    struct copy_table *, struct error *);
static int	copy_table(struct store *, struct store *,
		    struct copy_table *, int64_t *, struct error *);
static int	copy_count(struct store *, const char *, int64_t *,
		    struct error *);
static int	copy_sequences(struct store *, struct copy_table *,
		    struct error *);
static struct copy_table *copy_next(struct copy_set *);
static void	copy_set_free(struct copy_set *);
static void	copy_names_free(char **, size_t);
static bool	copy_has(char **, size_t, const char *);

int
store_copy_check_empty(struct store *to, struct error *err)
{
	char **names = NULL, *sql;
	size_t n = 0, i;
	struct store_q *q;
	int rc = 0;

	if (store_db_sqlite(to))
		return error_set(err, ERR_PERM, "migrate: the target must be "
		    "a PostgreSQL database");
	if (copy_tables(to, &names, &n, err) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		/* what every new database has, before any data */
		if (strcmp(names[i], "triaged_schema") == 0)
			continue;
		xasprintf(&sql, "SELECT 1 FROM \"%s\"%s LIMIT 1", names[i],
		    strcmp(names[i], "store_info") == 0 ?
		    " WHERE key <> 'id'" : "");
		if ((q = store_q_new(to, sql, err)) == NULL)
			rc = -1;
		else {
			switch (store_q_step(q, err)) {
			case STORE_ROW:
				rc = error_set(err, ERR_PERM, "migrate: the "
				    "target database is not empty (table "
				    "%s has rows): give an empty database",
				    names[i]);
				break;
			case STORE_ERROR:
				rc = -1;
				break;
			default:
				break;
			}
			store_q_free(q);
		}
		free(sql);
	}
	copy_names_free(names, n);
	return rc;
}

int
store_copy(struct store *from, struct store *to, store_copy_fn *fn,
    void *arg, struct error *err)
{
	struct copy_set set;
	struct copy_table *t;
	struct store_q *q;
	int64_t rows;
	size_t i;

	if (!store_db_sqlite(from) || store_db_sqlite(to))
		return error_set(err, ERR_PERM, "migrate: copies an SQLite "
		    "store into a PostgreSQL database");
	memset(&set, 0, sizeof(set));
	if (store_begin(to, err) == -1)
		return -1;
	if (store_copy_check_empty(to, err) == -1 ||
	    copy_plan(from, to, &set, err) == -1)
		goto fail;
	/* the migration made the target's own identity: the source's moves */
	if ((q = store_q(to, "DELETE FROM store_info", err)) == NULL ||
	    store_q_exec(q, err) == -1)
		goto fail;
	for (i = 0; i < set.n; i++)
		if (set.t[i].skip) {
			set.t[i].done = true;
			fn(arg, set.t[i].name, -1);
		}
	while ((t = copy_next(&set)) != NULL) {
		if (copy_table(from, to, t, &rows, err) == -1 ||
		    copy_sequences(to, t, err) == -1)
			goto fail;
		t->done = true;
		fn(arg, t->name, rows);
	}
	for (i = 0; i < set.n; i++)
		if (!set.t[i].done) {
			error_set(err, ERR_INTERNAL, "migrate: the foreign "
			    "keys of table %s form a cycle", set.t[i].name);
			goto fail;
		}
	/* PostgreSQL's search index of what was copied (search_pg.h) */
	if (search_pg_index_all(to, err) == -1 ||
	    store_commit(to, err) == -1)
		goto fail;
	copy_set_free(&set);
	return 0;
fail:
	store_rollback(to);
	copy_set_free(&set);
	return -1;
}

/*
 * The tables of a store, by name: SQLite's ordinary tables (not FTS5's
 * virtual tables nor their shadow tables, not sqlite_*), PostgreSQL's
 * base tables of the connection's schema.
 */
static int
copy_tables(struct store *st, char ***out, size_t *nout, struct error *err)
{
	struct store_q *q;
	enum store_step rc;
	char **names = NULL;
	size_t n = 0;

	if (store_db_sqlite(st))	/* SQLite only */
		q = store_q(st, "SELECT name FROM pragma_table_list"
		    " WHERE schema = 'main' AND type = 'table'"
		    " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name",
		    err);
	else				/* PostgreSQL only */
		q = store_q(st, "SELECT table_name FROM"
		    " information_schema.tables"
		    " WHERE table_schema = current_schema()"
		    " AND table_type = 'BASE TABLE' ORDER BY table_name", err);
	if (q == NULL)
		return -1;
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = store_q_col_strdup(q, 0);
	}
	if (rc == STORE_ERROR) {
		copy_names_free(names, n);
		return -1;
	}
	*out = names;
	*nout = n;
	return 0;
}

/* Every table of the source, with its columns and the tables it needs. */
static int
copy_plan(struct store *from, struct store *to, struct copy_set *set,
    struct error *err)
{
	char **src = NULL, **dst = NULL;
	size_t nsrc = 0, ndst = 0, i;
	struct copy_table *t;
	struct store_q *q;
	enum store_step rc;
	int ret = -1;

	if (copy_tables(from, &src, &nsrc, err) == -1 ||
	    copy_tables(to, &dst, &ndst, err) == -1)
		goto out;
	set->t = xcalloc(nsrc == 0 ? 1 : nsrc, sizeof(*set->t));
	for (i = 0; i < nsrc; i++) {
		t = &set->t[set->n++];
		t->name = xstrdup(src[i]);
		if (!copy_has(dst, ndst, t->name)) {
			t->skip = true;
			continue;
		}
		if ((q = store_q(from, "SELECT DISTINCT \"table\" FROM"
		    " pragma_foreign_key_list(?1)", err)) == NULL)
			goto out;
		store_q_text(q, 1, t->name);
		while ((rc = store_q_step(q, err)) == STORE_ROW) {
			if (strcmp(store_q_col_text(q, 0), t->name) == 0)
				continue;	/* a row naming its own table */
			t->deps = xreallocarray(t->deps, t->ndeps + 1,
			    sizeof(*t->deps));
			t->deps[t->ndeps++] = store_q_col_strdup(q, 0);
		}
		if (rc == STORE_ERROR || copy_columns(from, to, t, err) == -1)
			goto out;
	}
	ret = 0;
out:
	copy_names_free(src, nsrc);
	copy_names_free(dst, ndst);
	return ret;
}

/* The source's columns, each typed as the target has it. */
static int
copy_columns(struct store *from, struct store *to, struct copy_table *t,
    struct error *err)
{
	struct store_q *q, *tq;
	struct copy_col *c;
	enum store_step rc;
	const char *type;

	if ((q = store_q(from, "SELECT name FROM pragma_table_info(?1)"
	    " ORDER BY cid", err)) == NULL)
		return -1;
	store_q_text(q, 1, t->name);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		t->cols = xreallocarray(t->cols, t->ncols + 1,
		    sizeof(*t->cols));
		c = &t->cols[t->ncols++];
		memset(c, 0, sizeof(*c));
		c->name = store_q_col_strdup(q, 0);
	}
	if (rc == STORE_ERROR)
		return -1;
	for (c = t->cols; c < t->cols + t->ncols; c++) {
		if ((tq = store_q(to, "SELECT data_type, is_identity FROM"
		    " information_schema.columns"
		    " WHERE table_schema = current_schema()"
		    " AND table_name = ?1 AND column_name = ?2", err)) == NULL)
			return -1;
		store_q_text(tq, 1, t->name);
		store_q_text(tq, 2, c->name);
		switch (store_q_step(tq, err)) {
		case STORE_ROW:
			break;
		case STORE_DONE:
			return error_set(err, ERR_INTERNAL, "migrate: column "
			    "%s.%s is not in the PostgreSQL schema", t->name,
			    c->name);
		default:
			return -1;
		}
		type = store_q_col_text(tq, 0);
		if (strcmp(type, "bigint") == 0 ||
		    strcmp(type, "integer") == 0 ||
		    strcmp(type, "smallint") == 0)
			c->type = COPY_INT;
		else if (strcmp(type, "bytea") == 0)
			c->type = COPY_BLOB;
		else
			c->type = COPY_TEXT;
		c->identity = strcmp(store_q_col_text(tq, 1), "YES") == 0;
		store_q_reset(tq);
	}
	return 0;
}

/* Every row of t, then the target's count of them: *rows. */
static int
copy_table(struct store *from, struct store *to, struct copy_table *t,
    int64_t *rows, struct error *err)
{
	struct buf *sel = buf_new(), *ins = buf_new();
	struct store_q *sq = NULL, *iq = NULL;
	enum store_step rc = STORE_ERROR;
	struct copy_col *c;
	const void *p;
	size_t i, len;
	int64_t n = 0, have = 0;
	int ret = -1;

	buf_append_str(sel, "SELECT ");
	buf_printf(ins, "INSERT INTO \"%s\" (", t->name);
	for (i = 0; i < t->ncols; i++) {
		buf_printf(sel, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
		buf_printf(ins, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
	}
	buf_printf(sel, " FROM \"%s\"", t->name);
	buf_append_str(ins, ") VALUES (");
	for (i = 0; i < t->ncols; i++)
		buf_printf(ins, "%s?%zu", i ? ", " : "", i + 1);
	buf_append_str(ins, ")");
	if ((sq = store_q_new(from, sel->data, err)) == NULL ||
	    (iq = store_q_new(to, ins->data, err)) == NULL)
		goto out;
	while ((rc = store_q_step(sq, err)) == STORE_ROW) {
		for (i = 0; i < t->ncols; i++) {
			c = &t->cols[i];
			if (store_q_col_null(sq, (int)i)) {
				store_q_null(iq, (int)i + 1);
				continue;
			}
			switch (c->type) {
			case COPY_INT:
				store_q_int(iq, (int)i + 1,
				    store_q_col_int(sq, (int)i));
				if (store_q_col_int(sq, (int)i) > c->max)
					c->max = store_q_col_int(sq, (int)i);
				break;
			case COPY_BLOB:
				p = store_q_col_blob(sq, (int)i, &len);
				store_q_blob(iq, (int)i + 1, p == NULL ? "" : p,
				    len);
				break;
			case COPY_TEXT:
				store_q_text(iq, (int)i + 1,
				    store_q_col_text(sq, (int)i));
				break;
			}
		}
		if (store_q_exec(iq, err) == -1)
			goto out;
		n++;
	}
	if (rc == STORE_ERROR || copy_count(to, t->name, &have, err) == -1)
		goto out;
	if (have != n) {
		error_set(err, ERR_INTERNAL, "migrate: table %s: %lld rows "
		    "copied, %lld in the target", t->name, (long long)n,
		    (long long)have);
		goto out;
	}
	*rows = n;
	ret = 0;
out:
	if (sq != NULL && rc == STORE_ROW)
		store_q_reset(sq);
	store_q_free(sq);
	store_q_free(iq);
	buf_free(sel);
	buf_free(ins);
	return ret;
}

static int
copy_count(struct store *st, const char *table, int64_t *out,
    struct error *err)
{
	struct store_q *q;
	char *sql;
	int rc;

	xasprintf(&sql, "SELECT count(*) FROM \"%s\"", table);
	q = store_q_new(st, sql, err);
	free(sql);
	if (q == NULL)
		return -1;
	rc = store_q_one_int(q, out, err);
	store_q_free(q);
	if (rc == 0)
		return error_set(err, ERR_INTERNAL, "count(*) of %s gave no "
		    "row", table);
	return rc == 1 ? 0 : -1;
}

/*
 * PostgreSQL only: the identity columns' sequences go past the highest
 * id copied, so that the next request, message, outbox row... takes a
 * new number (setval's next value is the one after).  A table copied
 * empty keeps its sequence at the start.
 */
static int
copy_sequences(struct store *to, struct copy_table *t, struct error *err)
{
	struct store_q *q;
	struct copy_col *c;
	char *sql;
	int rc;

	for (c = t->cols; c < t->cols + t->ncols; c++) {
		if (!c->identity || c->max <= 0)
			continue;
		xasprintf(&sql, "SELECT setval(pg_get_serial_sequence("
		    "'\"%s\"', '%s'), %lld)", t->name, c->name,
		    (long long)c->max);
		q = store_q_new(to, sql, err);
		free(sql);
		if (q == NULL)
			return -1;
		rc = store_q_exec(q, err);
		store_q_free(q);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* A table not copied yet whose foreign keys' tables all are; NULL: none. */
static struct copy_table *
copy_next(struct copy_set *set)
{
	size_t i, d, k;

	for (i = 0; i < set->n; i++) {
		if (set->t[i].done)
			continue;
		for (d = 0; d < set->t[i].ndeps; d++) {
			for (k = 0; k < set->n; k++)
				if (strcmp(set->t[k].name,
				    set->t[i].deps[d]) == 0)
					break;
			if (k < set->n && !set->t[k].done)
				break;
		}
		if (d == set->t[i].ndeps)
			return &set->t[i];
	}
	return NULL;
}

static void
copy_set_free(struct copy_set *set)
{
	size_t i, c;

	for (i = 0; i < set->n; i++) {
		free(set->t[i].name);
		copy_names_free(set->t[i].deps, set->t[i].ndeps);
		for (c = 0; c < set->t[i].ncols; c++)
			free(set->t[i].cols[c].name);
		free(set->t[i].cols);
	}
	free(set->t);
	memset(set, 0, sizeof(*set));
}

static void
copy_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool
copy_has(char **names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}
