/*
 * search_index: full-text search over the messages (search_index.h).
 * SQLite-only, all of it: FTS5 query syntax, MATCH, bm25() and
 * snippet() over the message_search table of store_schema.c.  A
 * PostgreSQL store writes this file again with to_tsquery and ts_rank.
 *
 * People's text never reaches FTS5's parser as it is: every word or
 * phrase goes in double quotes (a quote inside doubled), so NEAR, AND,
 * column filters and parentheses are only words; the operators we offer
 * (OR, -word, word*) are written by search_index_query itself.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "search_index.h"
#include "store_db.h"
#include "xmalloc.h"

/*
 * One letter for another (UTF-8), what SEARCH_FOLD in store_schema.c
 * does to the text indexed: keep the two lists alike.
 */
static const struct {
	const char	*from;
	const char	*to;
} search_index_folds[] = {
	{ "ł", "l" }, { "Ł", "L" }, { "ø", "o" }, { "Ø", "O" },
	{ "đ", "d" }, { "Đ", "D" }, { "ё", "е" }, { "Ё", "Е" }
};

/* A query being translated (search_index_query). */
struct search_query {
	struct buf	 pos;		/* the words that must occur, ANDed */
	struct buf	 neg;		/* " NOT ..." for each left out */
	size_t		 nterms;
	size_t		 npos;
	bool		 or_pending;	/* OR seen, its right side not yet */
};

static const char	*search_index_term(const char *, const char **,
			    size_t *, bool *, struct error *);
static bool		 search_index_wordy(const char *, size_t);
static size_t		 search_index_letters(const char *, size_t);
static void		 search_index_quote(struct buf *, const char *,
			    size_t, bool);
static int		 search_index_add(struct search_query *,
			    const char *, size_t, bool, bool,
			    struct error *);
static char		*search_index_finish(struct search_query *,
			    struct error *);
/* Requests found so far. */
struct search_hits {
	struct search_hit	*hits;
	size_t			 n;
};

static int		 search_index_top(struct store *, const char *,
			    const struct search_filter *, size_t, size_t,
			    struct search_hits *, size_t *, struct error *);
static bool		 search_index_passes(struct store_q *,
			    const struct search_filter *,
			    const struct search_hits *);
static void		 search_index_hits_clear(struct search_hits *);
static int		 search_index_hit_read(struct store_q *,
			    struct search_hit *);
static int		 search_index_snippet(struct store *, const char *,
			    struct search_hit *, struct error *);
static int		 search_index_files(struct store *, const char *,
			    int64_t, char **, struct error *);
static char		*search_index_one_line(const char *);

void
search_index_fold(char *s)
{
	char *r, *w;
	size_t i, n;
	bool done;

	for (r = w = s; *r != '\0';) {
		done = false;
		if ((unsigned char)*r >= 0x80) {
			for (i = 0; i < sizeof(search_index_folds) /
			    sizeof(search_index_folds[0]); i++) {
				n = strlen(search_index_folds[i].from);
				if (strncmp(r, search_index_folds[i].from,
				    n) != 0)
					continue;
				/* never longer: the copy stays in place */
				memmove(w, search_index_folds[i].to,
				    strlen(search_index_folds[i].to));
				w += strlen(search_index_folds[i].to);
				r += n;
				done = true;
				break;
			}
		}
		if (!done)
			*w++ = *r++;
	}
	*w = '\0';
}

char *
search_index_query(const char *text, struct error *err)
{
	struct search_query sq;
	const char *p = text, *term;
	size_t len;
	bool neg, prefix;

	memset(&sq, 0, sizeof(sq));
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
	if (++sq->nterms > SEARCH_INDEX_MAX_TERMS)
		return error_set(err, ERR_PERM, "too many words: %d at most",
		    SEARCH_INDEX_MAX_TERMS);
	if (prefix && search_index_letters(term, len) < SEARCH_INDEX_PREFIX_MIN)
		return error_set(err, ERR_PERM, "a prefix needs %d letters "
		    "at least (\"zam*\")", SEARCH_INDEX_PREFIX_MIN);
	if (neg) {
		if (sq->or_pending)
			return error_set(err, ERR_PERM, "OR needs a word or "
			    "phrase on each side, not -word");
		buf_append_str(&sq->neg, " NOT ");
		search_index_quote(&sq->neg, term, len, prefix);
		return 0;
	}
	if (sq->or_pending) {
		/* "a OR b": the item before is reopened, with b in it */
		sq->pos.len--;		/* its ')' */
		sq->pos.data[sq->pos.len] = '\0';
		buf_append_str(&sq->pos, " OR ");
		search_index_quote(&sq->pos, term, len, prefix);
		buf_append_char(&sq->pos, ')');
		sq->or_pending = false;
		return 0;
	}
	if (sq->npos > 0)
		buf_append_str(&sq->pos, " AND ");
	buf_append_char(&sq->pos, '(');
	search_index_quote(&sq->pos, term, len, prefix);
	buf_append_char(&sq->pos, ')');
	sq->npos++;
	return 0;
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

/* "s" (folded, quotes doubled), with * after it for a prefix. */
static void
search_index_quote(struct buf *out, const char *s, size_t len, bool prefix)
{
	char *copy, *p;

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
}

int
search_index_find(struct store *st, const char *text,
    const struct search_filter *f, struct search_hit **hits_out,
    size_t *n_out, struct error *err)
{
	struct search_hits found;
	char *match;
	size_t limit, k, rows, i;
	int rc = 0;

	*hits_out = NULL;
	*n_out = 0;
	if (!store_db_sqlite(st))
		return error_set(err, ERR_PERM, "full-text search needs the "
		    "SQLite store for now (FTS5); PostgreSQL's is to come");
	if ((match = search_index_query(text, err)) == NULL)
		return -1;
	limit = f->limit != 0 ? f->limit : SEARCH_INDEX_DEFAULT_LIMIT;
	memset(&found, 0, sizeof(found));
	/*
	 * The best k messages, then their requests: while the filters (or
	 * several messages of one request) leave fewer than limit requests
	 * and more messages may match, again with 16 times as many (each
	 * pass ranks every match again: few passes).  Ranking every match of
	 * a common word and joining them all to their requests is what took
	 * seconds on a big store.
	 */
	for (k = limit * 4 < 64 ? 64 : limit * 4;; k *= 16) {
		search_index_hits_clear(&found);
		if ((rc = search_index_top(st, match, f, k, limit, &found,
		    &rows, err)) == -1 || found.n >= limit || rows < k)
			break;
	}
	for (i = 0; rc == 0 && i < found.n; i++)
		rc = search_index_snippet(st, match, &found.hits[i], err);
	free(match);
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
	 * body, a name or address twice.
	 */
	/*
	 * A file's name counts like a word of the subject, and its
	 * message is the hit (attachment_search: one row per named file).
	 */
	static const char sql[] = "SELECT t.id, t.subject, t.status,"
	    " t.assignee, (SELECT min(a.address) FROM customer_addresses a"
	    " WHERE a.customer_id = t.customer_id), t.updated_at, h.id,"
	    " m.direction, m.created_at, CAST(-h.score * 1000000 AS INTEGER),"
	    " t.hidden"
	    " FROM (SELECT id, min(score) AS score FROM ("
	    "  SELECT * FROM (SELECT id, score FROM (SELECT rowid AS id,"
	    "   rank AS score FROM message_search WHERE message_search"
	    "   MATCH ?1 AND rank MATCH 'bm25(4.0, 1.0, 2.0, 2.0)'"
	    "   ORDER BY rowid DESC LIMIT ?3) ORDER BY score LIMIT ?2)"
	    "  UNION ALL"
	    "  SELECT * FROM (SELECT id, score FROM (SELECT f.message_id AS id,"
	    "   s.rank * 4.0 AS score FROM attachment_search s"
	    "   JOIN attachments f ON f.id = s.rowid"
	    "   WHERE attachment_search MATCH ?1 ORDER BY s.rowid DESC"
	    "   LIMIT ?3) ORDER BY score LIMIT ?2))"
	    " GROUP BY id ORDER BY score LIMIT ?2) h"
	    " JOIN messages m ON m.id = h.id JOIN tickets t ON t.id = m.ticket_id"
	    " WHERE m.direction <> 'auto'"
	    " ORDER BY h.score, h.id";
	struct search_hit h;
	struct store_q *q;
	enum store_step rc;

	*rows_out = 0;
	if ((q = store_q(st, sql, err)) == NULL)
		return -1;
	store_q_text(q, 1, match);
	store_q_int(q, 2, (int64_t)k);
	store_q_int(q, 3, (int64_t)(k > SEARCH_INDEX_WINDOW ? k :
	    SEARCH_INDEX_WINDOW));
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

static int
search_index_hit_read(struct store_q *q, struct search_hit *h)
{
	const char *direction;

	memset(h, 0, sizeof(*h));
	h->ticket = store_q_col_int(q, 0);
	h->subject = store_q_col_strdup(q, 1);
	h->status = store_q_col_strdup(q, 2);
	h->assignee = store_q_col_strdup(q, 3);
	h->customer = store_q_col_strdup(q, 4);
	h->updated_at = (time_t)store_q_col_int(q, 5);
	h->message = store_q_col_int(q, 6);
	direction = store_q_col_text(q, 7);
	h->internal = direction != NULL && strcmp(direction, "note") == 0;
	h->message_at = (time_t)store_q_col_int(q, 8);
	/*
	 * bm25() is better the more negative; people expect the other way.
	 * It comes as millionths: the engine interface reads integers.
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
