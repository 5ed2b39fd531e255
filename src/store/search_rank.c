/*
 * search_rank: triage_bm25(), FTS5's bm25() with a bounded count of how
 * often each phrase occurs (search_rank.h).
 *
 * bm25 scores a message sum over the query's phrases of
 *
 *	idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len / avglen))
 *
 * f the phrase's occurrences in the message (each weighted by its
 * column's weight), len the message's words, idf = ln((N - n + 0.5) /
 * (n + 0.5)) for N messages of which n hold the phrase (at least 1e-6).
 * FTS5 counts n by walking all n messages (for a phrase, checking every
 * position of its words in each); here the walk stops after
 * SEARCH_RANK_SAMPLE matches at id r, and n is taken as that sample over
 * the share of the store's ids it covered, (r - lo + 1) / (hi - lo + 1).
 * Ids grow with time and messages are spread evenly enough over them
 * for the count to weigh one phrase against another, which is all idf
 * does within one query (a query of one phrase orders its matches the
 * same whatever n is).  The sample comes from the oldest messages: FTS5
 * walks a phrase in id order only.  Below the sample the count is exact
 * and the score FTS5's own.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "search_index.h"
#include "search_rank.h"

#define SEARCH_RANK_K1	1.2
#define SEARCH_RANK_B	0.75

/* What one query's ranking computes once (its auxdata). */
struct search_rank_data {
	int	 nphrase;
	double	 avglen;
	double	*idf;		/* [nphrase] */
	double	*freq;		/* [nphrase], per message */
};

/*
 * The last query's idf, per connection: a search that drives FTS5 by
 * rowid (a customer's messages, search_index.c) starts FTS5's query
 * again for each message, which drops the auxdata, so each message
 * would count its phrases again.  Keyed by the query text and the id
 * span its caller passes; only the last one is kept.
 */
struct search_rank_cache {
	char		*key;
	sqlite3_int64	 lo, hi;
	int		 nphrase;
	double		 avglen;
	double		*idf;
};

/* One phrase's bounded walk. */
struct search_rank_count {
	sqlite3_int64	n;
	sqlite3_int64	last;	/* rowid of the last match counted */
};

static int	search_rank_count_one(const Fts5ExtensionApi *, Fts5Context *,
		    void *);
static int	search_rank_data(const Fts5ExtensionApi *, Fts5Context *,
		    sqlite3_int64, sqlite3_int64, struct search_rank_data **);
static struct search_rank_data *search_rank_data_new(int nphrase);
static void	search_rank_data_free(void *);
static void	search_rank_fn(const Fts5ExtensionApi *, Fts5Context *,
		    sqlite3_context *, int, sqlite3_value **);
static struct search_rank_data *search_rank_cached(struct search_rank_cache *,
		    const char *, sqlite3_int64, sqlite3_int64, int);
static void	search_rank_keep(struct search_rank_cache *, const char *,
		    sqlite3_int64, sqlite3_int64, const struct search_rank_data *);
static void	search_rank_cache_free(void *);
static void	search_rank_fold_fn(sqlite3_context *, int, sqlite3_value **);

fts5_api *
search_rank_fts5(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL);
	(void)sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return api;
}

int
search_rank_register(sqlite3 *db)
{
	fts5_api *api;
	int rc;

	struct search_rank_cache *cache;

	if ((api = search_rank_fts5(db)) == NULL)
		return SQLITE_ERROR;
	if ((cache = sqlite3_malloc(sizeof(*cache))) == NULL)
		return SQLITE_NOMEM;
	memset(cache, 0, sizeof(*cache));
	/* on failure FTS5 has not taken cache: freed here */
	rc = api->xCreateFunction(api, "triage_bm25", cache, search_rank_fn,
	    search_rank_cache_free);
	if (rc != SQLITE_OK) {
		search_rank_cache_free(cache);
		return rc;
	}
	return sqlite3_create_function(db, "triaged_fold", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    search_rank_fold_fn, NULL, NULL);
}

/*
 * triaged_fold(TEXT): SEARCH_FOLD of store_schema.h in one pass
 * (search_index_fold_len), for the bulk that indexes pending messages:
 * the schema's eight nested replace() copied a 4 KB text eight times,
 * 18 us of the writer's time a message.  Byte for byte the same text,
 * so the triggers' SQL deletes exactly what was indexed.  A text
 * without a letter to fold is returned as it is, uncopied.
 */
static void
search_rank_fold_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *s;
	char *copy;
	int n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if ((s = sqlite3_value_text(argv[0])) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	n = sqlite3_value_bytes(argv[0]);
	if (!search_index_folds_any((const char *)s, (size_t)n)) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	if ((copy = sqlite3_malloc(n + 1)) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	memcpy(copy, s, (size_t)n);
	copy[n] = '\0';
	sqlite3_result_text(ctx, copy, (int)search_index_fold_len(copy,
	    (size_t)n), sqlite3_free);
}

static void
search_rank_cache_free(void *p)
{
	struct search_rank_cache *c = p;

	if (c == NULL)
		return;
	sqlite3_free(c->key);
	sqlite3_free(c->idf);
	sqlite3_free(c);
}

/* The cached idf for key, as new auxdata; NULL: not cached (or no memory). */
static struct search_rank_data *
search_rank_cached(struct search_rank_cache *c, const char *key,
    sqlite3_int64 lo, sqlite3_int64 hi, int nphrase)
{
	struct search_rank_data *d;

	if (key == NULL || c->key == NULL || strcmp(c->key, key) != 0 ||
	    c->lo != lo || c->hi != hi || c->nphrase != nphrase)
		return NULL;
	if ((d = search_rank_data_new(nphrase)) == NULL)
		return NULL;
	d->avglen = c->avglen;
	memcpy(d->idf, c->idf, sizeof(double) * (size_t)nphrase);
	return d;
}

/* Keeps d's idf under key (memory short: keeps nothing). */
static void
search_rank_keep(struct search_rank_cache *c, const char *key,
    sqlite3_int64 lo, sqlite3_int64 hi, const struct search_rank_data *d)
{
	sqlite3_free(c->key);
	sqlite3_free(c->idf);
	memset(c, 0, sizeof(*c));
	if (key == NULL ||
	    (c->key = sqlite3_mprintf("%s", key)) == NULL ||
	    (c->idf = sqlite3_malloc64(sizeof(double) *
	    (size_t)d->nphrase + 1)) == NULL) {
		sqlite3_free(c->key);
		c->key = NULL;
		return;
	}
	memcpy(c->idf, d->idf, sizeof(double) * (size_t)d->nphrase);
	c->nphrase = d->nphrase;
	c->avglen = d->avglen;
	c->lo = lo;
	c->hi = hi;
}

static int
search_rank_count_one(const Fts5ExtensionApi *api, Fts5Context *fts,
    void *arg)
{
	struct search_rank_count *c = arg;

	c->last = api->xRowid(fts);
	return ++c->n >= SEARCH_RANK_SAMPLE ? SQLITE_DONE : SQLITE_OK;
}

/* The idf of each phrase and the mean length, for the query of fts. */
static int
search_rank_data(const Fts5ExtensionApi *api, Fts5Context *fts,
    sqlite3_int64 lo, sqlite3_int64 hi, struct search_rank_data **out)
{
	struct search_rank_data *d;
	struct search_rank_count c;
	sqlite3_int64 nrow = 0, ntok = 0;
	double n;
	int i, rc;

	if ((d = search_rank_data_new(api->xPhraseCount(fts))) == NULL)
		return SQLITE_NOMEM;
	if ((rc = api->xRowCount(fts, &nrow)) != SQLITE_OK ||
	    (rc = api->xColumnTotalSize(fts, -1, &ntok)) != SQLITE_OK) {
		search_rank_data_free(d);
		return rc;
	}
	d->avglen = nrow > 0 ? (double)ntok / (double)nrow : 1.0;
	for (i = 0; i < d->nphrase; i++) {
		memset(&c, 0, sizeof(c));
		if ((rc = api->xQueryPhrase(fts, i, &c,
		    search_rank_count_one)) != SQLITE_OK) {
			search_rank_data_free(d);
			return rc;
		}
		n = (double)c.n;
		if (c.n >= SEARCH_RANK_SAMPLE && c.last >= lo && hi > c.last)
			n = n * ((double)(hi - lo) + 1.0) /
			    ((double)(c.last - lo) + 1.0);
		if (n > (double)nrow)
			n = (double)nrow;
		d->idf[i] = log(((double)nrow - n + 0.5) / (n + 0.5));
		if (d->idf[i] <= 0.0)
			d->idf[i] = 1e-6;
	}
	*out = d;
	return SQLITE_OK;
}

/* Room for nphrase idf and frequencies; NULL: no memory. */
static struct search_rank_data *
search_rank_data_new(int nphrase)
{
	struct search_rank_data *d;

	if ((d = sqlite3_malloc(sizeof(*d))) == NULL)
		return NULL;
	memset(d, 0, sizeof(*d));
	d->nphrase = nphrase;
	if ((d->idf = sqlite3_malloc64(sizeof(double) * (size_t)nphrase * 2 +
	    1)) == NULL) {
		sqlite3_free(d);
		return NULL;
	}
	d->freq = d->idf + nphrase;
	return d;
}

static void
search_rank_data_free(void *p)
{
	struct search_rank_data *d = p;

	if (d == NULL)
		return;
	sqlite3_free(d->idf);
	sqlite3_free(d);
}

/* triage_bm25(TABLE, LO, HI, KEY, W...): see search_rank.h. */
static void
search_rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts,
    sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	struct search_rank_cache *cache = api->xUserData(fts);
	struct search_rank_data *d;
	sqlite3_int64 lo, hi;
	const char *key;
	double score = 0.0, len, w;
	int ninst = 0, i, ip, ic, io, ntok = 0, rc;

	if (nval < 3) {
		sqlite3_result_error(ctx, "triage_bm25: TABLE, LO, HI, KEY, "
		    "weights", -1);
		return;
	}
	if ((d = api->xGetAuxdata(fts, 0)) == NULL) {
		lo = sqlite3_value_int64(val[0]);
		hi = sqlite3_value_int64(val[1]);
		key = (const char *)sqlite3_value_text(val[2]);
		if ((d = search_rank_cached(cache, key, lo, hi,
		    api->xPhraseCount(fts))) == NULL) {
			if ((rc = search_rank_data(api, fts, lo, hi, &d)) !=
			    SQLITE_OK) {
				sqlite3_result_error_code(ctx, rc);
				return;
			}
			search_rank_keep(cache, key, lo, hi, d);
		}
		/* on failure FTS5 has freed d */
		if ((rc = api->xSetAuxdata(fts, d, search_rank_data_free)) !=
		    SQLITE_OK) {
			sqlite3_result_error_code(ctx, rc);
			return;
		}
	}
	memset(d->freq, 0, sizeof(double) * (size_t)d->nphrase);
	if ((rc = api->xInstCount(fts, &ninst)) != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	for (i = 0; i < ninst; i++) {
		if ((rc = api->xInst(fts, i, &ip, &ic, &io)) != SQLITE_OK) {
			sqlite3_result_error_code(ctx, rc);
			return;
		}
		w = nval > ic + 3 ? sqlite3_value_double(val[ic + 3]) : 1.0;
		d->freq[ip] += w;
	}
	if ((rc = api->xColumnSize(fts, -1, &ntok)) != SQLITE_OK) {
		sqlite3_result_error_code(ctx, rc);
		return;
	}
	len = (double)ntok;
	for (i = 0; i < d->nphrase; i++)
		score += d->idf[i] * d->freq[i] * (SEARCH_RANK_K1 + 1.0) /
		    (d->freq[i] + SEARCH_RANK_K1 * (1.0 - SEARCH_RANK_B +
		    SEARCH_RANK_B * len / d->avglen));
	sqlite3_result_double(ctx, -1.0 * score);
}
