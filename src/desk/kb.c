/*
 * kb: the knowledge base (kb.h): reading the articles, the stems of a
 * mail's words, suggestions and excerpts.  The index and its SQL are
 * kb_index.c's; this file knows files and words.
 *
 * Why stems and stopwords rather than the mail's text as a query: a
 * customer's question shares few exact words with the article that
 * answers it ("hasła" / "hasło", "заказа" / "заказ"), and every mail is
 * full of words that say nothing about its subject ("please", "proszę",
 * "спасибо").  No stemming library covers the three languages alike;
 * cutting a word to its first characters (4 to 6, by length) is what
 * makes "faktury" find "faktura" here, at the price of a few false
 * friends, which the score threshold (knowledge_base.min_score) keeps
 * out of the acknowledgement.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "config_canned.h"
#include "error.h"
#include "kb.h"
#include "kb_index.h"
#include "log.h"
#include "store_writer.h"
#include "template.h"
#include "xmalloc.h"

/*
 * Words that say nothing about what a mail is about, lowercased: English,
 * Polish, Russian, in one list.  Greetings, thanks and "help"/"problem"
 * are here so a "thank you" mail suggests nothing.
 */
static const char *const kb_stopwords[] = {
	/* sorted by strcmp (byte order): kb_stopword() bisects */
	"able", "about", "aby", "after", "again", "ale", "all", "also",
	"amazing", "and", "answer", "answered", "any", "anything",
	"appreciate", "appreciated", "are", "awesome", "bardzo",
	"because", "been", "before", "being", "best", "bez", "but",
	"był", "była", "było", "będzie", "can", "can't", "cannot",
	"chciałabym", "chciałbym", "chcę", "cheers", "could", "coś",
	"czy", "czym", "day", "dear", "did", "dla", "dlaczego", "dobry",
	"does", "doesn't", "don't", "działa", "dziekuje", "dzień",
	"dzisiaj", "dzięki", "dziękuję", "each", "every", "everything",
	"fast", "find", "fine", "for", "from", "gdzie", "get", "glad",
	"good", "got", "great", "had", "happy", "has", "have", "hello",
	"help", "here", "hope", "how", "i'm", "into", "issue", "it's",
	"its", "jak", "jako", "jednak", "jest", "jestem", "jeszcze",
	"just", "już", "kiedy", "kind", "know", "która", "które",
	"który", "let", "like", "look", "looking", "lot", "lub", "mam",
	"many", "mi", "mine", "mnie", "mogę", "moim", "moja", "moje",
	"mojego", "mojej", "more", "most", "może", "można", "much",
	"muszę", "myself", "mój", "nad", "nadal", "need", "nic", "nie",
	"not", "nothing", "now", "odpowiedź", "ok", "okay", "one",
	"only", "oraz", "other", "our", "out", "państwo", "perfect",
	"perfectly", "please", "pod", "pomoc", "pomocy", "pomóc",
	"ponieważ", "pozdrawiam", "pozdrowienia", "problem", "problemu",
	"prosze", "proszę", "przed", "przez", "przy", "pytanie",
	"question", "quick", "regards", "reply", "również", "see",
	"serdecznie", "should", "since", "sincerely", "się", "solved",
	"some", "someone", "something", "soon", "still", "super",
	"support", "sure", "swoje", "swój", "szanowni", "szybka",
	"szybką", "są", "tak", "także", "team", "tego", "ten", "teraz",
	"też", "than", "thank", "thanks", "that", "the", "their",
	"them", "then", "there", "they", "thing", "things", "this",
	"time", "today", "tomorrow", "too", "tried", "try", "tylko",
	"tym", "unable", "very", "wam", "want", "was", "way", "wciąż",
	"wczoraj", "well", "were", "what", "when", "where", "which",
	"who", "why", "will", "wish", "witam", "with", "więc", "work",
	"worked", "working", "works", "would", "wszystkie", "wszystko",
	"yes", "yesterday", "you", "your", "żeby", "большое", "будет",
	"был", "была", "были", "было", "быстрый", "вам", "вас", "ваш",
	"ваша", "вопрос", "все", "всего", "всё", "вчера", "вы", "где",
	"день", "для", "доброго", "добрый", "если", "есть", "еще",
	"ещё", "здравствуйте", "или", "как", "когда", "кто", "меня",
	"мне", "могу", "мое", "моего", "моей", "может", "можно", "мои",
	"моим", "мой", "моя", "моё", "надо", "нет", "ничего", "нужно",
	"ответ", "очень", "перед", "пожалуйста", "помогите", "помощь",
	"после", "почему", "привет", "проблема", "работает", "свой",
	"свою", "сегодня", "спасибо", "так", "также", "там", "теперь",
	"того", "тоже", "только", "тут", "уважением", "уже", "хочу",
	"чем", "через", "что", "чтобы", "эта", "эти", "это", "этот",
};

#define KB_NSTOPWORDS	(sizeof(kb_stopwords) / sizeof(kb_stopwords[0]))

/* A reload as a unit of the writer (kb_reload_submit). */
struct kb_reload {
	struct store_work	 work;	/* first: the unit is the reload */
	struct kb_set		*set;
};

static int	kb_reload_run(struct store *, struct store_work *,
		    struct error *);
static void	kb_reload_done(struct store_work *);
static int	kb_load_dir(struct kb_set *, const char *, struct error *);
static int	kb_name_cmp(const void *, const void *);
static void	kb_load_file(struct kb_set *, const char *dir, const char *);
static int	kb_parse(const char *text, char **title_out, char **url_out,
		    char **body_out);
static void	kb_add(struct kb_set *, const char *kind, const char *path,
		    char *title, char *url, char *body);
static void	kb_load_canned(struct kb_set *, const struct config *);
static size_t	kb_cp(const char *, uint32_t *);
static bool	kb_word_cp(uint32_t);
static void	kb_lower(char *);
static bool	kb_stopword(const char *);
static bool	kb_utf8(const char *, size_t);

struct kb_set *
kb_load(const char *dir, const struct config *cfg, struct error *err)
{
	struct kb_set *set;

	set = xcalloc(1, sizeof(*set));
	if (dir != NULL && dir[0] != '\0' && kb_load_dir(set, dir, err) == -1) {
		kb_set_free(set);
		return NULL;
	}
	set->narticles = set->n;
	if (cfg != NULL)
		kb_load_canned(set, cfg);
	return set;
}

void
kb_set_free(struct kb_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free((char *)set->entries[i].path);
		free((char *)set->entries[i].title);
		free((char *)set->entries[i].url);
		free((char *)set->entries[i].body);
	}
	free(set->entries);
	free(set);
}

void
kb_reload_submit(struct store_writer *writer, const struct config *cfg)
{
	struct kb_reload *r;
	struct kb_set *set;
	struct error err;

	error_clear(&err);
	if ((set = kb_load(cfg->kb_directory, cfg, &err)) == NULL) {
		log_warnx("knowledge base not reloaded, the index stays as it "
		    "was: %s", err.msg);
		return;
	}
	r = xcalloc(1, sizeof(*r));
	r->set = set;
	r->work.run = kb_reload_run;
	r->work.done = kb_reload_done;
	store_writer_submit(writer, &r->work);
}

static int
kb_reload_run(struct store *st, struct store_work *w, struct error *err)
{
	struct kb_reload *r = (struct kb_reload *)w;

	return kb_index_replace(st, r->set->entries, r->set->n, err);
}

static void
kb_reload_done(struct store_work *w)
{
	struct kb_reload *r = (struct kb_reload *)w;

	if (w->status == STORE_WORK_COMMITTED)
		log_info("knowledge base: %zu articles, %zu canned answers, "
		    "%zu files skipped (too big or not UTF-8 text)",
		    r->set->narticles, r->set->n - r->set->narticles,
		    r->set->nskipped);
	else
		log_warnx("knowledge base not reloaded, the index stays as it "
		    "was: %s", w->err.msg);
	kb_set_free(r->set);
	free(r);
}

/* Every *.md and *.txt of dir, in name order (stable ids, stable ties). */
static int
kb_load_dir(struct kb_set *set, const char *dir, struct error *err)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i, len;

	if ((d = opendir(dir)) == NULL)
		return error_set(err, ERR_PERM, "knowledge base %s: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || !((len > 3 &&
		    strcmp(de->d_name + len - 3, ".md") == 0) || (len > 4 &&
		    strcmp(de->d_name + len - 4, ".txt") == 0)))
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), kb_name_cmp);
	for (i = 0; i < n; i++) {
		kb_load_file(set, dir, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

static int
kb_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
kb_load_file(struct kb_set *set, const char *dir, const char *name)
{
	struct stat sb;
	FILE *f;
	char path[4096], *text, *title, *url, *body;
	size_t len;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || (f = fopen(path, "r")) == NULL) {
		set->nskipped++;
		return;
	}
	if (fstat(fileno(f), &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > KB_ARTICLE_MAX) {
		fclose(f);
		set->nskipped++;
		return;
	}
	text = xmalloc((size_t)sb.st_size + 1);
	len = fread(text, 1, (size_t)sb.st_size, f);
	fclose(f);
	text[len] = '\0';
	if (!kb_utf8(text, len) || kb_parse(text, &title, &url, &body) == -1) {
		free(text);
		set->nskipped++;
		return;
	}
	free(text);
	kb_add(set, KB_KIND_ARTICLE, name, title, url, body);
}

/* The title line ("# " allowed), an optional "URL:" line, the rest. */
static int
kb_parse(const char *text, char **title_out, char **url_out,
    char **body_out)
{
	const char *p = text, *eol;
	size_t len;

	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	while (*p == '#')
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	eol = p + strcspn(p, "\r\n");
	for (len = (size_t)(eol - p); len > 0 && isspace((unsigned char)p[len - 1]);)
		len--;
	if (len == 0)
		return -1;
	*title_out = xstrndup(p, len);
	*url_out = NULL;
	p = eol;
	while (*p == '\n' || *p == '\r')
		p++;
	if (strncasecmp(p, "URL:", 4) == 0) {
		p += 4;
		while (*p == ' ' || *p == '\t')
			p++;
		eol = p + strcspn(p, "\r\n \t");
		if (eol > p)
			*url_out = xstrndup(p, (size_t)(eol - p));
		p += strcspn(p, "\r\n");
	}
	*body_out = xstrdup(p);
	return 0;
}

static void
kb_add(struct kb_set *set, const char *kind, const char *path, char *title,
    char *url, char *body)
{
	struct kb_entry *e;

	set->entries = xreallocarray(set->entries, set->n + 1,
	    sizeof(*set->entries));
	e = &set->entries[set->n++];
	e->kind = kind;
	e->path = xstrdup(path);
	e->title = title;
	e->url = url;
	e->body = body;
}

/* The canned answers: the name is the title ("printer_reset"). */
static void
kb_load_canned(struct kb_set *set, const struct config *cfg)
{
	const struct template *t;
	const char *name;
	char *title, *p;
	size_t i;

	for (i = 0; i < config_canned_count(cfg); i++) {
		if ((t = config_canned_at(cfg, i, &name)) == NULL)
			break;
		title = xstrdup(name);
		for (p = title; *p != '\0'; p++)
			if (*p == '_' || *p == '-')
				*p = ' ';
		kb_add(set, KB_KIND_CANNED, name, title, NULL,
		    xstrdup(template_source(t)));
	}
}

char **
kb_stems(const char *text, size_t *n_out)
{
	char **stems = NULL, *word;
	const char *p = text, *start;
	size_t n = 0, chars, keep, i, len;
	uint32_t cp;

	while (*p != '\0' && n < KB_MAX_STEMS) {
		while (*p != '\0' && (len = kb_cp(p, &cp), !kb_word_cp(cp)))
			p += len;
		start = p;
		chars = 0;
		while (*p != '\0' && (len = kb_cp(p, &cp), kb_word_cp(cp))) {
			p += len;
			chars++;
		}
		if (chars < 3)
			continue;
		word = xstrndup(start, (size_t)(p - start));
		kb_lower(word);
		if (kb_stopword(word) || strspn(word, "0123456789") ==
		    strlen(word)) {
			free(word);
			continue;
		}
		/* 4 to 6 characters: what the inflections share */
		keep = chars <= 4 ? chars : chars - 2 < 4 ? 4 : chars - 2 > 6 ?
		    6 : chars - 2;
		for (i = 0, len = 0; i < keep; i++)
			len += kb_cp(word + len, &cp);
		word[len] = '\0';
		for (i = 0; i < n && strcmp(stems[i], word) != 0; i++)
			;
		if (i < n) {
			free(word);
			continue;
		}
		stems = xreallocarray(stems, n + 1, sizeof(*stems));
		stems[n++] = word;
	}
	*n_out = n;
	return stems;
}

void
kb_stems_free(char **stems, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(stems[i]);
	free(stems);
}

void
kb_query_make(struct kb_query *q, const char *subject, const char *body)
{
	struct buf text;

	buf_init(&text);
	if (subject != NULL)
		buf_append_str(&text, subject);
	buf_append_char(&text, '\n');
	if (body != NULL)
		buf_append_str(&text, body);
	q->stems = kb_stems(text.data, &q->n);
	buf_release(&text);
}

/*
 * The index is replaced from cfg at start and at every reload, so a
 * config without articles or canned answers leaves it empty: the stems
 * of every message (a tenth of the intake's parse time) would be made
 * for a look-up that finds nothing.
 */
void
kb_query_for(struct kb_query *q, const struct config *cfg,
    const char *subject, const char *body)
{
	if ((cfg->kb_directory != NULL && cfg->kb_directory[0] != '\0') ||
	    config_canned_count(cfg) > 0)
		kb_query_make(q, subject, body);
	else
		memset(q, 0, sizeof(*q));
}

void
kb_query_clear(struct kb_query *q)
{
	kb_stems_free(q->stems, q->n);
	q->stems = NULL;
	q->n = 0;
}

int
kb_suggest(struct store *st, const struct kb_query *q, const char *subject,
    const char *body, const char *kind, int min_score, size_t limit,
    struct kb_hit **hits_out, size_t *n_out, struct error *err)
{
	struct kb_query own;
	int rc;

	if (q == NULL) {
		kb_query_make(&own, subject, body);
		q = &own;
	}
	rc = kb_index_search(st, (const char *const *)q->stems, q->n, kind,
	    min_score, limit, hits_out, n_out, err);
	if (q == &own)
		kb_query_clear(&own);
	return rc;
}

char *
kb_excerpt(const char *body, size_t max)
{
	struct buf out;
	const char *p = body;
	bool space = false;

	buf_init(&out);
	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	for (; *p != '\0'; p++) {
		/* the first paragraph: up to a blank line */
		if (*p == '\n' && (p[1] == '\n' || (p[1] == '\r' &&
		    p[2] == '\n')))
			break;
		if (isspace((unsigned char)*p)) {
			space = true;
			continue;
		}
		if (space && out.len > 0) {
			if (out.len >= max)
				break;
			buf_append_char(&out, ' ');
		}
		space = false;
		buf_append_char(&out, *p);
	}
	if (*p != '\0' && out.len >= max)
		buf_append_str(&out, "...");
	return buf_steal(&out, NULL);
}

/* The code point at s (U+FFFD for a bad byte) and its length, >= 1. */
static size_t
kb_cp(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0 && (u[1] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
		return 2;
	}
	if ((u[0] & 0xf0) == 0xe0 && (u[1] & 0xc0) == 0x80 &&
	    (u[2] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x0f) << 12) |
		    ((uint32_t)(u[1] & 0x3f) << 6) | (u[2] & 0x3f);
		return 3;
	}
	if ((u[0] & 0xf8) == 0xf0 && (u[1] & 0xc0) == 0x80 &&
	    (u[2] & 0xc0) == 0x80 && (u[3] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x07) << 18) |
		    ((uint32_t)(u[1] & 0x3f) << 12) |
		    ((uint32_t)(u[2] & 0x3f) << 6) | (u[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

/* Letters and digits; the punctuation of Latin-1 and Unicode is not. */
static bool
kb_word_cp(uint32_t cp)
{
	if (cp < 0x80)
		return isalnum((int)cp) || cp == '\'';
	if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7 || cp == 0xfffd)
		return false;
	if (cp >= 0x2000 && cp <= 0x2bff)	/* punctuation, symbols */
		return false;
	if (cp >= 0x3000 && cp <= 0x303f)
		return false;
	return cp < 0x1f000;			/* not emoji */
}

/* Lowercases ASCII, Cyrillic and Polish capitals in place (same length). */
static void
kb_lower(char *s)
{
	unsigned char *u = (unsigned char *)s;
	static const unsigned char pl[][2] = {
		{ 0xc4, 0x84 }, { 0xc4, 0x86 }, { 0xc4, 0x98 }, { 0xc5, 0x81 },
		{ 0xc5, 0x83 }, { 0xc5, 0x9a }, { 0xc5, 0xb9 }, { 0xc5, 0xbb }
	};
	size_t i;

	for (; *u != '\0'; u++) {
		if (*u < 0x80) {
			*u = (unsigned char)tolower(*u);
			continue;
		}
		if (u[1] == '\0')
			break;
		if (u[0] == 0xd0 && u[1] >= 0x90 && u[1] <= 0x9f)
			u[1] += 0x20;			/* А-П */
		else if (u[0] == 0xd0 && u[1] >= 0xa0 && u[1] <= 0xaf) {
			u[0] = 0xd1;			/* Р-Я */
			u[1] -= 0x20;
		} else if (u[0] == 0xd0 && u[1] == 0x81) {
			u[0] = 0xd1;			/* Ё */
			u[1] = 0x91;
		} else if (u[0] == 0xc3 && u[1] == 0x93)
			u[1] = 0xb3;			/* Ó */
		else
			for (i = 0; i < sizeof(pl) / sizeof(pl[0]); i++)
				if (u[0] == pl[i][0] && u[1] == pl[i][1]) {
					u[1]++;
					break;
				}
		u++;
	}
}

static int
kb_stopword_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* A stems pass asks this for every word of every message: bisected. */
static bool
kb_stopword(const char *w)
{
	return bsearch(w, kb_stopwords, KB_NSTOPWORDS, sizeof(kb_stopwords[0]),
	    kb_stopword_cmp) != NULL;
}

const char *const *
kb_stopword_list(size_t *n)
{
	*n = KB_NSTOPWORDS;
	return kb_stopwords;
}

/* Is s (len bytes) UTF-8 text without NUL? */
static bool
kb_utf8(const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (s[i] == '\0')
			return false;
		n = kb_cp(s + i, &cp);
		if (cp == 0xfffd && n == 1)
			return false;
		i += n;
	}
	return true;
}
