/*
 * search_tok: the words of a text exactly as the SQLite store's full-text
 * index sees them (private to src/store).  The PostgreSQL store indexes
 * and queries with these words, so that both engines fold case and
 * diacritics alike ("zolw" finds "żółw", "ЗАКАЗ" finds "заказ", ł ø đ ё)
 * and split text into the same words: SQLite's own unicode61 tokenizer
 * (remove_diacritics 2, as store_schema.c's FTS5 tables use it) run on
 * a private in-memory SQLite connection, each word then folded by
 * search_index_fold as SEARCH_FOLD folds the text SQLite indexes.  One
 * function for both engines instead of a second table of foldings to
 * keep alike (PostgreSQL's unaccent needs CREATE EXTENSION, and its
 * parser splits e-mail addresses, URLs and hyphens otherwise).
 */
#ifndef TRIAGED_SEARCH_TOK_H
#define TRIAGED_SEARCH_TOK_H

#include <stddef.h>

struct buf;
struct error;
struct search_tok;
struct search_tok_doc;
struct store_q;

/*
 * Longest word the PostgreSQL index keeps (its lexemes are at most 2047
 * bytes); a longer one is counted (positions) but not indexed.
 */
#define SEARCH_TOK_MAX_WORD	2000

/*
 * A word of text: word[0..len) folded (lowercase, no diacritics), at
 * text[start..end) in the text as given.  Nonzero stops the walk.
 */
typedef int	(*search_tok_fn)(void *arg, const char *word, size_t len,
		    size_t start, size_t end);

/* A tokenizer (one thread at a time), or NULL + err (ERR_INTERNAL). */
struct search_tok	*search_tok_open(struct error *err);
void			 search_tok_close(struct search_tok *);

/*
 * Calls fn for each word of text[0..len) in order: 0, or what fn
 * returned when it stopped the walk.
 */
int	search_tok_each(struct search_tok *, const char *text, size_t len,
	    search_tok_fn fn, void *arg);

/*
 * A PostgreSQL tsvector being built: the words of texts added one after
 * the other, weight one of 'A' to 'D', positions counted on through the
 * texts (one left free after each, so that a phrase never spans two
 * fields).  Positions stop at PostgreSQL's 16383, and the words at
 * about a megabyte of tsvector (its limit): a longer text is indexed by
 * its beginning.  search_tok_doc_add returns the number of words of
 * text (NULL: none), counted whole.
 */
struct search_tok_doc	*search_tok_doc_new(void);
void			 search_tok_doc_free(struct search_tok_doc *);
size_t			 search_tok_doc_add(struct search_tok *,
			    struct search_tok_doc *, const char *text,
			    char weight);
/*
 * The document in tsvector's binary form (what tsvectorrecv reads: bind
 * it with store_q_pg_binary to "?N::tsvector") into out, replacing what
 * out held: cheaper for the server than the text form, which it has to
 * parse, sort and merge.
 */
void			 search_tok_doc_binary(struct search_tok_doc *,
			    struct buf *out);
/*
 * Binds d's binary form to parameter n of q (a copy; store_q_pg_binary)
 * and frees d: what a writer of a document does with it.
 */
void			 search_tok_doc_bind(struct search_tok_doc *d,
			    struct store_q *q, int n);
/* 'word' in tsquery and tsvector syntax (quotes and backslashes escaped). */
void	search_tok_quote(struct buf *out, const char *word, size_t len);

#endif
