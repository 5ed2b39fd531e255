/*
 * pattern: one compiled PCRE2 text test, below config so that a rule's
 * regex is compiled (and refused with its offset) when the config is
 * loaded, while matching a message stays with whoever holds the message
 * (desk/rules.c).  Every pattern runs in UTF mode with
 * PCRE2_MATCH_INVALID_UTF, so a subject with broken UTF-8 (a header we
 * could not decode) is matched without the undefined behaviour of
 * skipping the check.
 */
#ifndef TRIAGED_PATTERN_H
#define TRIAGED_PATTERN_H

#include <stdbool.h>

struct error;
struct pattern;

enum pattern_kind {
	PATTERN_CONTAINS,	/* the text as a caseless literal, anywhere */
	PATTERN_EQUALS,		/* the same, anchored at both ends */
	PATTERN_REGEX		/* PCRE2 with Unicode properties */
};

/*
 * Compiles src.  Contains and equals are caseless in Unicode (PCRE2's
 * case folding: "СРОЧНО" / "срочно"); a regex is caseless only when
 * caseless is set (or it says (?i)).  NULL + err (ERR_PERM, "regex \"..\"
 * does not compile at offset N: why") if it does not compile.
 */
struct pattern	*pattern_compile(const char *src, enum pattern_kind,
		    bool caseless, struct error *err);
/* True if p matches somewhere in s (NULL s: false). */
bool		 pattern_match(const struct pattern *p, const char *s);
void		 pattern_free(struct pattern *);

#endif
