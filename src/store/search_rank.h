/*
 * search_rank: how the SQLite store ranks search matches (private to
 * src/store).  FTS5's bm25() weighs each word or phrase of a query by
 * its inverse document frequency, which it counts by walking every
 * message that holds it: for a word in most mail of a million requests
 * that walk was most of a search (0.1 s a word, 0.5 s for a phrase of
 * two common words, whose every occurrence it checks), whatever the
 * search's own window.  triage_bm25() is the same formula with that
 * count estimated from a bounded sample (search_rank.c).
 */
#ifndef TRIAGED_SEARCH_RANK_H
#define TRIAGED_SEARCH_RANK_H

#include <sqlite3.h>

/*
 * Matches of a phrase counted at most to weigh it: more, and its count
 * is estimated from how far into the store (by id) these reach.
 */
#define SEARCH_RANK_SAMPLE	2000

/* db's FTS5 API, as SQLite's documentation gets it; NULL: none. */
fts5_api	*search_rank_fts5(sqlite3 *db);

/*
 * Makes triage_bm25(TABLE, LO, HI, KEY, W...) known to db's FTS5
 * tables: bm25(TABLE, W...) but for how often a phrase occurs,
 * estimated on its first SEARCH_RANK_SAMPLE matches from the oldest,
 * LO and HI the lowest and highest rowid of the table's documents.
 * KEY (the query's text, or NULL) lets the next query of the same KEY,
 * LO and HI on this connection reuse those counts: FTS5 forgets them
 * whenever a join starts its query again for another rowid.  Also
 * triaged_fold(TEXT), the schema's SEARCH_FOLD as a function of ours
 * (search_index.c's bulk).  SQLITE_OK or SQLite's error code.
 */
int		 search_rank_register(sqlite3 *db);

#endif
