/*
 * subject_token: the request number in a subject, "[#123]" by default,
 * configurable as a format with "{n}" ("[ACME #{n}]").  Recognition works
 * on the decoded subject and survives reply prefixes in any language,
 * changed case and spacing, and one missing bracket.
 */
#ifndef TRIAGED_SUBJECT_TOKEN_H
#define TRIAGED_SUBJECT_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct subject_token;

/*
 * Compiles format (must hold "{n}" once, with non-blank text before it,
 * at most 64 bytes, no control characters; NULL means "[#{n}]"); new
 * object, or NULL + err (ERR_PERM: a configuration error).
 */
struct subject_token	*subject_token_new(const char *format, struct error *err);
void			 subject_token_free(struct subject_token *);
/* Finds a token in subject (UTF-8); true and *id_out set if found. */
bool			 subject_token_find(const struct subject_token *,
			    const char *subject, uint64_t *id_out);
/* "[#42]": a new string the caller frees. */
char			*subject_token_format(const struct subject_token *,
			    uint64_t id);
/*
 * The subject for our mail on request id: reply prefixes stripped, the
 * token put in front unless already there.  New string, caller frees.
 */
char			*subject_token_apply(const struct subject_token *,
			    const char *subject, uint64_t id);
/*
 * Subject without leading "Re:", "Ответ:", "AW:", "Fwd:"... (any number,
 * with counters "Re[2]:", "Re(3):"), trimmed.  NULL gives "".  New string,
 * caller frees.
 */
char			*subject_token_strip_prefixes(const char *subject);
/*
 * Length in bytes of the prefix of s (UTF-8) that equals lower_word when
 * both are case-folded (ASCII, Latin-1 letters, Cyrillic), or 0.  For
 * matching subject phrases ("Автоответ", "Réponse automatique").
 */
size_t			 subject_token_fold_prefix(const char *s,
			    const char *lower_word);

#endif
