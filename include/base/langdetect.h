/*
 * langdetect: which language a text is in (issue 19), for choosing the
 * language of the mail we write to a customer.  Two sources, both
 * conservative, because a wrong guess is worse than the default:
 *   - a Content-Language header value (RFC 3282): the primary subtag of
 *     its one language ("pl-PL" is "pl"); several languages, or "mul",
 *     "und", "zxx", name none;
 *   - libexttextcat (Debian libexttextcat-dev; LibreOffice's n-gram
 *     classifier) over the text, only when the text has at least
 *     LANGDETECT_MIN_LETTERS letters and the classifier names exactly one
 *     language (with all of its ~160 models loaded, so a German text is
 *     not forced into the nearest of the languages we have templates
 *     for).
 * The models take ~200 ms to load: a detector loads them on first use
 * (never, for a daemon whose customers all have a language) and keeps
 * them; its calls are serialised by a mutex inside, so one detector
 * serves every thread.
 *
 * Classifying is costly (a fingerprint of the text compared with every
 * model: a fifth of the daemon's time per message when it ran for each
 * one), and its answer is only wanted until the caller has settled a
 * language by other means (the customer's remembered one).  So a
 * detector also remembers which keys (the caller's: customer addresses)
 * are settled: a bounded memo of LANGDETECT_SETTLED_SLOTS entries, safe
 * from any thread, in which a newer key may push an older one out.  A
 * key forgotten is only classified again; the caller must not rely on
 * the memo for anything but skipping work.
 */
#ifndef TRIAGED_LANGDETECT_H
#define TRIAGED_LANGDETECT_H

#include <stdbool.h>
#include <stddef.h>

#define LANGDETECT_CODE_MAX	4	/* "pl" or "fil" and the NUL */
#define LANGDETECT_MIN_LETTERS	40
#define LANGDETECT_MAX_BYTES	4096	/* of the text, classified */
#define LANGDETECT_SETTLED_SLOTS 8192	/* 64 KB of memo */

struct langdetect;

/*
 * A detector over the models in dir (fpdb.conf and *.lm); nothing is read
 * yet.  dir NULL: a detector that never names a language.
 */
struct langdetect	*langdetect_new(const char *dir);
void			 langdetect_free(struct langdetect *);
/*
 * The language of text[0..len) (UTF-8) into out, true; false when the
 * text is too short, mixed, or the models cannot be loaded (logged
 * once).
 */
bool			 langdetect_text(struct langdetect *, const char *text,
			    size_t len, char out[LANGDETECT_CODE_MAX]);
/*
 * Is key settled (langdetect_settle'd true and not pushed out since)?
 * false for a NULL detector or key.
 */
bool			 langdetect_settled(struct langdetect *,
			    const char *key);
/* Marks key settled, or no longer (only if the memo holds key itself). */
void			 langdetect_settle(struct langdetect *,
			    const char *key, bool settled);
/* The one language a Content-Language value names into out, true. */
bool			 langdetect_header(const char *value,
			    char out[LANGDETECT_CODE_MAX]);

#endif
