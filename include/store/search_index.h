/*
 * search_index: full-text search over the requests' messages (issue 17):
 * subjects, message texts (the text of an HTML-only mail included),
 * sender names and addresses of the customers' mail, the agents' relays
 * and their internal notes; our automatic mail is left out.
 *
 * The index is kept in step by the store, in the transaction of
 * whatever writes a message (SQLite: FTS5 triggers of store_schema.c;
 * PostgreSQL: the store's own functions and the triggers of its tsvector
 * migration, src/store/search_pg.h), with one exception: the daemon's
 * writer on SQLite (a store opened STORE_SEARCH_LATER) leaves a new
 * message's words for search_index_catch_up, which a timer of the daemon
 * runs every second (FTS5 indexes hundreds of messages at once for a
 * third of what it costs one at a time).  Until then a search does not
 * find it, and search_index_pending counts such messages.
 * Case and diacritics are folded ("zolw" finds "żółw", "ЗАКАЗ" finds
 * "заказ", "елка" finds "ёлка").
 *
 * The SQLite store does this with FTS5, a PostgreSQL store with tsvector
 * and tsquery made of the same words (SQLite's tokenizer on both,
 * src/store/search_tok.h), all of it in search_index.c, so that both
 * find the same messages.  Queries come from people: the syntax below
 * is ours, translated safely into the engine's, so no text can reach the
 * engine's query parser unquoted.
 */
#ifndef TRIAGED_SEARCH_INDEX_H
#define TRIAGED_SEARCH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

/* Words (and phrases) in one query at most: a bound on its cost. */
#define SEARCH_INDEX_MAX_TERMS	32

/*
 * The engine's query for what a person typed, in a new string the caller
 * frees.  The syntax: words, all of which must occur (in any form of
 * case and accents); "a phrase" in double quotes; word* or "a phr"* for
 * a prefix; -word or -"a phrase" for what must not occur; OR between two
 * words or phrases for either.  Everything else (the engine's own
 * operators such as NEAR, AND, NOT, column filters "subject:x", ^,
 * parentheses, quotes inside words) is searched as plain text.
 *
 * NULL + err (ERR_PERM, a message for the person) when there is nothing
 * to search for, only words to leave out, a quote left open, OR without
 * a word on each side, or more than SEARCH_INDEX_MAX_TERMS terms.
 */
char	*search_index_query(const char *text, struct error *err);

/* What a search keeps to (zero/NULL members: no condition). */
struct search_filter {
	const char	*status;	/* the request's status */
	const char	*agent;		/* the request's assignee */
	/*
	 * The request's customer: one of its addresses (any case), or
	 * "@example.com" (or "example.com") for any customer with an
	 * address in that domain.
	 */
	const char	*customer;
	time_t		 since;		/* messages written at or after */
	size_t		 limit;		/* 0: SEARCH_INDEX_DEFAULT_LIMIT */
};

#define SEARCH_INDEX_DEFAULT_LIMIT	20
/*
 * Matches ranked at most (the newest): beyond it a query ranks the
 * newest this many matching messages, not all of them.  Ranking costs
 * a lookup of each message's length (about 1.5 us each, more where the
 * matches lie far apart): 10,000 made a search of a common word on a
 * million requests 20-25 ms of the command's 30, 5,000 halves that
 * (README, "Search", bench/search).
 */
#define SEARCH_INDEX_WINDOW		5000
/*
 * --customer: messages of the customers (indexed or not) up to which a
 * search starts from them, one lookup each in the index, rather than
 * filtering the newest matches.
 */
#define SEARCH_INDEX_CUSTOMER_MAX	20000
/* Letters a prefix ("zam*") needs at least: see search_index_letters. */
#define SEARCH_INDEX_PREFIX_MIN		3

/*
 * One request found: the best matching of its messages stands for it.
 * Strings are copies (NULL where the column is), freed by
 * search_index_hits_free.
 */
struct search_hit {
	int64_t	 ticket;
	char	*subject;
	char	*status;
	char	*assignee;
	char	*customer;	/* the customer's first address */
	int64_t	 customer_id;
	time_t	 updated_at;
	int64_t	 message;	/* the messages row that matched best */
	bool	 internal;	/* that message is an agents' note */
	time_t	 message_at;
	double	 score;		/* higher is better: BM25 sign flipped (SQLite),
				   ts_rank_cd (PostgreSQL) */
	/*
	 * A few words around the match, the matched words in [brackets],
	 * "..." where the text was cut; one line.
	 */
	char	*snippet;
};

/*
 * The requests whose messages match text (search_index_query's syntax),
 * best first, up to f->limit, spam (hidden requests) left out; the
 * snippet is made for those only.  A new array into *hits_out (NULL when
 * none).  0, or -1 + err: ERR_PERM with a message for the person when
 * the query is not one (see search_index_query), else the database's.
 */
int	search_index_find(struct store *, const char *text,
	    const struct search_filter *f, struct search_hit **hits_out,
	    size_t *n_out, struct error *err);
void	search_index_hits_free(struct search_hit *, size_t n);

/*
 * SQLite: indexes up to max of the messages a STORE_SEARCH_LATER store
 * left for later, oldest first, in the caller's transaction; *done_out
 * gets how many (fewer than max: none is left).  PostgreSQL, whose index
 * is never behind: 0 done.  0, or -1 + err.
 */
int	search_index_catch_up(struct store *, size_t max, size_t *done_out,
	    struct error *err);
/* Messages not in the index yet (search_index_catch_up); 0 or -1 + err. */
int	search_index_pending(struct store *, int64_t *n_out,
	    struct error *err);
/*
 * message_insert on a store that indexes at once: the message id just
 * written, indexed now (nothing if it is not searched).  0, or -1 + err.
 */
int	search_index_now(struct store *, int64_t id, struct error *err);

/*
 * Folds what unicode61's remove_diacritics does not (ł ø đ ё and their
 * capitals, one letter for one) in s, in place: the same folding the
 * schema applies to the text indexed (SEARCH_FOLD in store_schema.c).
 * The knowledge base's queries use it too.
 */
void	search_index_fold(char *s);
/*
 * The same over len bytes (a NUL among them is a byte like another, as
 * the schema's SQL sees it); returns the new length.
 */
size_t	search_index_fold_len(char *s, size_t len);
/* Does s (len bytes) hold a lead byte of a letter the fold changes? */
bool	search_index_folds_any(const char *s, size_t len);

#endif
