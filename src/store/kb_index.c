/*
 * kb_index: the knowledge base's index (kb_index.h).  SQLite-only, all
 * of it: FTS5 MATCH, bm25() and the 'delete-all' command over kb_search
 * (external content in kb_articles, store_schema.c).  The text indexed
 * is folded as the messages' is (search_index_fold), and the stems are
 * quoted, so nothing from a mail or a file reaches FTS5's parser raw.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "kb_index.h"
#include "search_index.h"
#include "store_db.h"
#include "xmalloc.h"

static int	kb_index_add(struct store *, const struct kb_entry *,
		    struct error *);
static char	*kb_index_match(const char *const *, size_t);

int
kb_index_replace(struct store *st, const struct kb_entry *entries, size_t n,
    struct error *err)
{
	static const char clear_index[] = "INSERT INTO kb_search (kb_search)"
	    " VALUES ('delete-all')";
	static const char clear_rows[] = "DELETE FROM kb_articles";
	struct store_q *q;
	size_t i;

	if (!store_db_sqlite(st))
		return 0;	/* FTS5: SQLite's alone, for now */
	if ((q = store_q(st, clear_index, err)) == NULL ||
	    store_q_exec(q, err) == -1 ||
	    (q = store_q(st, clear_rows, err)) == NULL ||
	    store_q_exec(q, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (kb_index_add(st, &entries[i], err) == -1)
			return -1;
	return 0;
}

static int
kb_index_add(struct store *st, const struct kb_entry *e, struct error *err)
{
	static const char row[] = "INSERT INTO kb_articles (kind, path, title,"
	    " url, body) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
	static const char index[] = "INSERT INTO kb_search (rowid, title,"
	    " body) VALUES (?1, ?2, ?3)";
	struct store_q *q;
	char *title, *body;
	int64_t id;
	int rc;

	if ((q = store_q(st, row, err)) == NULL)
		return -1;
	store_q_text(q, 1, e->kind);
	store_q_text(q, 2, e->path);
	store_q_text(q, 3, e->title);
	store_q_text(q, 4, e->url);
	store_q_text(q, 5, e->body);
	if (store_q_returning(q, &id, err) == -1 ||
	    (q = store_q(st, index, err)) == NULL)
		return -1;
	title = xstrdup(e->title);
	body = xstrdup(e->body);
	search_index_fold(title);
	search_index_fold(body);
	store_q_int(q, 1, id);
	store_q_text(q, 2, title);
	store_q_text(q, 3, body);
	rc = store_q_exec(q, err);
	free(title);
	free(body);
	return rc;
}

/* "s1"* OR "s2"* ..., each stem folded, quotes doubled; NULL if none. */
static char *
kb_index_match(const char *const *stems, size_t n)
{
	struct buf out;
	char *s, *p;
	size_t i, terms = 0;

	buf_init(&out);
	for (i = 0; i < n; i++) {
		if (stems[i] == NULL || stems[i][0] == '\0')
			continue;
		s = xstrdup(stems[i]);
		search_index_fold(s);
		if (terms++ > 0)
			buf_append_str(&out, " OR ");
		buf_append_char(&out, '"');
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				buf_append_char(&out, '"');
			buf_append_char(&out, *p);
		}
		buf_append_str(&out, "\"*");
		free(s);
	}
	if (terms == 0) {
		buf_release(&out);
		return NULL;
	}
	return buf_steal(&out, NULL);
}

int
kb_index_search(struct store *st, const char *const *stems, size_t nstems,
    const char *kind, int min_score, size_t limit, struct kb_hit **hits_out,
    size_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT a.id, a.kind, a.path, a.title,"
	    " a.url, a.body, h.score FROM (SELECT rowid AS id,"
	    " CAST(round(-bm25(kb_search, 3.0, 1.0) * 10) AS INTEGER) AS score"
	    " FROM kb_search WHERE kb_search MATCH ?1) h"
	    " JOIN kb_articles a ON a.id = h.id"
	    " WHERE h.score >= ?2 AND (?3 IS NULL OR a.kind = ?3)"
	    " ORDER BY h.score DESC, a.id LIMIT ?4";
	struct kb_hit *hits = NULL, *h;
	struct store_q *q;
	enum store_step rc;
	char *match;
	size_t n = 0;

	if (!store_db_sqlite(st)) {	/* FTS5: SQLite's alone, for now */
		*hits_out = NULL;
		*n_out = 0;
		return 0;
	}

	*hits_out = NULL;
	*n_out = 0;
	if ((match = kb_index_match(stems, nstems)) == NULL)
		return 0;
	if ((q = store_q(st, sql, err)) == NULL) {
		free(match);
		return -1;
	}
	store_q_text(q, 1, match);
	store_q_int(q, 2, min_score);
	store_q_text(q, 3, kind);
	store_q_int(q, 4, (int64_t)limit);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		hits = xreallocarray(hits, n + 1, sizeof(*hits));
		h = &hits[n++];
		h->id = store_q_col_int(q, 0);
		h->kind = store_q_col_strdup(q, 1);
		h->path = store_q_col_strdup(q, 2);
		h->title = store_q_col_strdup(q, 3);
		h->url = store_q_col_strdup(q, 4);
		h->body = store_q_col_strdup(q, 5);
		h->score = (int)store_q_col_int(q, 6);
	}
	free(match);
	if (rc == STORE_ERROR) {
		kb_index_hits_free(hits, n);
		return -1;
	}
	*hits_out = hits;
	*n_out = n;
	return 0;
}

void
kb_index_hits_free(struct kb_hit *hits, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(hits[i].kind);
		free(hits[i].path);
		free(hits[i].title);
		free(hits[i].url);
		free(hits[i].body);
	}
	free(hits);
}
