/*
 * search_tok: SQLite's unicode61 tokenizer as a library (search_tok.h).
 * FTS5 hands its tokenizers out through fts5_api, which an in-memory
 * connection gives as any other: no table, no file, no SQL per word.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "error.h"
#include "search_index.h"
#include "search_rank.h"
#include "search_tok.h"
#include "store_db.h"
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

/*
 * One occurrence of a word in a document being built: the word's bytes
 * at off in the document's words, its position and weight as
 * PostgreSQL's WordEntryPos packs them (weight << 14 | position).
 */
struct search_tok_occ {
	size_t		 off;
	const char	*word;		/* words.data + off, once all are in */
	uint16_t	 len;
	uint16_t	 wpos;
};

struct search_tok_doc {
	struct buf		 words;
	struct search_tok_occ	*occ;
	size_t			 n, cap;
	int			 pos;		/* the last position given */
	size_t			 size;		/* of the text form: the limit */
	uint16_t		 weight;	/* the text being added: 0..3 */
	size_t			 added;		/* its words */
};

static int	 search_tok_one(void *, int, const char *, int, int, int);
static int	 search_tok_doc_word(void *, const char *, size_t, size_t,
		    size_t);
static int	 search_tok_occ_cmp(const void *, const void *);
static void	 search_tok_be16(struct buf *, uint16_t);

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

struct search_tok_doc *
search_tok_doc_new(void)
{
	struct search_tok_doc *d = xcalloc(1, sizeof(*d));

	buf_init(&d->words);
	return d;
}

void
search_tok_doc_free(struct search_tok_doc *d)
{
	if (d == NULL)
		return;
	buf_release(&d->words);
	free(d->occ);
	free(d);
}

size_t
search_tok_doc_add(struct search_tok *t, struct search_tok_doc *d,
    const char *text, char weight)
{
	if (text == NULL)
		return 0;
	/* PostgreSQL's weights: A 3, B 2, C 1, D 0 */
	d->weight = weight >= 'A' && weight <= 'D' ? (uint16_t)('D' - weight) :
	    0;
	d->added = 0;
	(void)search_tok_each(t, text, strlen(text), search_tok_doc_word, d);
	if (d->added > 0 && d->pos < SEARCH_TOK_MAX_POS)
		d->pos++;	/* a gap: no phrase spans two fields */
	return d->added;
}

static int
search_tok_doc_word(void *arg, const char *word, size_t len, size_t start,
    size_t end)
{
	struct search_tok_doc *d = arg;
	struct search_tok_occ *o;

	(void)start;
	(void)end;
	d->added++;
	if (d->pos < SEARCH_TOK_MAX_POS)
		d->pos++;
	if (len == 0 || len > SEARCH_TOK_MAX_WORD)
		return 0;
	if (d->size > SEARCH_TOK_MAX_VECTOR)
		return 1;	/* PostgreSQL refuses a bigger tsvector */
	d->size += len + 10;	/* 'word':16383A and a space, at most */
	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 256 : d->cap * 2;
		d->occ = xreallocarray(d->occ, d->cap, sizeof(*d->occ));
	}
	o = &d->occ[d->n++];
	o->off = d->words.len;
	o->len = (uint16_t)len;
	o->wpos = (uint16_t)(d->weight << 14 | d->pos);
	buf_append(&d->words, word, len);
	return 0;
}

/*
 * tsvectorrecv's input: the number of lexemes (int32), then each lexeme
 * once, in tsvector order (bytes, then length; checked and sorted again
 * by the server), NUL-terminated, with its count of positions (uint16)
 * and the positions (uint16 each, strictly rising), all big-endian.  A
 * position twice (the last one, 16383, repeats) keeps its heaviest
 * weight and a lexeme its first 256 positions, as tsvector_in does with
 * the text form; the server then has nothing to parse, sort or merge.
 */
void
search_tok_doc_binary(struct search_tok_doc *d, struct buf *out)
{
	struct search_tok_occ *o;
	size_t i, j, k, lexemes = 0, npos_at;
	uint16_t npos, last;

	buf_reset(out);
	buf_append(out, "\0\0\0\0", 4);
	for (i = 0; i < d->n; i++)
		d->occ[i].word = d->words.data + d->occ[i].off;
	if (d->n > 1)
		qsort(d->occ, d->n, sizeof(*d->occ), search_tok_occ_cmp);
	for (i = 0; i < d->n; i = j) {
		o = &d->occ[i];
		for (j = i + 1; j < d->n && d->occ[j].len == o->len &&
		    memcmp(d->occ[j].word, o->word, o->len) == 0; j++)
			;
		buf_append(out, o->word, o->len);
		buf_append_char(out, '\0');
		npos_at = out->len;
		search_tok_be16(out, 0);
		npos = 0;
		last = 0;
		for (k = i; k < j; k++) {
			uint16_t p = d->occ[k].wpos & 0x3fff;

			if (npos > 0 && p == (last & 0x3fff)) {
				if (d->occ[k].wpos > last) {	/* heavier */
					last = d->occ[k].wpos;
					out->len -= 2;
					search_tok_be16(out, last);
				}
				continue;
			}
			if (npos == 256)
				break;
			last = d->occ[k].wpos;
			search_tok_be16(out, last);
			npos++;
		}
		out->data[npos_at] = (char)(npos >> 8);
		out->data[npos_at + 1] = (char)(npos & 0xff);
		lexemes++;
	}
	out->data[0] = (char)(lexemes >> 24);
	out->data[1] = (char)(lexemes >> 16 & 0xff);
	out->data[2] = (char)(lexemes >> 8 & 0xff);
	out->data[3] = (char)(lexemes & 0xff);
}

void
search_tok_doc_bind(struct search_tok_doc *d, struct store_q *q, int n)
{
	struct buf doc;

	buf_init(&doc);
	search_tok_doc_binary(d, &doc);
	search_tok_doc_free(d);
	store_q_pg_binary(q, n, doc.data, doc.len);
	buf_release(&doc);
}

/* tsvector's order (tsCompareString): bytes, a prefix first; then position. */
static int
search_tok_occ_cmp(const void *a, const void *b)
{
	const struct search_tok_occ *x = a, *y = b;
	int c;

	c = memcmp(x->word, y->word, x->len < y->len ? x->len : y->len);
	if (c == 0 && x->len != y->len)
		c = x->len < y->len ? -1 : 1;
	if (c == 0)
		c = (int)(x->wpos & 0x3fff) - (int)(y->wpos & 0x3fff);
	return c;
}

static void
search_tok_be16(struct buf *out, uint16_t v)
{
	buf_append_char(out, (char)(v >> 8));
	buf_append_char(out, (char)(v & 0xff));
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
