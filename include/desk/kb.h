/*
 * kb: the knowledge base (issue 19).  Articles are files in the
 * knowledge_base.directory (Markdown or plain text: the first line is the
 * title, "# " in front allowed; an optional "URL: ..." line right after
 * it; the rest is the text); the canned answers of the config are
 * searched beside them.  The daemon reads them at start and on SIGHUP and
 * replaces the index (kb_index.h) in one unit of the writer.
 *
 * A customer's mail is matched by its words: lowercased, common words of
 * English, Polish and Russian left out, each cut to a stem (the
 * languages inflect: "faktura", "faktury", "fakturę" share "faktu")
 * matched as a prefix, ranked by BM25 over the set.
 */
#ifndef TRIAGED_KB_H
#define TRIAGED_KB_H

#include <stddef.h>

#include "kb_index.h"

struct config;
struct error;
struct store;

/* What was read: entries for kb_index_replace, owning their strings. */
struct kb_set {
	struct kb_entry	*entries;
	size_t		 n;
	size_t		 narticles;	/* of them, files (the rest canned) */
	size_t		 nskipped;	/* files not read (too big, not text) */
};

/* Files bigger than this are not articles (and are skipped). */
#define KB_ARTICLE_MAX	(256 * 1024)

/*
 * Reads every *.md and *.txt file of dir (NULL or "": none), in name
 * order, and adds cfg's canned answers (cfg may be NULL).  A file that
 * cannot be read, is too big or is not UTF-8 text is skipped and counted.
 * A new set (free with kb_set_free), or NULL + err when dir cannot be
 * opened (ERR_PERM).
 */
struct kb_set	*kb_load(const char *dir, const struct config *cfg,
		    struct error *err);
void		 kb_set_free(struct kb_set *);

/*
 * The stems of text's words (see above), at most KB_MAX_STEMS, each once,
 * into a new array of new strings (free with kb_stems_free).
 */
#define KB_MAX_STEMS	48
char		**kb_stems(const char *text, size_t *n_out);
void		 kb_stems_free(char **, size_t n);
/*
 * The stems of one mail (its subject and body), made once, off the
 * writer (pipeline_parse), and asked of the index by the agents' notice
 * and the acknowledgement alike.
 */
struct kb_query {
	char	**stems;
	size_t	  n;
};
void		 kb_query_make(struct kb_query *, const char *subject,
		    const char *body);
/*
 * kb_query_make when cfg gives the index anything to hold (articles or
 * canned answers), else an empty query: no stems made, no look-up.
 */
void		 kb_query_for(struct kb_query *, const struct config *cfg,
		    const char *subject, const char *body);
void		 kb_query_clear(struct kb_query *);
/* The words kb_stems leaves out, in strcmp order (the unit test's). */
const char *const *kb_stopword_list(size_t *n);

/*
 * The entries of kind (KB_KIND_*, NULL: both) that answer subject and
 * body best, scoring at least min_score, up to limit (kb_index_search);
 * q: their stems already made (NULL: made here).
 */
int		 kb_suggest(struct store *, const struct kb_query *q,
		    const char *subject, const char *body, const char *kind,
		    int min_score, size_t limit, struct kb_hit **hits_out,
		    size_t *n_out, struct error *err);

/*
 * A short excerpt of an article's body: its first paragraph, on one
 * line, cut at a word to about max bytes with "..." (a new string).
 */
char		*kb_excerpt(const char *body, size_t max);

/*
 * Reads the articles of cfg (knowledge_base.directory) and its canned
 * answers now, and submits one unit of work to writer that makes them the
 * index (kb_index_replace): at start and on SIGHUP.  The outcome is
 * logged when the unit is done ("knowledge base: N articles, M canned
 * answers"); a directory that cannot be read is logged here and leaves
 * the index as it was.
 */
struct store_writer;
void		 kb_reload_submit(struct store_writer *, const struct config *);

#endif
