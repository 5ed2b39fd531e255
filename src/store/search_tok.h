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
 * Appends to out the words of text (NULL: none) in PostgreSQL's tsvector
 * syntax ('word':POSw ...), weight one of 'A' to 'D', positions counted
 * on from *pos (advanced past the last word and one more, so that a
 * phrase never spans two fields).  Positions stop at PostgreSQL's 16383,
 * and the words at about a megabyte of tsvector (its limit): a longer
 * text is indexed by its beginning.  Returns the number of words.
 */
size_t	search_tok_tsvector(struct search_tok *, struct buf *out,
	    const char *text, char weight, int *pos);

/* 'word' in tsquery and tsvector syntax (quotes and backslashes escaped). */
void	search_tok_quote(struct buf *out, const char *word, size_t len);

#endif
