/*
 * search_index: full-text search over the messages (search_index.h).
 * On SQLite: FTS5 query syntax, MATCH, triage_bm25() (FTS5's bm25 with
 * a bounded count per word, search_rank.h) and snippet() over the
 * message_search table of store_schema.c (versions 13, 15, 16).  On
 * PostgreSQL: tsquery, @@ and ts_rank_cd over the tsvector documents of
 * its PostgreSQL-only migration ("full-text search and the knowledge
 * base on PostgreSQL"), which this file also writes (search_pg.h), with
 * the words of SQLite's own tokenizer (search_tok.h) on both sides, so
 * that both engines find the same messages for the same query.
 *
 * People's text never reaches FTS5's parser as it is: every word or
 * phrase goes in double quotes (a quote inside doubled), so NEAR, AND,
 * column filters and parentheses are only words; the operators we offer
 * (OR, -word, word*) are written by search_index_query itself.  Nor
 * PostgreSQL's: the tsquery is written here word by word, each one
 * quoted ('word', search_tok_quote), never through to_tsquery.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "search_index.h"
#include "search_pg.h"
#include "search_tok.h"
#include "store.h"
#include "store_db.h"
#include "xmalloc.h"

/*
 * One letter for another (UTF-8), what SEARCH_FOLD in store_schema.h
 * does to the text indexed: keep the two lists alike.  Each from is one
 * two-byte letter, each to no longer (search_index_fold_len).
 */
static const struct {
	const char	*from;
	const char	*to;
} search_index_folds[] = {
	{ "ł", "l" }, { "Ł", "L" }, { "ø", "o" }, { "Ø", "O" },
	{ "đ", "d" }, { "Đ", "D" }, { "ё", "е" }, { "Ё", "Е" }
};

/* The words a PostgreSQL query looks for: its snippet marks them. */
struct search_words {
	char		**word;
	bool		 *prefix;
	size_t		  n;
};

/*
 * The engine's spelling of our operators: FTS5's, or tsquery's (its
 * phrases are "a <-> b", its prefixes 'zam':*).
 */
struct search_syntax {
	const char	*and;
	const char	*or;
	const char	*not;
};

static const struct search_syntax search_fts5 = { " AND ", " OR ", " NOT " };
static const struct search_syntax search_tsquery = { " & ", " | ", " & !" };

/* A query being translated (search_index_query). */
struct search_query {
	struct buf	 pos;		/* the words that must occur, ANDed */
	struct buf	 neg;		/* " NOT ..." for each left out */
	size_t		 nterms;
	size_t		 npos;
	bool		 or_pending;	/* OR seen, its right side not yet */
	const struct search_syntax *syn;
	struct search_tok *tok;		/* PostgreSQL: its words; else NULL */
	struct search_words *words;	/* PostgreSQL: the words to find */
};

static const char	*search_index_term(const char *, const char **,
			    size_t *, bool *, struct error *);
static bool		 search_index_wordy(const char *, size_t);
static size_t		 search_index_letters(const char *, size_t);
static char		*search_index_parse(const char *, struct search_tok *,
			    struct search_words *, struct error *);
static size_t		 search_index_quote(struct search_query *,
			    struct buf *, const char *, size_t, bool, bool);
static int		 search_index_tsquery_word(void *, const char *,
			    size_t, size_t, size_t);
static void		 search_index_words_free(struct search_words *);
static int		 search_index_add(struct search_query *,
			    const char *, size_t, bool, bool,
			    struct error *);
static char		*search_index_finish(struct search_query *,
			    struct error *);
/* Requests found so far. */
struct search_hits {
	struct search_hit	*hits;
	size_t			 n;
	int64_t			*customers;	/* --customer's ids, sorted */
	size_t			 ncustomers;
	char			*customer_list;	/* them for the engine, or NULL */
};

static int		 search_index_top(struct store *, const char *,
			    const struct search_filter *, size_t, size_t,
			    struct search_hits *, size_t *, struct error *);
static int		 search_index_pg_snippet(struct store *, const char *,
			    const struct search_words *, struct search_hit *,
			    struct error *);
static bool		 search_index_passes(struct store_q *,
			    const struct search_filter *,
			    const struct search_hits *);
static void		 search_index_hits_clear(struct search_hits *);
static int		 search_index_customers(struct store *,
			    const char *, struct search_hits *,
			    struct error *);
static int		 search_index_addresses(struct store *,
			    struct search_hits *, struct error *);
static int		 search_index_id_cmp(const void *, const void *);
static int		 search_index_customer_list(struct store *,
			    struct search_hits *, struct error *);
static int		 search_index_hit_read(struct store_q *,
			    struct search_hit *);
static int		 search_index_snippet(struct store *, const char *,
			    struct search_hit *, struct error *);
static int		 search_index_files(struct store *, const char *,
			    int64_t, char **, struct error *);
static char		*search_index_one_line(const char *);

bool
search_index_folds_any(const char *s, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x80)
			continue;
		for (j = 0; j < sizeof(search_index_folds) /
		    sizeof(search_index_folds[0]); j++)
			if (search_index_folds[j].from[0] == s[i])
				return true;
	}
	return false;
}

void
search_index_fold(char *s)
{
	s[search_index_fold_len(s, strlen(s))] = '\0';
}

size_t
search_index_fold_len(char *s, size_t len)
{
	const size_t nfolds = sizeof(search_index_folds) /
	    sizeof(search_index_folds[0]);
	char *r = s, *w = s, *end = s + len;
	const char *to;
	size_t i;

	while (r < end) {
		if ((unsigned char)*r < 0x80 || end - r < 2) {
			*w++ = *r++;
			continue;
		}
		for (i = 0; i < nfolds; i++)
			if (search_index_folds[i].from[0] == r[0] &&
			    search_index_folds[i].from[1] == r[1])
				break;
		if (i == nfolds) {	/* a byte, not a letter: r[1] may be */
			*w++ = *r++;
			continue;
		}
		/* never longer: the copy stays in place */
		for (to = search_index_folds[i].to; *to != '\0'; to++)
			*w++ = *to;
		r += 2;
	}
	return (size_t)(w - s);
}

char *
search_index_query(const char *text, struct error *err)
{
	return search_index_parse(text, NULL, NULL, err);
}

/*
 * The query of text in FTS5's syntax (tok NULL), or in tsquery's with
 * tok's words, the words to find into *words (the caller frees them,
 * search_index_words_free, whatever the outcome).
 */
static char *
search_index_parse(const char *text, struct search_tok *tok,
    struct search_words *words, struct error *err)
{
	struct search_query sq;
	const char *p = text, *term;
	size_t len;
	bool neg, prefix;

	memset(&sq, 0, sizeof(sq));
	sq.syn = tok != NULL ? &search_tsquery : &search_fts5;
	sq.tok = tok;
	sq.words = words;
	buf_init(&sq.pos);
	buf_init(&sq.neg);
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		neg = false;
		if (*p == '-' && p[1] != '\0' &&
		    !isspace((unsigned char)p[1])) {
			neg = true;
			p++;
		}
		if ((p = search_index_term(p, &term, &len, &prefix,
		    err)) == NULL)
			goto fail;
		if (search_index_add(&sq, term, len, neg, prefix,
		    err) == -1)
			goto fail;
	}
	return search_index_finish(&sq, err);
fail:
	buf_release(&sq.pos);
	buf_release(&sq.neg);
	return NULL;
}

/*
 * The word or "phrase" at p into *term_out and *len_out (a phrase
 * without its quotes), *prefix_out if a '*' follows it.  Returns where
 * the next one starts, NULL + err for a quote left open.
 */
static const char *
search_index_term(const char *p, const char **term_out, size_t *len_out,
    bool *prefix_out, struct error *err)
{
	const char *end;

	*prefix_out = false;
	if (*p == '"') {
		if ((end = strchr(p + 1, '"')) == NULL) {
			(void)error_set(err, ERR_PERM, "a quote (\") is not "
			    "closed");
			return NULL;
		}
		*term_out = p + 1;
		*len_out = (size_t)(end - p - 1);
		p = end + 1;
	} else {
		*term_out = p;
		while (*p != '\0' && *p != '"' && !isspace((unsigned char)*p))
			p++;
		*len_out = (size_t)(p - *term_out);
		while (*len_out > 0 && (*term_out)[*len_out - 1] == '*') {
			(*len_out)--;
			*prefix_out = true;
		}
	}
	while (*p == '*') {
		*prefix_out = true;
		p++;
	}
	return p;
}

/* One word or phrase (or the operator OR) into sq. */
static int
search_index_add(struct search_query *sq, const char *term, size_t len,
    bool neg, bool prefix, struct error *err)
{
	struct buf item;
	int rc = 0;

	if (!neg && !prefix && len == 2 && strncmp(term, "OR", 2) == 0) {
		if (sq->npos == 0 || sq->or_pending)
			return error_set(err, ERR_PERM, "OR needs a word or "
			    "phrase on each side");
		sq->or_pending = true;
		return 0;
	}
	/* nothing the tokenizer would keep: "-", "*", "()", "..." */
	if (!search_index_wordy(term, len))
		return 0;
	buf_init(&item);
	/* PostgreSQL: no word at all ("«»") is no term either */
	if (search_index_quote(sq, &item, term, len, prefix, !neg) == 0)
		goto out;
	if (++sq->nterms > SEARCH_INDEX_MAX_TERMS) {
		rc = error_set(err, ERR_PERM, "too many words: %d at most",
		    SEARCH_INDEX_MAX_TERMS);
		goto out;
	}
	if (prefix && search_index_letters(term, len) <
	    SEARCH_INDEX_PREFIX_MIN) {
		rc = error_set(err, ERR_PERM, "a prefix needs %d letters "
		    "at least (\"zam*\")", SEARCH_INDEX_PREFIX_MIN);
		goto out;
	}
	if (neg) {
		if (sq->or_pending) {
			rc = error_set(err, ERR_PERM, "OR needs a word or "
			    "phrase on each side, not -word");
			goto out;
		}
		buf_append_str(&sq->neg, sq->syn->not);
		buf_append(&sq->neg, item.data, item.len);
		goto out;
	}
	if (sq->or_pending) {
		/* "a OR b": the item before is reopened, with b in it */
		sq->pos.len--;		/* its ')' */
		sq->pos.data[sq->pos.len] = '\0';
		buf_append_str(&sq->pos, sq->syn->or);
		buf_append(&sq->pos, item.data, item.len);
		buf_append_char(&sq->pos, ')');
		sq->or_pending = false;
		goto out;
	}
	if (sq->npos > 0)
		buf_append_str(&sq->pos, sq->syn->and);
	buf_append_char(&sq->pos, '(');
	buf_append(&sq->pos, item.data, item.len);
	buf_append_char(&sq->pos, ')');
	sq->npos++;
out:
	buf_release(&item);
	return rc;
}

/* The FTS5 query of sq, or NULL + err when there is none to make. */
static char *
search_index_finish(struct search_query *sq, struct error *err)
{
	struct buf out;

	if (sq->or_pending)
		(void)error_set(err, ERR_PERM, "OR needs a word or phrase on "
		    "each side");
	else if (sq->npos == 0 && sq->neg.len > 0)
		(void)error_set(err, ERR_PERM, "a search needs a word to find,"
		    " not only words to leave out (-word)");
	else if (sq->npos == 0)
		(void)error_set(err, ERR_PERM, "nothing to search for");
	if (sq->or_pending || sq->npos == 0) {
		buf_release(&sq->pos);
		buf_release(&sq->neg);
		return NULL;
	}
	buf_init(&out);
	if (sq->neg.len > 0)
		buf_append_char(&out, '(');
	buf_append(&out, sq->pos.data, sq->pos.len);
	if (sq->neg.len > 0) {
		buf_append_char(&out, ')');
		buf_append(&out, sq->neg.data, sq->neg.len);
	}
	buf_release(&sq->pos);
	buf_release(&sq->neg);
	return buf_steal(&out, NULL);
}

/* Does s hold a letter or digit (any non-ASCII byte may be one)? */
static bool
search_index_wordy(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80 || isalnum((unsigned char)s[i]))
			return true;
	return false;
}

/*
 * The letters (UTF-8 characters) of the last word of term[0..len): what
 * a prefix query expands.  FTS5 keeps prefix indexes of 3 and 4
 * characters (store_schema.c); a shorter prefix would merge the lists
 * of thousands of words (24 s of CPU for "bo*" on 100,000 requests).
 */
static size_t
search_index_letters(const char *term, size_t len)
{
	size_t i, start = 0, n = 0;

	for (i = 0; i < len; i++)
		if (isspace((unsigned char)term[i]))
			start = i + 1;
	for (i = start; i < len; i++)
		if (((unsigned char)term[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* A tsquery phrase being written (search_index_tsquery_word). */
struct search_phrase {
	struct buf		*out;
	struct search_words	*words;	/* NULL: not to record */
	size_t			 n;
};

/*
 * For FTS5: "s" (folded, quotes doubled), with * after it for a prefix.
 * For tsquery: ('w1' <-> 'w2'), the words of s as search_tok makes
 * them, :* after the last for a prefix; the words recorded when record.
 * Returns the number of words written (FTS5: 1).
 */
static size_t
search_index_quote(struct search_query *sq, struct buf *out, const char *s,
    size_t len, bool prefix, bool record)
{
	struct search_phrase ph;
	char *copy, *p;

	if (sq->tok != NULL) {
		ph.out = out;
		ph.words = record ? sq->words : NULL;
		ph.n = 0;
		buf_append_char(out, '(');
		(void)search_tok_each(sq->tok, s, len,
		    search_index_tsquery_word, &ph);
		buf_append_char(out, ')');
		if (ph.n > 0 && prefix) {
			out->len--;
			buf_append_str(out, ":*)");
			if (ph.words != NULL)
				ph.words->prefix[ph.words->n - 1] = true;
		}
		return ph.n;
	}
	copy = xstrndup(s, len);
	search_index_fold(copy);
	buf_append_char(out, '"');
	for (p = copy; *p != '\0'; p++) {
		if (*p == '"')
			buf_append_char(out, '"');
		buf_append_char(out, *p);
	}
	buf_append_char(out, '"');
	if (prefix)
		buf_append_char(out, '*');
	free(copy);
	return 1;
}

static int
search_index_tsquery_word(void *arg, const char *word, size_t len,
    size_t start, size_t end)
{
	struct search_phrase *ph = arg;
	struct search_words *w = ph->words;

	(void)start;
	(void)end;
	if (ph->n++ > 0)
		buf_append_str(ph->out, " <-> ");
	search_tok_quote(ph->out, word, len);
	if (w != NULL) {
		w->word = xreallocarray(w->word, w->n + 1, sizeof(*w->word));
		w->prefix = xreallocarray(w->prefix, w->n + 1,
		    sizeof(*w->prefix));
		w->word[w->n] = xstrndup(word, len);
		w->prefix[w->n++] = false;
	}
	return 0;
}

static void
search_index_words_free(struct search_words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->word[i]);
	free(w->word);
	free(w->prefix);
}

int
search_index_find(struct store *st, const char *text,
    const struct search_filter *f, struct search_hit **hits_out,
    size_t *n_out, struct error *err)
{
	struct search_hits found;
	struct search_words words;
	struct search_tok *tok = NULL;
	char *match;
	size_t limit, k, rows, i;
	int rc = 0;

	*hits_out = NULL;
	*n_out = 0;
	memset(&words, 0, sizeof(words));
	if (!store_db_sqlite(st) && (tok = store_search_tok(st, err)) == NULL)
		return -1;
	if ((match = search_index_parse(text, tok, &words, err)) == NULL) {
		search_index_words_free(&words);
		return -1;
	}
	limit = f->limit != 0 ? f->limit : SEARCH_INDEX_DEFAULT_LIMIT;
	memset(&found, 0, sizeof(found));
	if (f->customer != NULL && (search_index_customers(st, f->customer,
	    &found, err) == -1 || search_index_customer_list(st, &found,
	    err) == -1)) {
		free(found.customers);
		free(match);
		search_index_words_free(&words);
		return -1;
	}
	/*
	 * The best k messages, then their requests: while the filters (or
	 * several messages of one request) leave fewer than limit requests
	 * and more messages may match, again with 16 times as many (each
	 * pass ranks every match again: few passes).  Ranking every match of
	 * a common word and joining them all to their requests is what took
	 * seconds on a big store.
	 */
	/*
	 * A status or agent filter drops most of what the first passes
	 * rank, and each pass ranks the whole window again (--status open
	 * on a million requests: 0.40 s in two passes): with one, the first
	 * pass takes the window's every match, which costs one ranking and
	 * a join per match instead.  A date keeps the newest matches, which
	 * the window holds: the first pass mostly suffices.
	 */
	k = limit * 4 < 64 ? 64 : limit * 4;
	if ((f->status != NULL || f->agent != NULL || f->customer != NULL) &&
	    k < SEARCH_INDEX_WINDOW)
		k = SEARCH_INDEX_WINDOW;
	for (; f->customer == NULL || found.ncustomers > 0; k *= 16) {
		search_index_hits_clear(&found);
		if ((rc = search_index_top(st, match, f, k, limit, &found,
		    &rows, err)) == -1 || found.n >= limit || rows < k)
			break;
	}
	free(found.customers);
	free(found.customer_list);
	if (rc == 0)
		rc = search_index_addresses(st, &found, err);
	for (i = 0; rc == 0 && i < found.n; i++)
		rc = tok != NULL ? search_index_pg_snippet(st, match, &words,
		    &found.hits[i], err) : search_index_snippet(st, match,
		    &found.hits[i], err);
	free(match);
	search_index_words_free(&words);
	if (rc == -1) {
		search_index_hits_free(found.hits, found.n);
		return -1;
	}
	*hits_out = found.hits;
	*n_out = found.n;
	return 0;
}

/*
 * The requests of the best k messages matching match that pass f, each
 * once (its best message), up to limit, into found; *rows_out how many
 * messages the index gave (fewer than k: there are no more).
 */
static int
search_index_top(struct store *st, const char *match,
    const struct search_filter *f, size_t k, size_t limit,
    struct search_hits *found, size_t *rows_out, struct error *err)
{
	/*
	 * The k best of the newest `window` matches: FTS5 walks a word's
	 * messages newest first and stops at the window, so a word in
	 * every mail costs the window's BM25s, not one per message of the
	 * store (on a million requests that was seconds; issue 17 wants
	 * 50 ms).  Fewer matches than the window: exactly the k best.
	 * The weights make a word in a subject count four times one in a
	 * body, a name or address twice.  triage_bm25, not bm25: bm25
	 * counts each word's messages in the whole store before the first
	 * row (a phrase of two common words: 0.5 s on a million requests).
	 * The customer's address is looked up for the hits only
	 * (search_index_addresses).
	 */
	/*
	 * A file's name counts like a word of the subject, and its
	 * message is the hit (attachment_search: one row per named file).
	 */
#define SEARCH_SQLITE_HEAD "SELECT t.id, t.subject, t.status,"		\
	    " t.assignee, t.customer_id, t.updated_at, h.id,"		\
	    " m.direction, m.created_at, CAST(-h.score * 1000000 AS INTEGER),"	\
	    " t.hidden"							\
	    " FROM (SELECT id, min(score) AS score FROM ("
#define SEARCH_SQLITE_RANK(table, ids)					\
	    " triage_bm25(" table ", (SELECT min(id) FROM " ids "),"	\
	    " (SELECT max(id) FROM " ids "), ?1"
#define SEARCH_SQLITE_TAIL " GROUP BY id ORDER BY score LIMIT ?2) h"	\
	    " JOIN messages m ON m.id = h.id"				\
	    " JOIN tickets t ON t.id = m.ticket_id"			\
	    " WHERE m.direction <> 'auto'"				\
	    " ORDER BY h.score, h.id"
	static const char sql[] = SEARCH_SQLITE_HEAD
	    "  SELECT * FROM (SELECT id, score FROM (SELECT rowid AS id,"
	    SEARCH_SQLITE_RANK("message_search", "messages")
	    ", 4.0, 1.0, 2.0, 2.0) AS score"
	    "   FROM message_search WHERE message_search MATCH ?1"
	    "   ORDER BY rowid DESC LIMIT ?3) ORDER BY score LIMIT ?2)"
	    "  UNION ALL"
	    "  SELECT * FROM (SELECT id, score FROM (SELECT f.message_id AS id,"
	    SEARCH_SQLITE_RANK("attachment_search", "attachments")
	    ") * 4.0 AS score"
	    "   FROM attachment_search s"
	    "   JOIN attachments f ON f.id = s.rowid"
	    "   WHERE attachment_search MATCH ?1 ORDER BY s.rowid DESC"
	    "   LIMIT ?3) ORDER BY score LIMIT ?2))"
	    SEARCH_SQLITE_TAIL;
	/*
	 * --customer with few messages (search_index_customer_list): from
	 * the customers' messages (?4, a JSON array of their ids) to the
	 * index, one lookup of each in FTS5 (rowid = ?), all of them
	 * ranked: a customer's older mail is found however many newer
	 * messages of others match.  So ?3, the window, is bound but not
	 * used here (a parameter SQLite leaves alone).
	 */
	static const char customer_sql[] = "WITH c(id) AS (SELECT m.id"
	    " FROM tickets t2 JOIN messages m ON m.ticket_id = t2.id"
	    " WHERE t2.customer_id IN (SELECT value FROM json_each(?4))"
	    " AND m.direction <> 'auto') "
	    SEARCH_SQLITE_HEAD
	    "  SELECT s.rowid AS id,"
	    SEARCH_SQLITE_RANK("message_search", "messages")
	    ", 4.0, 1.0, 2.0, 2.0) AS score"
	    "   FROM c CROSS JOIN message_search s ON s.rowid = c.id"
	    "   WHERE message_search MATCH ?1"
	    "  UNION ALL"
	    "  SELECT f.message_id AS id,"
	    SEARCH_SQLITE_RANK("attachment_search", "attachments")
	    ") * 4.0 AS score"
	    "   FROM c CROSS JOIN attachments f ON f.message_id = c.id"
	    "   CROSS JOIN attachment_search s ON s.rowid = f.id"
	    "   WHERE attachment_search MATCH ?1)"
	    SEARCH_SQLITE_TAIL;
	/*
	 * PostgreSQL's: the same window and passes.  A GIN index gives
	 * the matches in no order: the newest `window` of them are sorted
	 * out by id, then ranked by ts_rank_cd with the weights above
	 * (D body, C unused, B name and address, A subject and file names)
	 * and length normalisation 1, as bm25 weighs a long mail less.
	 * With --customer, the matches are the customers' messages' (?4,
	 * an array of their ids): PostgreSQL's planner picks the way in.
	 */
#define SEARCH_PG_HEAD "SELECT t.id, t.subject, t.status,"		\
	    " t.assignee, t.customer_id, t.updated_at, h.id,"		\
	    " m.direction, m.created_at, CAST(h.score * 1000000 AS BIGINT),"	\
	    " t.hidden"							\
	    " FROM (SELECT id, max(score) AS score FROM ("		\
	    "  SELECT id, score FROM (SELECT id, ts_rank_cd("		\
	    "   '{0.25, 0.5, 0.5, 1.0}', doc, ?1::tsquery, 1) AS score"	\
	    "   FROM (SELECT s.id, s.doc FROM message_tsv s"		\
	    "   WHERE s.doc @@ ?1::tsquery"
#define SEARCH_PG_MIDDLE " ORDER BY s.id DESC LIMIT ?3) w"		\
	    "   ORDER BY score DESC LIMIT ?2) a"				\
	    "  UNION ALL"						\
	    "  SELECT id, score FROM (SELECT message_id AS id, ts_rank_cd("	\
	    "   '{0.25, 0.5, 0.5, 1.0}', doc, ?1::tsquery, 1) AS score"	\
	    "   FROM (SELECT s.message_id, s.doc FROM attachment_tsv s"	\
	    "   WHERE s.doc @@ ?1::tsquery"
#define SEARCH_PG_TAIL " ORDER BY s.id DESC LIMIT ?3) w"		\
	    "   ORDER BY score DESC LIMIT ?2) b) u"			\
	    " GROUP BY id ORDER BY score DESC LIMIT ?2) h"		\
	    " JOIN messages m ON m.id = h.id"				\
	    " JOIN tickets t ON t.id = m.ticket_id"			\
	    " WHERE m.direction <> 'auto'"				\
	    " ORDER BY h.score DESC, h.id"
#define SEARCH_PG_CUSTOMERS(col) " AND " col " IN (SELECT m.id"	\
	    " FROM tickets t2 JOIN messages m ON m.ticket_id = t2.id"	\
	    " WHERE t2.customer_id = ANY(?4::bigint[]))"
	static const char pg_sql[] = SEARCH_PG_HEAD SEARCH_PG_MIDDLE
	    SEARCH_PG_TAIL;
	static const char pg_customer_sql[] = SEARCH_PG_HEAD
	    SEARCH_PG_CUSTOMERS("s.id") SEARCH_PG_MIDDLE
	    SEARCH_PG_CUSTOMERS("s.message_id") SEARCH_PG_TAIL;
	struct search_hit h;
	struct store_q *q;
	enum store_step rc;

	const char *which;

	*rows_out = 0;
	if (store_db_sqlite(st))
		which = found->customer_list != NULL ? customer_sql : sql;
	else
		which = found->customer_list != NULL ? pg_customer_sql : pg_sql;
	if ((q = store_q(st, which, err)) == NULL)
		return -1;
	store_q_text(q, 1, match);
	store_q_int(q, 2, (int64_t)k);
	store_q_int(q, 3, (int64_t)(k > SEARCH_INDEX_WINDOW ? k :
	    SEARCH_INDEX_WINDOW));
	if (found->customer_list != NULL)
		store_q_text(q, 4, found->customer_list);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		(*rows_out)++;
		if (found->n >= limit || !search_index_passes(q, f, found))
			continue;
		search_index_hit_read(q, &h);
		found->hits = xreallocarray(found->hits, found->n + 1,
		    sizeof(*found->hits));
		found->hits[found->n++] = h;
	}
	return rc == STORE_ERROR ? -1 : 0;
}

/* Does the row pass f, and is its request not in found yet? */
static bool
search_index_passes(struct store_q *q, const struct search_filter *f,
    const struct search_hits *found)
{
	const char *status = store_q_col_text(q, 2);
	const char *assignee = store_q_col_text(q, 3);
	int64_t ticket = store_q_col_int(q, 0);
	int64_t customer = store_q_col_int(q, 4);
	size_t i;

	if (store_q_col_int(q, 10) != 0)		/* spam */
		return false;
	if (f->status != NULL && (status == NULL ||
	    strcmp(status, f->status) != 0))
		return false;
	if (f->agent != NULL && (assignee == NULL ||
	    strcmp(assignee, f->agent) != 0))
		return false;
	if (f->since != 0 && store_q_col_int(q, 8) < (int64_t)f->since)
		return false;
	if (f->customer != NULL && (found->ncustomers == 0 ||
	    bsearch(&customer, found->customers,
	    found->ncustomers, sizeof(*found->customers),
	    search_index_id_cmp) == NULL))
		return false;
	for (i = 0; i < found->n; i++)
		if (found->hits[i].ticket == ticket)
			return false;
	return true;
}

static void
search_index_hits_clear(struct search_hits *found)
{
	search_index_hits_free(found->hits, found->n);
	found->hits = NULL;
	found->n = 0;
}

/*
 * The ids of the customers --customer names into found->customers:
 * the one with that address, or with "@domain" (or "domain") every one
 * with an address there (addresses are kept lowercased).  None: no
 * hits, not an error.
 */
static int
search_index_customers(struct store *st, const char *who,
    struct search_hits *found, struct error *err)
{
	static const char exact[] = "SELECT DISTINCT customer_id"
	    " FROM customer_addresses WHERE address = ?1";
	static const char in_domain[] = "SELECT DISTINCT customer_id"
	    " FROM customer_addresses WHERE address LIKE ?1 ESCAPE '!'";
	struct store_q *q;
	enum store_step rc;
	struct buf pat;
	const char *p;
	bool domain;

	/* a LIKE pattern for a domain: its own % _ ! taken literally */
	buf_init(&pat);
	domain = who[0] == '@' || strchr(who, '@') == NULL;
	if (domain)
		buf_append_str(&pat, "%@");
	for (p = who[0] == '@' ? who + 1 : who; *p != '\0'; p++) {
		if (domain && (*p == '%' || *p == '_' || *p == '!'))
			buf_append_char(&pat, '!');
		buf_append_char(&pat, (char)tolower((unsigned char)*p));
	}
	if ((q = store_q(st, domain ? in_domain : exact, err)) == NULL) {
		buf_release(&pat);
		return -1;
	}
	store_q_text(q, 1, pat.data);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		found->customers = xreallocarray(found->customers,
		    found->ncustomers + 1, sizeof(*found->customers));
		found->customers[found->ncustomers++] = store_q_col_int(q, 0);
	}
	buf_release(&pat);
	if (rc == STORE_ERROR)
		return -1;
	if (found->ncustomers > 1)
		qsort(found->customers, found->ncustomers,
		    sizeof(*found->customers), search_index_id_cmp);
	return 0;
}

static int
search_index_id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * found->customer_list: the customers' ids as the engine's query takes
 * them (SQLite: a JSON array, PostgreSQL: an array literal), when the
 * search is to start from their messages: always on PostgreSQL (its
 * planner chooses), on SQLite when they have at most
 * SEARCH_INDEX_CUSTOMER_MAX messages (each one is a lookup in the
 * index, about 25 us on a million requests: at most half a second).
 * Else NULL: the matches' window is filtered as for --status.
 */
static int
search_index_customer_list(struct store *st, struct search_hits *found,
    struct error *err)
{
	static const char count_sql[] = "SELECT count(*) FROM (SELECT 1"
	    " FROM tickets t JOIN messages m ON m.ticket_id = t.id"
	    " WHERE t.customer_id IN (SELECT value FROM json_each(?1))"
	    " LIMIT ?2)";
	struct store_q *q;
	struct buf list;
	int64_t n;
	size_t i;
	bool sqlite = store_db_sqlite(st);

	if (found->ncustomers == 0)
		return 0;
	buf_init(&list);
	buf_append_char(&list, sqlite ? '[' : '{');
	for (i = 0; i < found->ncustomers; i++)
		buf_printf(&list, "%s%lld", i > 0 ? "," : "",
		    (long long)found->customers[i]);
	buf_append_char(&list, sqlite ? ']' : '}');
	if (sqlite) {
		if ((q = store_q(st, count_sql, err)) == NULL) {
			buf_release(&list);
			return -1;
		}
		store_q_text(q, 1, list.data);
		store_q_int(q, 2, SEARCH_INDEX_CUSTOMER_MAX + 1);
		if (store_q_one_int(q, &n, err) == -1) {
			buf_release(&list);
			return -1;
		}
		if (n > SEARCH_INDEX_CUSTOMER_MAX) {
			buf_release(&list);
			return 0;
		}
	}
	found->customer_list = buf_steal(&list, NULL);
	return 0;
}

/*
 * Each hit's customer's first address, looked up for the hits only: in
 * the ranking query it was a lookup for every match of the window
 * (SEARCH_INDEX_WINDOW for a filter that keeps few).
 */
static int
search_index_addresses(struct store *st, struct search_hits *found,
    struct error *err)
{
	static const char sql[] = "SELECT min(address) FROM"
	    " customer_addresses WHERE customer_id = ?1";
	struct store_q *q;
	size_t i;

	for (i = 0; i < found->n; i++) {
		if ((q = store_q(st, sql, err)) == NULL)
			return -1;
		store_q_int(q, 1, found->hits[i].customer_id);
		if (store_q_one_text(q, &found->hits[i].customer, err) == -1)
			return -1;
	}
	return 0;
}

static int
search_index_hit_read(struct store_q *q, struct search_hit *h)
{
	const char *direction;

	memset(h, 0, sizeof(*h));
	h->ticket = store_q_col_int(q, 0);
	h->subject = store_q_col_strdup(q, 1);
	h->status = store_q_col_strdup(q, 2);
	h->assignee = store_q_col_strdup(q, 3);
	h->customer_id = store_q_col_int(q, 4);
	h->updated_at = (time_t)store_q_col_int(q, 5);
	h->message = store_q_col_int(q, 6);
	direction = store_q_col_text(q, 7);
	h->internal = direction != NULL && strcmp(direction, "note") == 0;
	h->message_at = (time_t)store_q_col_int(q, 8);
	/*
	 * bm25() is better the more negative; people expect the other way
	 * (ts_rank_cd's is already).  It comes as millionths: the engine
	 * interface reads integers.
	 */
	h->score = (double)store_q_col_int(q, 9) / 1e6;
	return 0;
}

/* The snippet of h's message for match, one line. */
static int
search_index_snippet(struct store *st, const char *match,
    struct search_hit *h, struct error *err)
{
	static const char sql[] = "SELECT snippet(message_search, -1, '[',"
	    " ']', '...', 16) FROM message_search"
	    " WHERE message_search MATCH ?1 AND rowid = ?2";
	struct store_q *q;
	char *s = NULL;

	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, match);
	store_q_int(q, 2, h->message);
	if (store_q_one_text(q, &s, err) == -1)
		return -1;
	if (s == NULL && search_index_files(st, match, h->message, &s,
	    err) == -1)
		return -1;
	h->snippet = search_index_one_line(s != NULL ? s : "");
	free(s);
	return 0;
}

/* "attachment: a.pdf, b.pdf": the files of message that match; NULL: none. */
static int
search_index_files(struct store *st, const char *match, int64_t message,
    char **out, struct error *err)
{
	static const char sql[] = "SELECT 'attachment: ' ||"
	    " group_concat(f.filename, ', ') FROM attachment_search s"
	    " JOIN attachments f ON f.id = s.rowid"
	    " WHERE attachment_search MATCH ?1 AND f.message_id = ?2";
	struct store_q *q;

	*out = NULL;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, match);
	store_q_int(q, 2, message);
	return store_q_one_text(q, out, err);
}

/* A copy of s with each run of white space one space, trimmed. */
static char *
search_index_one_line(const char *s)
{
	char *out, *w;

	out = w = xmalloc(strlen(s) + 1);
	while (isspace((unsigned char)*s))
		s++;
	while (*s != '\0') {
		if (isspace((unsigned char)*s)) {
			while (isspace((unsigned char)*s))
				s++;
			if (*s != '\0')
				*w++ = ' ';
			continue;
		}
		*w++ = *s++;
	}
	*w = '\0';
	return out;
}

void
search_index_hits_free(struct search_hit *hits, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(hits[i].subject);
		free(hits[i].status);
		free(hits[i].assignee);
		free(hits[i].customer);
		free(hits[i].snippet);
	}
	free(hits);
}

/* A word of a column, for a PostgreSQL snippet. */
struct search_snip_tok {
	size_t	 start;
	size_t	 end;
	int	 word;		/* the query word it is; -1: none */
};

/* A column's words (search_index_pg_snippet). */
struct search_snip_col {
	const struct search_words *words;
	struct search_snip_tok	*t;
	size_t			 n;
};

/* Words around a match (FTS5's snippet(..., 16) of search_index_snippet). */
#define SEARCH_SNIPPET_WORDS	16

static int
search_index_snip_word(void *arg, const char *word, size_t len, size_t start,
    size_t end)
{
	struct search_snip_col *c = arg;
	const struct search_words *w = c->words;
	size_t i, wl;
	int hit = -1;

	for (i = 0; i < w->n && hit == -1; i++) {
		wl = strlen(w->word[i]);
		if (w->prefix[i] ? len >= wl && memcmp(word, w->word[i],
		    wl) == 0 : len == wl && memcmp(word, w->word[i], wl) == 0)
			hit = (int)i;
	}
	c->t = xreallocarray(c->t, c->n + 1, sizeof(*c->t));
	c->t[c->n].start = start;
	c->t[c->n].end = end;
	c->t[c->n++].word = hit;
	return 0;
}

/*
 * The best window of c starting at a match: the most different query
 * words, then the most matches.  Its score (0: no match), its start in
 * *at, centred on its matches as FTS5 centres them.
 */
static size_t
search_index_snip_best(const struct search_snip_col *c, size_t *at)
{
	size_t i, j, best = 0, score, distinct, hits, first, last, k;
	bool seen[SEARCH_INDEX_MAX_TERMS * 8];

	*at = 0;
	for (i = 0; i < c->n; i++) {
		if (c->t[i].word == -1)
			continue;
		memset(seen, 0, sizeof(seen));
		distinct = hits = 0;
		first = last = i;
		for (j = i; j < c->n && j < i + SEARCH_SNIPPET_WORDS; j++) {
			if (c->t[j].word == -1)
				continue;
			hits++;
			last = j;
			k = (size_t)c->t[j].word % (sizeof(seen) /
			    sizeof(seen[0]));
			if (!seen[k]) {
				seen[k] = true;
				distinct++;
			}
		}
		score = distinct * 1000 + hits;
		if (score > best) {
			best = score;
			k = (SEARCH_SNIPPET_WORDS - (last - first + 1)) / 2;
			*at = first > k ? first - k : 0;
			if (c->n > SEARCH_SNIPPET_WORDS &&
			    *at > c->n - SEARCH_SNIPPET_WORDS)
				*at = c->n - SEARCH_SNIPPET_WORDS;
		}
	}
	return best;
}

/* The window of c at `at` of text, its matches in [brackets]. */
static void
search_index_snip_write(struct buf *out, const char *text,
    const struct search_snip_col *c, size_t at)
{
	size_t j, end = at + SEARCH_SNIPPET_WORDS;

	if (end > c->n)
		end = c->n;
	if (at > 0)
		buf_append_str(out, "...");
	for (j = at; j < end; j++) {
		if (j > at)
			buf_append(out, text + c->t[j - 1].end,
			    c->t[j].start - c->t[j - 1].end);
		if (c->t[j].word != -1)
			buf_append_char(out, '[');
		buf_append(out, text + c->t[j].start,
		    c->t[j].end - c->t[j].start);
		if (c->t[j].word != -1)
			buf_append_char(out, ']');
	}
	if (end < c->n)
		buf_append_str(out, "...");
}

/*
 * The snippet of h's message on PostgreSQL: the message's columns in
 * FTS5's order, the one with the best window of 16 words wins (the
 * first of equals), its words of the query in [brackets], "..." where
 * it was cut.  A message whose text does not match (found by a file's
 * name) names its files, as on SQLite.
 */
static int
search_index_pg_snippet(struct store *st, const char *match,
    const struct search_words *words, struct search_hit *h,
    struct error *err)
{
	static const char sql[] = "SELECT m.subject, m.body, m.from_name,"
	    " m.from_addr FROM message_tsv s JOIN messages m"
	    " ON m.id = s.id WHERE s.id = ?2 AND s.doc @@ ?1::tsquery";
	static const char files[] = "SELECT 'attachment: ' ||"
	    " string_agg(f.filename, ', ' ORDER BY f.id)"
	    " FROM attachment_tsv s JOIN attachments f ON f.id = s.id"
	    " WHERE s.doc @@ ?1::tsquery AND f.message_id = ?2";
	struct search_snip_col col;
	struct search_tok *tok;
	struct store_q *q;
	struct buf out;
	char *text[4] = { NULL, NULL, NULL, NULL }, *s = NULL;
	size_t i, at, best = 0, best_at = 0, score;
	int best_col = -1;
	enum store_step rc;

	if ((tok = store_search_tok(st, err)) == NULL ||
	    (q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, match);
	store_q_int(q, 2, h->message);
	if ((rc = store_q_step(q, err)) == STORE_ERROR)
		return -1;
	if (rc == STORE_ROW) {
		for (i = 0; i < 4; i++)
			text[i] = store_q_col_strdup(q, (int)i);
		store_q_reset(q);
	}
	buf_init(&out);
	for (i = 0; i < 4; i++) {
		if (text[i] == NULL)
			continue;
		memset(&col, 0, sizeof(col));
		col.words = words;
		(void)search_tok_each(tok, text[i], strlen(text[i]),
		    search_index_snip_word, &col);
		if ((score = search_index_snip_best(&col, &at)) > best) {
			best = score;
			best_at = at;
			best_col = (int)i;
		}
		free(col.t);
	}
	if (best_col != -1) {
		memset(&col, 0, sizeof(col));
		col.words = words;
		(void)search_tok_each(tok, text[best_col],
		    strlen(text[best_col]), search_index_snip_word, &col);
		search_index_snip_write(&out, text[best_col], &col, best_at);
		free(col.t);
		buf_append_char(&out, '\0');
	}
	for (i = 0; i < 4; i++)
		free(text[i]);
	if (best_col == -1) {
		if ((q = store_q(st, files, err)) == NULL) {
			buf_release(&out);
			return -1;
		}
		store_q_text(q, 1, match);
		store_q_int(q, 2, h->message);
		if (store_q_one_text(q, &s, err) == -1) {
			buf_release(&out);
			return -1;
		}
	}
	h->snippet = search_index_one_line(s != NULL ? s : out.len > 0 ?
	    out.data : "");
	free(s);
	buf_release(&out);
	return 0;
}

bool
search_pg_searched(const char *direction)
{
	return direction == NULL || strcmp(direction, "auto") != 0;
}

int
search_pg_message(struct store *st, int64_t id, const char *direction,
    const char *subject, const char *body, const char *from_name,
    const char *from_addr, struct error *err)
{
	/* a second write of one message (none today) replaces its words */
	static const char sql[] = "INSERT INTO message_tsv (id, doc)"
	    " VALUES (?1, ?2::tsvector) ON CONFLICT (id) DO UPDATE"
	    " SET doc = excluded.doc";
	struct store_q *q;

	if (store_db_sqlite(st) || !search_pg_searched(direction))
		return 0;
	if ((q = store_q(st, sql, err)) == NULL ||
	    search_pg_message_bind(st, q, 2, subject, body, from_name,
	    from_addr, err) == -1)
		return -1;
	store_q_int(q, 1, id);
	return store_q_exec_later(q, err);
}

int
search_pg_message_bind(struct store *st, struct store_q *q, int n,
    const char *subject, const char *body, const char *from_name,
    const char *from_addr, struct error *err)
{
	struct search_tok *tok;
	struct search_tok_doc *d;

	if ((tok = store_search_tok(st, err)) == NULL)
		return -1;
	/* weights: search_index_top's; FTS5's columns, body last */
	d = search_tok_doc_new();
	(void)search_tok_doc_add(tok, d, subject, 'A');
	(void)search_tok_doc_add(tok, d, from_name, 'B');
	(void)search_tok_doc_add(tok, d, from_addr, 'B');
	(void)search_tok_doc_add(tok, d, body, 'D');
	search_tok_doc_bind(d, q, n);
	return 0;
}

int
search_pg_attachment(struct store *st, int64_t id, int64_t message,
    const char *filename, struct error *err)
{
	static const char sql[] = "INSERT INTO attachment_tsv (id,"
	    " message_id, doc) VALUES (?1, ?2, ?3::tsvector)"
	    " ON CONFLICT (id) DO UPDATE SET doc = excluded.doc";
	struct search_tok *tok;
	struct search_tok_doc *d;
	struct store_q *q;

	if (store_db_sqlite(st) || filename == NULL)
		return 0;
	if ((tok = store_search_tok(st, err)) == NULL ||
	    (q = store_q(st, sql, err)) == NULL)
		return -1;
	/* a file's name counts as a word of the subject (search_index_top) */
	d = search_tok_doc_new();
	(void)search_tok_doc_add(tok, d, filename, 'A');
	store_q_int(q, 1, id);
	store_q_int(q, 2, message);
	search_tok_doc_bind(d, q, 3);
	return store_q_exec(q, err);
}

/* Rows of the messages and files indexed by one statement of the fill. */
#define SEARCH_FILL_BATCH	500

/* The messages after *after without a document: 0, or -1 + err. */
static int
search_pg_fill_messages(struct store *st, int64_t *after, size_t *n_out,
    struct error *err)
{
	static const char sql[] = "SELECT m.id, m.direction, m.subject,"
	    " m.body, m.from_name, m.from_addr FROM messages m"
	    " WHERE m.id > ?1 AND m.direction <> 'auto' AND NOT EXISTS"
	    " (SELECT 1 FROM message_tsv s WHERE s.id = m.id)"
	    " ORDER BY m.id LIMIT ?2";
	struct store_q *q;
	enum store_step rc;
	char *f[5];
	int i, ret = 0;

	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, *after);
	store_q_int(q, 2, SEARCH_FILL_BATCH);
	/* PostgreSQL's rows are all read at once: other statements may run */
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		*after = store_q_col_int(q, 0);
		(*n_out)++;
		for (i = 0; i < 5; i++)
			f[i] = store_q_col_strdup(q, i + 1);
		if (ret == 0)
			ret = search_pg_message(st, *after, f[0], f[1], f[2],
			    f[3], f[4], err);
		for (i = 0; i < 5; i++)
			free(f[i]);
	}
	return rc == STORE_ERROR || ret == -1 ? -1 : 0;
}

/* The same for the files' names. */
static int
search_pg_fill_files(struct store *st, int64_t *after, size_t *n_out,
    struct error *err)
{
	static const char sql[] = "SELECT f.id, f.message_id, f.filename"
	    " FROM attachments f WHERE f.id > ?1 AND f.filename IS NOT NULL"
	    " AND NOT EXISTS (SELECT 1 FROM attachment_tsv s"
	    " WHERE s.id = f.id) ORDER BY f.id LIMIT ?2";
	struct store_q *q;
	enum store_step rc;
	char *name;
	int ret = 0;

	*n_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, *after);
	store_q_int(q, 2, SEARCH_FILL_BATCH);
	while ((rc = store_q_step(q, err)) == STORE_ROW) {
		*after = store_q_col_int(q, 0);
		(*n_out)++;
		name = store_q_col_strdup(q, 2);
		if (ret == 0)
			ret = search_pg_attachment(st, *after,
			    store_q_col_int(q, 1), name, err);
		free(name);
	}
	return rc == STORE_ERROR || ret == -1 ? -1 : 0;
}

int
search_pg_fill(struct store *st, struct error *err)
{
	static const char take[] = "DELETE FROM store_info"
	    " WHERE key = 'search_fill'";
	struct store_q *q;

	if (store_db_sqlite(st))
		return 0;
	if (store_begin(st, err) == -1)
		return -1;
	if ((q = store_q(st, take, err)) == NULL ||
	    store_q_exec(q, err) == -1)
		goto fail;
	if (store_q_changes(st) > 0 && search_pg_index_all(st, err) == -1)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

int
search_pg_index_all(struct store *st, struct error *err)
{
	int64_t after;
	size_t n;

	if (store_db_sqlite(st))
		return 0;
	after = 0;
	do {
		if (search_pg_fill_messages(st, &after, &n, err) == -1)
			return -1;
	} while (n == SEARCH_FILL_BATCH);
	after = 0;
	do {
		if (search_pg_fill_files(st, &after, &n, err) == -1)
			return -1;
	} while (n == SEARCH_FILL_BATCH);
	return 0;
}

/*
 * The pending messages' text, folded: store_schema.c's view
 * search_pending_docs (version 24, for other programs) with our
 * triaged_fold (search_rank.h) for its nested replace().
 */
#define SEARCH_INDEX_PENDING "SELECT m.id, triaged_fold(m.subject),"	\
	" triaged_fold(m.body), triaged_fold(m.from_name),"		\
	" triaged_fold(m.from_addr) FROM search_pending p"		\
	" JOIN messages m ON m.id = p.id"

/*
 * Indexes the pending messages lo..hi (by id) and takes them off the
 * list: the bulk's range, or one message's.
 */
static int
search_index_take(struct store *st, int64_t lo, int64_t hi,
    struct error *err)
{
	static const char index_sql[] = "INSERT INTO message_search (rowid,"
	    " subject, body, from_name, from_addr) " SEARCH_INDEX_PENDING
	    " WHERE p.id BETWEEN ?1 AND ?2 AND m.direction <> 'auto'"
	    " ORDER BY p.id";
	static const char done_sql[] = "DELETE FROM search_pending"
	    " WHERE id BETWEEN ?1 AND ?2";
	struct store_q *q;

	if ((q = store_q(st, index_sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, lo);
	store_q_int(q, 2, hi);
	if (store_q_exec(q, err) == -1 ||
	    (q = store_q(st, done_sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, lo);
	store_q_int(q, 2, hi);
	return store_q_exec(q, err);
}

/*
 * The bulk's range is read first, so that the INSERT and the DELETE take
 * the same messages.
 */
int
search_index_catch_up(struct store *st, size_t max, size_t *done_out,
    struct error *err)
{
	static const char range_sql[] = "SELECT min(id), max(id), count(*)"
	    " FROM (SELECT id FROM search_pending ORDER BY id LIMIT ?1)";
	struct store_q *q;
	int64_t lo, hi, n;
	enum store_step rc;

	*done_out = 0;
	if (!store_db_sqlite(st) || max == 0)
		return 0;
	if ((q = store_q(st, range_sql, err)) == NULL)
		return -1;
	store_q_int(q, 1, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	if ((rc = store_q_step(q, err)) != STORE_ROW)
		return rc == STORE_ERROR ? -1 : error_set(err, ERR_INTERNAL,
		    "search: no pending count");
	lo = store_q_col_int(q, 0);
	hi = store_q_col_int(q, 1);
	n = store_q_col_int(q, 2);
	store_q_reset(q);
	if (n == 0)
		return 0;
	if (search_index_take(st, lo, hi, err) == -1)
		return -1;
	*done_out = (size_t)n;
	return 0;
}

int
search_index_pending(struct store *st, int64_t *n_out, struct error *err)
{
	static const char sql[] = "SELECT count(*) FROM search_pending";
	struct store_q *q;
	enum store_step rc;

	*n_out = 0;
	if (!store_db_sqlite(st))
		return 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	if ((rc = store_q_step(q, err)) != STORE_ROW)
		return rc == STORE_ERROR ? -1 : error_set(err, ERR_INTERNAL,
		    "search: no pending count");
	*n_out = store_q_col_int(q, 0);
	store_q_reset(q);
	return 0;
}

int
search_index_now(struct store *st, int64_t id, struct error *err)
{
	return search_index_take(st, id, id, err);
}
