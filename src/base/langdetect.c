/*
 * langdetect: Content-Language and libexttextcat (see langdetect.h).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <textcat.h>

#include "langdetect.h"
#include "log.h"
#include "xmalloc.h"

struct langdetect {
	char		*dir;		/* NULL: off */
	pthread_mutex_t	 lock;
	void		*tc;		/* textcat handle, loaded on first use */
	bool		 failed;	/* could not load: logged once */
	/*
	 * The settled keys: a key's 64-bit hash in the slot its low bits
	 * name, 0 for none.  Read and written with relaxed atomics, no
	 * lock: a lost or overwritten slot only costs one classification.
	 */
	uint64_t	 settled[LANGDETECT_SETTLED_SLOTS];
};

static size_t	langdetect_letters(const char *, size_t);
static bool	langdetect_code(const char *, size_t,
		    char out[LANGDETECT_CODE_MAX]);
static uint64_t	langdetect_hash(const char *);

struct langdetect *
langdetect_new(const char *dir)
{
	struct langdetect *ld = xcalloc(1, sizeof(*ld));

	ld->dir = dir != NULL && *dir != '\0' ? xstrdup(dir) : NULL;
	pthread_mutex_init(&ld->lock, NULL);
	return ld;
}

void
langdetect_free(struct langdetect *ld)
{
	if (ld == NULL)
		return;
	if (ld->tc != NULL)
		textcat_Done(ld->tc);
	pthread_mutex_destroy(&ld->lock);
	free(ld->dir);
	free(ld);
}

bool
langdetect_text(struct langdetect *ld, const char *text, size_t len,
    char out[LANGDETECT_CODE_MAX])
{
	char conf[4096], prefix[4096];
	const char *r, *end;
	bool ok = false;

	out[0] = '\0';
	if (ld == NULL || ld->dir == NULL || text == NULL)
		return false;
	if (len > LANGDETECT_MAX_BYTES) {
		len = LANGDETECT_MAX_BYTES;	/* back to a character start */
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	if (langdetect_letters(text, len) < LANGDETECT_MIN_LETTERS)
		return false;
	pthread_mutex_lock(&ld->lock);
	if (ld->tc == NULL && !ld->failed) {
		(void)snprintf(conf, sizeof(conf), "%s/fpdb.conf", ld->dir);
		(void)snprintf(prefix, sizeof(prefix), "%s/", ld->dir);
		if ((ld->tc = special_textcat_Init(conf, prefix)) == NULL) {
			ld->failed = true;
			log_warnx("language detection off: cannot load the "
			    "libexttextcat models from %s", conf);
		}
	}
	if (ld->tc != NULL) {
		r = textcat_Classify(ld->tc, text, len);
		/* exactly one "[xx--utf8]": a clear winner */
		if (r != NULL && r[0] == '[' && (end = strchr(r, ']')) !=
		    NULL && end[1] == '\0')
			ok = langdetect_code(r + 1,
			    strcspn(r + 1, "-]"), out);
	}
	pthread_mutex_unlock(&ld->lock);
	return ok;
}

bool
langdetect_settled(struct langdetect *ld, const char *key)
{
	uint64_t h;

	if (ld == NULL || key == NULL)
		return false;
	h = langdetect_hash(key);
	return __atomic_load_n(&ld->settled[h % LANGDETECT_SETTLED_SLOTS],
	    __ATOMIC_RELAXED) == h;
}

void
langdetect_settle(struct langdetect *ld, const char *key, bool settled)
{
	uint64_t h, *slot;

	if (ld == NULL || key == NULL)
		return;
	h = langdetect_hash(key);
	slot = &ld->settled[h % LANGDETECT_SETTLED_SLOTS];
	if (settled)
		__atomic_store_n(slot, h, __ATOMIC_RELAXED);
	else	/* only our own: another key's entry stays */
		(void)__atomic_compare_exchange_n(slot, &h, 0, false,
		    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

bool
langdetect_header(const char *value, char out[LANGDETECT_CODE_MAX])
{
	const char *p = value, *tag;
	size_t n;
	int found = 0;

	out[0] = '\0';
	if (value == NULL)
		return false;
	for (;;) {
		p += strspn(p, " \t\r\n,");
		if (*p == '\0')
			break;
		tag = p;
		n = strcspn(p, " \t\r\n,;(-");
		p += strcspn(p, ",");
		if (n == 0)
			continue;
		if (found++ > 0)
			return false;	/* several: for several audiences */
		if (!langdetect_code(tag, n, out))
			return false;
	}
	return found == 1;
}

/* A 2-3 letter primary subtag, lowercased; not mul, und, zxx. */
static bool
langdetect_code(const char *s, size_t n, char out[LANGDETECT_CODE_MAX])
{
	size_t i;

	out[0] = '\0';
	if (n < 2 || n > 3)
		return false;
	for (i = 0; i < n; i++) {
		if (!isalpha((unsigned char)s[i]))
			return false;
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[n] = '\0';
	if (strcmp(out, "mul") == 0 || strcmp(out, "und") == 0 ||
	    strcmp(out, "zxx") == 0) {
		out[0] = '\0';
		return false;
	}
	return true;
}

/* Letters (any script: every non-ASCII UTF-8 sequence counts as one). */
static size_t
langdetect_letters(const char *s, size_t len)
{
	size_t i, n = 0;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (isalpha(c) || c >= 0xc0)
			n++;
	}
	return n;
}

/* FNV-1a, 64 bits; never 0, the empty slot. */
static uint64_t
langdetect_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h != 0 ? h : 1;
}
