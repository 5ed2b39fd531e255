/*
 * kb_index: the knowledge base's index (kb_index.h).  On SQLite: FTS5
 * MATCH, bm25() and the 'delete-all' command over kb_search (external
 * content in kb_articles, store_schema.c version 13).  On PostgreSQL:
 * tsvector documents of the same words (search_tok.h; store_schema.c,
 * "full-text search and the knowledge base on PostgreSQL"), the
 * articles a query may score found by the GIN index, and FTS5's bm25
 * computed here from their words (kb_index_pg_search), so that scores,
 * and what knowledge_base.min_score keeps, are the same numbers on both
 * engines.  The text indexed is folded as the messages' is
 * (search_index_fold), and the stems are quoted, so nothing from a mail
 * or a file reaches FTS5's or tsquery's parser raw.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "kb_index.h"
#include "search_index.h"
#include "search_tok.h"
#include "store_db.h"
#include "xmalloc.h"

static int	kb_index_row(struct store *, const struct kb_entry *, int64_t *,
		    struct error *);
static int	kb_index_add(struct store *, const struct kb_entry *,
		    struct error *);
static int	kb_index_pg_add(struct store *, const struct kb_entry *,
		    struct error *);
static char	*kb_index_match(const char *const *, size_t);
static int	kb_index_pg_search(struct store *, const char *const *,
		    size_t, const char *, int, size_t, struct kb_hit **,
		    size_t *, struct error *);

int
kb_index_replace(struct store *st, const struct kb_entry *entries, size_t n,
    struct error *err)
{
	static const char clear_index[] = "INSERT INTO kb_search (kb_search)"
	    " VALUES ('delete-all')";
	static const char clear_rows[] = "DELETE FROM kb_articles";
	/* PostgreSQL: kb_tsv's rows go with their articles (CASCADE) */
	static const char pg_clear[] = "DELETE FROM kb_articles";
	struct store_q *q;
	size_t i;

	if (!store_db_sqlite(st)) {
		if ((q = store_q(st, pg_clear, err)) == NULL ||
		    store_q_exec(q, err) == -1)
			return -1;
		for (i = 0; i < n; i++)
			if (kb_index_pg_add(st, &entries[i], err) == -1)
				return -1;
		return 0;
	}
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

/* The entry's row in kb_articles, either engine: 0 and *id, or -1 + err. */
static int
kb_index_row(struct store *st, const struct kb_entry *e, int64_t *id,
    struct error *err)
{
	static const char row[] = "INSERT INTO kb_articles (kind, path, title,"
	    " url, body) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
	struct store_q *q;

	if ((q = store_q(st, row, err)) == NULL)
		return -1;
	store_q_text(q, 1, e->kind);
	store_q_text(q, 2, e->path);
	store_q_text(q, 3, e->title);
	store_q_text(q, 4, e->url);
	store_q_text(q, 5, e->body);
	return store_q_returning(q, id, err);
}

static int
kb_index_add(struct store *st, const struct kb_entry *e, struct error *err)
{
	static const char index[] = "INSERT INTO kb_search (rowid, title,"
	    " body) VALUES (?1, ?2, ?3)";
	struct store_q *q;
	char *title, *body;
	int64_t id;
	int rc;

	if (kb_index_row(st, e, &id, err) == -1 ||
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

	if (!store_db_sqlite(st))
		return kb_index_pg_search(st, stems, nstems, kind, min_score,
		    limit, hits_out, n_out, err);
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

/*
 * PostgreSQL: the entry's row, then its document: the title's words
 * weighted A, the body's D (bm25's 3.0 and 1.0 are applied by
 * kb_index_pg_search), and the number of words, bm25's length.
 */
static int
kb_index_pg_add(struct store *st, const struct kb_entry *e,
    struct error *err)
{
	static const char index[] = "INSERT INTO kb_tsv (id, words, doc)"
	    " VALUES (?1, ?2, ?3::tsvector)";
	struct search_tok *tok;
	struct search_tok_doc *d;
	struct store_q *q;
	size_t words;
	int64_t id;

	if ((tok = store_search_tok(st, err)) == NULL ||
	    kb_index_row(st, e, &id, err) == -1 ||
	    (q = store_q(st, index, err)) == NULL)
		return -1;
	d = search_tok_doc_new();
	words = search_tok_doc_add(tok, d, e->title, 'A');
	words += search_tok_doc_add(tok, d, e->body, 'D');
	store_q_int(q, 1, id);
	store_q_int(q, 2, (int64_t)words);
	search_tok_doc_bind(d, q, 3);
	return store_q_exec(q, err);
}

/* The stems as words to find: search_tok's, each once. */
struct kb_pg_stems {
	char	**word;
	size_t	  n;
};

static int
kb_index_pg_stem(void *arg, const char *word, size_t len, size_t start,
    size_t end)
{
	struct kb_pg_stems *s = arg;
	size_t i;

	(void)start;
	(void)end;
	for (i = 0; i < s->n; i++)
		if (strlen(s->word[i]) == len &&
		    memcmp(s->word[i], word, len) == 0)
			return 0;
	s->word = xreallocarray(s->word, s->n + 1, sizeof(*s->word));
	s->word[s->n++] = xstrndup(word, len);
	return 0;
}

/* What one article has of each stem (kb_index_pg_search). */
struct kb_pg_doc {
	int64_t	 id;
	bool	 kind_ok;
	double	 words;
	double	*freq;		/* per stem: 3 x title hits + body hits */
	double	 score;
};

/* Best first, then by id: kb_index_search's order. */
static int
kb_index_pg_cmp(const void *a, const void *b)
{
	const struct kb_pg_doc *x = a, *y = b;
	long sx = lround(x->score * 10), sy = lround(y->score * 10);

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The count of letter c in a text[] of weights: "{A,A,D}". */
static double
kb_index_pg_count(const char *weights, char c)
{
	double n = 0;

	for (; weights != NULL && *weights != '\0'; weights++)
		if (*weights == c)
			n++;
	return n;
}

/*
 * FTS5's bm25 (fts5_aux.c), stem for stem as its "stem"* OR ... query:
 * for each stem i found in n_i of the N articles, idf_i = ln((N - n_i +
 * 0.5) / (n_i + 0.5)), 1e-6 if not above 0; an article of D words
 * (title and body) where the words starting with stem i occur f_i
 * times (a title's counting 3) scores the sum of idf_i * f_i * (k1 + 1)
 * / (f_i + k1 * (1 - b + b * D / avgdl)), k1 = 1.2, b = 0.75, avgdl
 * the mean D.  N and avgdl are of every article, n_i of every article
 * with the stem, whatever kind is asked for, as FTS5 counts them.  The
 * per-word counts come from the documents (unnest); PostgreSQL keeps
 * 256 positions of a word at most, so a word more frequent than that in
 * one article counts 256 times (FTS5: all).
 */
static int
kb_index_pg_search(struct store *st, const char *const *stems,
    size_t nstems, const char *kind, int min_score, size_t limit,
    struct kb_hit **hits_out, size_t *n_out, struct error *err)
{
	static const char totals[] = "SELECT count(*),"
	    " COALESCE(sum(words), 0) FROM kb_tsv";
	static const char rows[] = "SELECT s.id, s.words, a.kind, p.stem,"
	    " l.weights FROM kb_tsv s JOIN kb_articles a ON a.id = s.id"
	    " CROSS JOIN unnest(s.doc) AS l"
	    " JOIN unnest(string_to_array(?2, ' ')) WITH ORDINALITY"
	    "  AS p(stem, n) ON starts_with(l.lexeme, p.stem)"
	    " WHERE s.doc @@ ?1::tsquery ORDER BY s.id";
	static const char entry[] = "SELECT kind, path, title, url, body"
	    " FROM kb_articles WHERE id = ?1";
	struct kb_pg_stems sw;
	struct kb_pg_doc *docs = NULL, *d = NULL;
	struct search_tok *tok;
	struct store_q *q;
	struct buf match, list;
	struct kb_hit *hits = NULL, *h;
	enum store_step rc = STORE_DONE;
	int64_t nrows = 0, total = 0, id;
	double *nhit = NULL, idf, avgdl, f;
	size_t i, j, ndocs = 0, n = 0;
	const char *stem;
	int ret = -1;

	*hits_out = NULL;
	*n_out = 0;
	memset(&sw, 0, sizeof(sw));
	if ((tok = store_search_tok(st, err)) == NULL)
		return -1;
	for (i = 0; i < nstems; i++)
		if (stems[i] != NULL)
			(void)search_tok_each(tok, stems[i], strlen(stems[i]),
			    kb_index_pg_stem, &sw);
	if (sw.n == 0)
		return 0;
	buf_init(&match);
	buf_init(&list);
	for (i = 0; i < sw.n; i++) {
		if (i > 0) {
			buf_append_str(&match, " | ");
			buf_append_char(&list, ' ');
		}
		search_tok_quote(&match, sw.word[i], strlen(sw.word[i]));
		buf_append_str(&match, ":*");
		buf_append_str(&list, sw.word[i]);
	}
	buf_append_char(&match, '\0');
	buf_append_char(&list, '\0');
	nhit = xcalloc(sw.n, sizeof(*nhit));
	if ((q = store_q(st, totals, err)) == NULL)
		goto out;
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		goto out;
	if (rc == STORE_ROW) {
		nrows = store_q_col_int(q, 0);
		total = store_q_col_int(q, 1);
		store_q_reset(q);
	}
	if ((q = store_q(st, rows, err)) == NULL)
		goto out;
	store_q_text(q, 1, match.data);
	store_q_text(q, 2, list.data);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		id = store_q_col_int(q, 0);
		if (d == NULL || d->id != id) {
			docs = xreallocarray(docs, ndocs + 1, sizeof(*docs));
			d = &docs[ndocs++];
			d->id = id;
			d->words = (double)store_q_col_int(q, 1);
			d->kind_ok = kind == NULL || (store_q_col_text(q, 2) !=
			    NULL && strcmp(store_q_col_text(q, 2), kind) == 0);
			d->freq = xcalloc(sw.n, sizeof(*d->freq));
			d->score = 0;
		}
		stem = store_q_col_text(q, 3);
		for (j = 0; j < sw.n && strcmp(sw.word[j], stem) != 0; j++)
			;
		if (j == sw.n)
			continue;
		if (d->freq[j] == 0)
			nhit[j]++;
		d->freq[j] += 3.0 * kb_index_pg_count(store_q_col_text(q, 4),
		    'A') + kb_index_pg_count(store_q_col_text(q, 4), 'D');
	}
	if (rc == STORE_ERROR)
		goto out;
	avgdl = nrows > 0 ? (double)total / (double)nrows : 1;
	if (avgdl <= 0)
		avgdl = 1;
	for (i = 0; i < ndocs; i++) {
		for (j = 0; j < sw.n; j++) {
			if ((f = docs[i].freq[j]) == 0)
				continue;
			idf = log(((double)nrows - nhit[j] + 0.5) /
			    (nhit[j] + 0.5));
			if (idf <= 0.0)
				idf = 1e-6;
			docs[i].score += idf * (f * (1.2 + 1.0)) / (f + 1.2 *
			    (1.0 - 0.75 + 0.75 * docs[i].words / avgdl));
		}
	}
	if (ndocs > 0)
		qsort(docs, ndocs, sizeof(*docs), kb_index_pg_cmp);
	for (i = 0; i < ndocs && n < limit; i++) {
		if (!docs[i].kind_ok || lround(docs[i].score * 10) < min_score)
			continue;
		if ((q = store_q(st, entry, err)) == NULL)
			goto out;
		store_q_int(q, 1, docs[i].id);
		if ((rc = store_q_step(q, err)) == STORE_ERROR)
			goto out;
		if (rc != STORE_ROW)
			continue;	/* not there: not possible in a writer */
		hits = xreallocarray(hits, n + 1, sizeof(*hits));
		h = &hits[n++];
		h->id = docs[i].id;
		h->kind = store_q_col_strdup(q, 0);
		h->path = store_q_col_strdup(q, 1);
		h->title = store_q_col_strdup(q, 2);
		h->url = store_q_col_strdup(q, 3);
		h->body = store_q_col_strdup(q, 4);
		h->score = (int)lround(docs[i].score * 10);
		store_q_reset(q);
	}
	*hits_out = hits;
	*n_out = n;
	hits = NULL;
	n = 0;
	ret = 0;
out:
	kb_index_hits_free(hits, n);
	for (i = 0; i < ndocs; i++)
		free(docs[i].freq);
	free(docs);
	free(nhit);
	for (i = 0; i < sw.n; i++)
		free(sw.word[i]);
	free(sw.word);
	buf_release(&match);
	buf_release(&list);
	return ret;
}
