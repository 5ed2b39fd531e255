/*
 * search_tok: SQLite's unicode61 tokenizer as a library (search_tok.h).
 * FTS5 hands its tokenizers out through fts5_api, which an in-memory
 * connection gives as any other: no table, no file, no SQL per word.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "error.h"
#include "search_index.h"
#include "search_rank.h"
#include "search_tok.h"
#include "xmalloc.h"

/* PostgreSQL's limits: positions (MAXENTRYPOS - 1), lexemes' bytes. */
#define SEARCH_TOK_MAX_POS	16383
#define SEARCH_TOK_MAX_VECTOR	(1000 * 1000)

struct search_tok {
	sqlite3		*db;
	fts5_tokenizer	 api;
	Fts5Tokenizer	*tok;
};

/* One walk of search_tok_each. */
struct search_tok_walk {
	search_tok_fn	 fn;
	void		*arg;
	char		 word[SEARCH_TOK_MAX_WORD + 8];
};

/* One tsvector being written (search_tok_tsvector). */
struct search_tok_vec {
	struct buf	*out;
	char		 weight;
	int		*pos;
	size_t		 n;
};

static int	 search_tok_one(void *, int, const char *, int, int, int);
static int	 search_tok_vec_add(void *, const char *, size_t, size_t,
		    size_t);

struct search_tok *
search_tok_open(struct error *err)
{
	/* as store_schema.c's FTS5 tables: tokenize='unicode61 ...' */
	const char *args[] = { "remove_diacritics", "2" };
	struct search_tok *t;
	fts5_api *fts5;
	void *ctx = NULL;

	t = xcalloc(1, sizeof(*t));
	if (sqlite3_open_v2(":memory:", &t->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    (fts5 = search_rank_fts5(t->db)) == NULL ||
	    fts5->xFindTokenizer(fts5, "unicode61", &ctx, &t->api) !=
	    SQLITE_OK ||
	    t->api.xCreate(ctx, args, 2, &t->tok) != SQLITE_OK) {
		search_tok_close(t);
		(void)error_set(err, ERR_INTERNAL, "search: SQLite's FTS5 "
		    "unicode61 tokenizer is not available");
		return NULL;
	}
	return t;
}

void
search_tok_close(struct search_tok *t)
{
	if (t == NULL)
		return;
	if (t->tok != NULL)
		t->api.xDelete(t->tok);
	sqlite3_close(t->db);
	free(t);
}

int
search_tok_each(struct search_tok *t, const char *text, size_t len,
    search_tok_fn fn, void *arg)
{
	struct search_tok_walk w;
	int rc;

	if (len == 0)
		return 0;
	w.fn = fn;
	w.arg = arg;
	/* the tokenizer takes an int length: a text over 2 GB is cut */
	rc = t->api.xTokenize(t->tok, &w, FTS5_TOKENIZE_DOCUMENT, text,
	    len > 0x7fffffff ? 0x7fffffff : (int)len, search_tok_one);
	return rc == SQLITE_OK ? 0 : rc;
}

/* unicode61's word, folded as SEARCH_FOLD folds what SQLite indexes. */
static int
search_tok_one(void *arg, int flags, const char *tok, int ntok, int start,
    int end)
{
	struct search_tok_walk *w = arg;
	size_t n = (size_t)ntok;

	if (flags & FTS5_TOKEN_COLOCATED)
		return SQLITE_OK;	/* unicode61 has none: not a word */
	if (n > SEARCH_TOK_MAX_WORD)
		n = SEARCH_TOK_MAX_WORD + 1;	/* too long, still a word */
	memcpy(w->word, tok, n);
	w->word[n] = '\0';
	search_index_fold(w->word);
	return w->fn(w->arg, w->word, strlen(w->word), (size_t)start,
	    (size_t)end) == 0 ? SQLITE_OK : SQLITE_DONE;
}

size_t
search_tok_tsvector(struct search_tok *t, struct buf *out, const char *text,
    char weight, int *pos)
{
	struct search_tok_vec v;

	if (text == NULL)
		return 0;
	v.out = out;
	v.weight = weight;
	v.pos = pos;
	v.n = 0;
	(void)search_tok_each(t, text, strlen(text), search_tok_vec_add, &v);
	if (v.n > 0)
		(*pos)++;
	return v.n;
}

static int
search_tok_vec_add(void *arg, const char *word, size_t len, size_t start,
    size_t end)
{
	struct search_tok_vec *v = arg;

	(void)start;
	(void)end;
	v->n++;
	if (*v->pos < SEARCH_TOK_MAX_POS)
		(*v->pos)++;
	if (len > SEARCH_TOK_MAX_WORD)
		return 0;
	if (v->out->len > SEARCH_TOK_MAX_VECTOR)
		return 1;	/* PostgreSQL refuses a bigger tsvector */
	if (v->out->len > 0)
		buf_append_char(v->out, ' ');
	search_tok_quote(v->out, word, len);
	buf_printf(v->out, ":%d%c", *v->pos, v->weight);
	return 0;
}

void
search_tok_quote(struct buf *out, const char *word, size_t len)
{
	size_t i;

	buf_append_char(out, '\'');
	for (i = 0; i < len; i++) {
		if (word[i] == '\'' || word[i] == '\\')
			buf_append_char(out, word[i]);
		buf_append_char(out, word[i]);
	}
	buf_append_char(out, '\'');
}
