/*
 * kb_index: the knowledge base's index (issue 19): the articles read from
 * the knowledge_base directory and the canned answers, searchable by the
 * words of a customer's mail.  Case and diacritics are folded as for the
 * messages (search_index.h).  The SQLite store does it with FTS5
 * (SQLite-only SQL, all of it in kb_index.c); a PostgreSQL store with
 * tsvector documents of the same words and FTS5's bm25 computed from
 * them, so scores are the same numbers on both engines.
 */
#ifndef TRIAGED_KB_INDEX_H
#define TRIAGED_KB_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct error;
struct store;

/* One entry to index; borrowed strings. */
struct kb_entry {
	const char	*kind;		/* KB_KIND_ARTICLE or KB_KIND_CANNED */
	const char	*path;		/* the file, or the canned answer's name */
	const char	*title;
	const char	*url;		/* NULL: none */
	const char	*body;
};

#define KB_KIND_ARTICLE	"article"
#define KB_KIND_CANNED	"canned"

/*
 * The index holds entries[0..n) and nothing else (a reload): run it as
 * one unit of the writer, so readers see the old set or the new one.
 * 0, or -1 + err.
 */
int	kb_index_replace(struct store *, const struct kb_entry *entries,
	    size_t n, struct error *err);

/* One entry found; copies, freed by kb_index_hits_free. */
struct kb_hit {
	int64_t	 id;
	char	*kind;
	char	*path;
	char	*title;
	char	*url;		/* NULL: none */
	char	*body;
	int	 score;		/* BM25 relevance x 10, higher is better */
};

/*
 * The entries of kind (NULL: both) matching any of the stems (each
 * matched as a word prefix, case and accents folded; a title counts three
 * times a body), best first, those scoring at least min_score only, up
 * to limit.  No stems: none found.  A new array into *hits_out (NULL when
 * none).  0, or -1 + err.
 */
int	kb_index_search(struct store *, const char *const *stems,
	    size_t nstems, const char *kind, int min_score, size_t limit,
	    struct kb_hit **hits_out, size_t *n_out, struct error *err);
void	kb_index_hits_free(struct kb_hit *, size_t n);

#endif
