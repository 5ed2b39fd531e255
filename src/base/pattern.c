/*
 * pattern: PCRE2 compile and match (pattern.h).  Contains and equals are
 * the value compiled as a caseless literal, so Unicode case folding is
 * PCRE2's and not a table of ours; equals anchors both ends.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pattern.h"
#include "xmalloc.h"

struct pattern {
	pcre2_code	*code;
};

struct pattern *
pattern_compile(const char *src, enum pattern_kind kind, bool caseless,
    struct error *err)
{
	struct pattern *p;
	PCRE2_SIZE off;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	int code;
	char msg[256];

	if (kind == PATTERN_REGEX) {
		opts |= PCRE2_UCP;
		if (caseless)
			opts |= PCRE2_CASELESS;
	} else {
		opts |= PCRE2_LITERAL | PCRE2_CASELESS;
		if (kind == PATTERN_EQUALS)
			opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	}
	p = xcalloc(1, sizeof(*p));
	p->code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts,
	    &code, &off, NULL);
	if (p->code == NULL) {
		(void)pcre2_get_error_message(code, (PCRE2_UCHAR *)msg,
		    sizeof(msg));
		(void)error_set(err, ERR_PERM, "%s \"%s\" does not compile at "
		    "offset %zu: %s", kind == PATTERN_REGEX ? "regex" : "text",
		    src, (size_t)off, msg);
		free(p);
		return NULL;
	}
	return p;
}

bool
pattern_match(const struct pattern *p, const char *s)
{
	pcre2_match_data *md;
	bool hit;

	if (s == NULL)
		return false;
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		abort();	/* out of memory, as xmalloc would */
	hit = pcre2_match(p->code, (PCRE2_SPTR)s, strlen(s), 0, 0, md,
	    NULL) >= 0;
	pcre2_match_data_free(md);
	return hit;
}

void
pattern_free(struct pattern *p)
{
	if (p == NULL)
		return;
	pcre2_code_free(p->code);
	free(p);
}
