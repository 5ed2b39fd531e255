/*
 * agent_auth: Authentication-Results (RFC 8601) read from the raw header,
 * for a DKIM or SPF pass that vouches for an address (promise 5, and
 * acknowledgement.require_auth).
 *
 * Why so strict.  The header is attacker's text unless the trusted MTA
 * removed every incoming field bearing its authserv-id (section 5); it
 * removes what *its* parser takes for such a field.  Where two parsers
 * differ, an attacker writes the field the MTA does not recognise as its
 * own and we do.  Seen: an encoded-word ("=?us-ascii?q?mx...=3B_dkim=3D
 * pass?=" is no token to an MTA, was "mx...; dkim=pass" to us after
 * RFC 2047 decoding), a quoted id, a comment before the id, a blank
 * before the colon.  OpenDKIM (opendkim-ar.c) also leaves fields its
 * tokenizer refuses (an unknown or upper-case ptype, an overlong value,
 * more than 512 tokens) and, without RemoveARAll, fields with no result
 * of a method it knows as "dkim" (so "DKIM=pass" or "dkim/1=pass").  So
 * we take one canonical form that they all read alike and refuse every
 * variant, even the ones RFC 8601 allows: the cost is a genuine field in
 * an unusual form not counting, which is safe (the agent's mail is then
 * customer mail, logged).
 *
 * Position (section 7.1): a field above every Received written outside
 * the boundary was added after the message crossed into it.  Fields of
 * the trusted MTA may sit below its own Received (OpenDKIM inserts at
 * index 1, under Postfix's Received), so Received fields by trusted hosts
 * and our own do not end the trusted part; the first other one does.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "agent_auth.h"

#define AUTH_FIELD_MAX		2000	/* bytes of one field value */
#define AUTH_TOKENS_MAX		400	/* OpenDKIM refuses over 512 */
#define AUTH_RESULTS_MAX	12	/* OpenDKIM reads 15 */
#define AUTH_PROPS_MAX		16
#define AUTH_COMMENT_DEPTH	8
#define AUTH_VALUE_MAX		256	/* longest value we compare */

enum auth_tok {
	AUTH_END,
	AUTH_BAD,	/* anything outside the strict form */
	AUTH_WORD,
	AUTH_QUOTED,	/* text: inside the quotes, escapes kept */
	AUTH_SEMI,
	AUTH_EQ
};

/* The lexer over the part of a field after the first ';'. */
struct auth_lex {
	const char	*s;
	size_t		 len;
	size_t		 pos;
	size_t		 ntokens;
	enum auth_tok	 kind;		/* the current token */
	const char	*text;
	size_t		 tlen;
	bool		 spaced;	/* blanks or a comment before it */
};

struct auth_prop {
	const char	*key;		/* "header.d" */
	size_t		 klen;
	const char	*val;
	size_t		 vlen;
	bool		 quoted;
};

/* One "method=result ..." of the field. */
struct auth_result {
	const char		*method;
	size_t			 mlen;
	const char		*result;
	size_t			 rlen;
	struct auth_prop	 props[AUTH_PROPS_MAX];
	size_t			 nprops;
};

static size_t	 auth_fold(const char *, size_t, size_t);
static size_t	 auth_skip_fws(const char *, size_t, size_t);
static bool	 auth_token_char(unsigned char);
static bool	 auth_word_char(unsigned char);
static bool	 auth_trusted(const char *, size_t, const char *const *,
		    size_t);
static void	 auth_next(struct auth_lex *);
static bool	 auth_comment(const char *, size_t, size_t *);
static bool	 auth_quoted(struct auth_lex *);
static enum agent_auth_verdict auth_results(struct auth_lex *,
		    const char *);
static bool	 auth_result(struct auth_lex *, struct auth_result *);
static bool	 auth_keyword(const char *, size_t);
static bool	 auth_method(const char *, size_t);
static bool	 auth_prop_key(const char *, size_t);
static bool	 auth_is(const char *, size_t, const char *);
static enum agent_auth_verdict auth_vouches(const struct auth_result *,
		    const char *);
static bool	 auth_prop_value(const struct auth_result *, const char *,
		    char *, size_t);
static const char *auth_domain(const char *);
static size_t	 auth_line_end(const char *, size_t, size_t);
static bool	 auth_field_at(const char *, size_t, size_t, size_t *);
static size_t	 auth_field_end(const char *, size_t, size_t);
static bool	 auth_name_is(const char *, size_t, const char *, bool);
static bool	 auth_received_inside(const char *, size_t,
		    const struct agent_auth_trust *);
static bool	 auth_received_word(const char *, size_t, size_t *,
		    const char **, size_t *);
static bool	 auth_host_trusted(const char *, size_t,
		    const struct agent_auth_trust *);

/* --- one field ------------------------------------------------------- */

enum agent_auth_verdict
agent_auth_field(const char *value, size_t len, const char *const *trusted,
    size_t ntrusted, const char *addr)
{
	struct auth_lex	 lx;
	size_t		 pos, start;

	if (value == NULL)
		return AGENT_AUTH_NONE;
	pos = auth_skip_fws(value, len, 0);
	for (start = pos; pos < len && auth_token_char(value[pos]); pos++)
		continue;
	if (!auth_trusted(value + start, pos - start, trusted, ntrusted))
		return AGENT_AUTH_NONE;
	/* Ours, by its id: from here on, anything odd is malformed. */
	if (len > AUTH_FIELD_MAX)
		return AGENT_AUTH_MALFORMED;
	start = pos;
	pos = auth_skip_fws(value, len, pos);
	if (pos > start && pos < len && value[pos] >= '0' &&
	    value[pos] <= '9') {
		while (pos < len && value[pos] >= '0' && value[pos] <= '9')
			pos++;
		pos = auth_skip_fws(value, len, pos);
	}
	if (pos >= len || value[pos] != ';')
		return AGENT_AUTH_MALFORMED;
	memset(&lx, 0, sizeof(lx));
	lx.s = value;
	lx.len = len;
	lx.pos = pos + 1;
	lx.kind = AUTH_SEMI;
	return auth_results(&lx, addr);
}

/* Length of a folding line break at pos (CRLF or LF, then a blank), or 0. */
static size_t
auth_fold(const char *s, size_t len, size_t pos)
{
	size_t	 n;

	if (pos < len && s[pos] == '\n')
		n = 1;
	else if (pos + 1 < len && s[pos] == '\r' && s[pos + 1] == '\n')
		n = 2;
	else
		return 0;
	if (pos + n < len && (s[pos + n] == ' ' || s[pos + n] == '\t'))
		return n;
	return 0;
}

/* Past blanks and folds (RFC 5322 FWS) from pos. */
static size_t
auth_skip_fws(const char *s, size_t len, size_t pos)
{
	size_t	 n;

	for (;;) {
		if (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
			pos++;
		else if ((n = auth_fold(s, len, pos)) > 0)
			pos += n;
		else
			return pos;
	}
}

/* RFC 2045 token: printable ASCII but tspecials. */
static bool
auth_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* A word of ours: printable ASCII but what separates or quotes. */
static bool
auth_word_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr(";=()\"\\", c) == NULL;
}

static bool
auth_trusted(const char *id, size_t n, const char *const *trusted,
    size_t ntrusted)
{
	size_t	 i;

	if (n == 0)
		return false;
	for (i = 0; trusted != NULL && i < ntrusted; i++)
		if (trusted[i] != NULL && strlen(trusted[i]) == n &&
		    memcmp(trusted[i], id, n) == 0)
			return true;
	return false;
}

/*
 * The next token into lx; blanks, folds and comments before it set
 * spaced.  A comment glued to the word or quoted string before it is
 * refused: OpenDKIM makes it part of that word ("dkim(x)=pass" is no
 * "dkim" result to it).
 */
static void
auth_next(struct auth_lex *lx)
{
	enum auth_tok	 prev = lx->kind;
	size_t		 n;
	unsigned char	 c;

	lx->spaced = false;
	for (;;) {
		if (lx->ntokens > AUTH_TOKENS_MAX)
			goto bad;
		if (lx->pos >= lx->len) {
			lx->kind = AUTH_END;
			return;
		}
		c = (unsigned char)lx->s[lx->pos];
		if (c == ' ' || c == '\t') {
			lx->pos++;
			lx->spaced = true;
		} else if (c == '\r' || c == '\n') {
			if ((n = auth_fold(lx->s, lx->len, lx->pos)) == 0)
				goto bad;
			lx->pos += n;
			lx->spaced = true;
		} else if (c == '(') {
			if (!lx->spaced && (prev == AUTH_WORD ||
			    prev == AUTH_QUOTED))
				goto bad;
			if (!auth_comment(lx->s, lx->len, &lx->pos))
				goto bad;
			lx->spaced = true;
			lx->ntokens++;
		} else
			break;
	}
	if (++lx->ntokens > AUTH_TOKENS_MAX)
		goto bad;
	lx->text = lx->s + lx->pos;
	lx->tlen = 1;
	if (c == ';') {
		lx->kind = AUTH_SEMI;
		lx->pos++;
	} else if (c == '=') {
		lx->kind = AUTH_EQ;
		lx->pos++;
	} else if (c == '"') {
		if (!auth_quoted(lx))
			goto bad;
	} else if (auth_word_char(c)) {
		while (lx->pos < lx->len &&
		    auth_word_char((unsigned char)lx->s[lx->pos])) {
			/* OpenDKIM splits words at dots: count as it does */
			if (lx->s[lx->pos] == '.')
				lx->ntokens += 2;
			lx->pos++;
		}
		lx->kind = AUTH_WORD;
		lx->tlen = (size_t)(lx->s + lx->pos - lx->text);
		if (lx->ntokens > AUTH_TOKENS_MAX)
			goto bad;
	} else
		goto bad;
	return;
bad:
	lx->kind = AUTH_BAD;
}

/* A comment at *pos, nested, with quoted pairs; *pos goes past it. */
static bool
auth_comment(const char *s, size_t len, size_t *pos)
{
	size_t	 p = *pos, n;
	int	 depth = 0;

	while (p < len) {
		unsigned char c = (unsigned char)s[p];

		if (c == '(') {
			if (++depth > AUTH_COMMENT_DEPTH)
				return false;
			p++;
		} else if (c == ')') {
			p++;
			if (--depth == 0) {
				*pos = p;
				return true;
			}
		} else if (c == '\\') {
			if (p + 1 >= len || (unsigned char)s[p + 1] < 0x20 ||
			    (unsigned char)s[p + 1] > 0x7e)
				return false;
			p += 2;
		} else if (c == '\r' || c == '\n') {
			if ((n = auth_fold(s, len, p)) == 0)
				return false;
			p += n;
		} else if ((c >= 0x20 && c < 0x7f) || c == '\t')
			p++;
		else
			return false;
	}
	return false;
}

/* A quoted string at lx->pos (RFC 5322, folds allowed inside). */
static bool
auth_quoted(struct auth_lex *lx)
{
	size_t	 p = lx->pos + 1, n;

	while (p < lx->len) {
		unsigned char c = (unsigned char)lx->s[p];

		if (c == '"') {
			lx->kind = AUTH_QUOTED;
			lx->text = lx->s + lx->pos + 1;
			lx->tlen = p - lx->pos - 1;
			lx->pos = p + 1;
			return true;
		}
		if (c == '\\') {
			if (p + 1 >= lx->len ||
			    (unsigned char)lx->s[p + 1] < 0x20 ||
			    (unsigned char)lx->s[p + 1] > 0x7e)
				return false;
			p += 2;
		} else if (c == '\r' || c == '\n') {
			if ((n = auth_fold(lx->s, lx->len, p)) == 0)
				return false;
			p += n;
		} else if ((c >= 0x20 && c < 0x7f) || c == '\t')
			p++;
		else
			return false;
	}
	return false;
}

/*
 * Everything after the id's ';': "none", or results separated by ';'
 * (one ';' may end the field).  The whole field must be read before a
 * pass counts: a syntax error anywhere is what keeps a stripper off it.
 */
static enum agent_auth_verdict
auth_results(struct auth_lex *lx, const char *addr)
{
	enum agent_auth_verdict	 best = AGENT_AUTH_NO_PASS, v;
	struct auth_result	 r;
	size_t			 n = 0;

	auth_next(lx);
	if (lx->kind == AUTH_WORD && auth_is(lx->text, lx->tlen, "none")) {
		auth_next(lx);
		return lx->kind == AUTH_END ? AGENT_AUTH_NO_PASS :
		    AGENT_AUTH_MALFORMED;
	}
	while (lx->kind != AUTH_END) {
		if (++n > AUTH_RESULTS_MAX || !auth_result(lx, &r))
			return AGENT_AUTH_MALFORMED;
		if ((v = auth_vouches(&r, addr)) > best)
			best = v;
		if (lx->kind == AUTH_SEMI)
			auth_next(lx);
		else if (lx->kind != AUTH_END)
			return AGENT_AUTH_MALFORMED;
	}
	return best;
}

/*
 * "method=result [reason=value] [ptype.property=value ...]" from the
 * current token into r; lx ends on the token after it (';' or the end
 * when well-formed).  Pointers into the field.
 */
static bool
auth_result(struct auth_lex *lx, struct auth_result *r)
{
	struct auth_prop	*p;
	bool			 first = true;

	memset(r, 0, sizeof(*r));
	if (lx->kind != AUTH_WORD)
		return false;
	r->method = lx->text;
	r->mlen = lx->tlen;
	auth_next(lx);
	if (lx->kind != AUTH_EQ)
		return false;
	auth_next(lx);
	if (lx->kind != AUTH_WORD || !auth_keyword(lx->text, lx->tlen))
		return false;
	r->result = lx->text;
	r->rlen = lx->tlen;
	if (!auth_method(r->method, r->mlen))
		return false;
	auth_next(lx);
	while (lx->kind == AUTH_WORD) {
		if (!lx->spaced)
			return false;
		if (first && auth_is(lx->text, lx->tlen, "reason")) {
			/* OpenDKIM takes a reason only right after the result */
			first = false;
			auth_next(lx);
			if (lx->kind != AUTH_EQ)
				return false;
			auth_next(lx);
			if (lx->kind != AUTH_WORD && lx->kind != AUTH_QUOTED)
				return false;
			auth_next(lx);
			continue;
		}
		first = false;
		if (r->nprops == AUTH_PROPS_MAX ||
		    !auth_prop_key(lx->text, lx->tlen))
			return false;
		p = &r->props[r->nprops++];
		p->key = lx->text;
		p->klen = lx->tlen;
		auth_next(lx);
		if (lx->kind != AUTH_EQ)
			return false;
		auth_next(lx);
		if (lx->kind != AUTH_WORD && lx->kind != AUTH_QUOTED)
			return false;
		p->val = lx->text;
		p->vlen = lx->tlen;
		p->quoted = lx->kind == AUTH_QUOTED;
		auth_next(lx);
	}
	return lx->kind == AUTH_SEMI || lx->kind == AUTH_END;
}

/* RFC 5321 Keyword, loosely: letters, digits, '-' and '_'. */
static bool
auth_keyword(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return false;
	return true;
}

/*
 * Keyword [ "/" version ], written without blanks ("dkim/1" is legal,
 * but no "dkim" result to OpenDKIM: auth_vouches ignores it).
 */
static bool
auth_method(const char *s, size_t n)
{
	const char	*slash = memchr(s, '/', n);
	size_t		 i, klen;

	if (slash == NULL)
		return auth_keyword(s, n);
	klen = (size_t)(slash - s);
	if (!auth_keyword(s, klen) || klen + 1 == n)
		return false;
	for (i = klen + 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "ptype.property", ptype one RFC 8601 registers, in lower case. */
static bool
auth_prop_key(const char *s, size_t n)
{
	static const char *const ptypes[] = { "smtp", "header", "body",
	    "policy", NULL };
	const char	*dot = memchr(s, '.', n);
	size_t		 i, plen;

	if (dot == NULL)
		return false;
	plen = (size_t)(dot - s);
	if (!auth_keyword(dot + 1, n - plen - 1))
		return false;
	for (i = 0; ptypes[i] != NULL; i++)
		if (strlen(ptypes[i]) == plen &&
		    memcmp(ptypes[i], s, plen) == 0)
			return true;
	return false;
}

/* Is s (n bytes) word, ignoring case? */
static bool
auth_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

static enum agent_auth_verdict
auth_vouches(const struct auth_result *r, const char *addr)
{
	char		 v[AUTH_VALUE_MAX];
	const char	*d, *domain;

	/* Exactly as OpenDKIM names them, or it may not have stripped it. */
	if (addr == NULL || (domain = auth_domain(addr)) == NULL ||
	    r->rlen != 4 || memcmp(r->result, "pass", 4) != 0)
		return AGENT_AUTH_NO_PASS;
	if (r->mlen == 4 && memcmp(r->method, "dkim", 4) == 0) {
		/* header.i is "[local]@domain": its domain, like header.d */
		if (auth_prop_value(r, "header.d", v, sizeof(v)))
			d = v;
		else if (auth_prop_value(r, "header.i", v, sizeof(v)) &&
		    (d = strrchr(v, '@')) != NULL)
			d++;
		else
			return AGENT_AUTH_NO_PASS;
		return strcasecmp(d, domain) == 0 ? AGENT_AUTH_DKIM :
		    AGENT_AUTH_NO_PASS;
	}
	if (r->mlen == 3 && memcmp(r->method, "spf", 3) == 0) {
		if (!auth_prop_value(r, "smtp.mailfrom", v, sizeof(v)) ||
		    strchr(v, '@') == NULL)
			return AGENT_AUTH_NO_PASS;
		return strcasecmp(v, addr) == 0 ? AGENT_AUTH_SPF :
		    AGENT_AUTH_NO_PASS;
	}
	return AGENT_AUTH_NO_PASS;
}

/*
 * The value of property key (unquoted) into out; false if absent, given
 * twice (which one would the other parser take?), or too long.
 */
static bool
auth_prop_value(const struct auth_result *r, const char *key, char *out,
    size_t size)
{
	const struct auth_prop	*p = NULL;
	size_t			 i, o = 0;

	for (i = 0; i < r->nprops; i++) {
		if (!auth_is(r->props[i].key, r->props[i].klen, key))
			continue;
		if (p != NULL)
			return false;
		p = &r->props[i];
	}
	if (p == NULL)
		return false;
	for (i = 0; i < p->vlen; i++) {
		if (p->quoted && p->val[i] == '\\')
			i++;
		else if (p->quoted && (p->val[i] == '\r' ||
		    p->val[i] == '\n'))
			continue;
		if (o + 1 >= size)
			return false;
		out[o++] = p->val[i];
	}
	out[o] = '\0';
	return o > 0;
}

/* The domain of addr, or NULL if it has none. */
static const char *
auth_domain(const char *addr)
{
	const char	*at = strrchr(addr, '@');

	if (at == NULL || at == addr || at[1] == '\0')
		return NULL;
	return at + 1;
}

/* --- the header ---------------------------------------------------------- */

enum agent_auth_verdict
agent_auth_message(const char *raw, size_t len,
    const struct agent_auth_trust *t, const char *addr, bool *below_out)
{
	enum agent_auth_verdict	 best = AGENT_AUTH_NONE, v;
	size_t			 pos = 0, colon, next, vend;
	bool			 inside = true, below = false;

	if (raw == NULL)
		len = 0;
	/* An mbox "From " line before the header (inject from a pipe). */
	if (len >= 5 && memcmp(raw, "From ", 5) == 0 &&
	    !auth_field_at(raw, len, 0, &colon))
		pos = auth_line_end(raw, len, 0);
	while (pos < len && raw[pos] != '\n' && !(raw[pos] == '\r' &&
	    pos + 1 < len && raw[pos + 1] == '\n')) {
		if (!auth_field_at(raw, len, pos, &colon))
			break;
		next = auth_field_end(raw, len, pos);
		vend = next;
		if (vend > colon + 1 && raw[vend - 1] == '\n')
			vend--;
		if (vend > colon + 1 && raw[vend - 1] == '\r')
			vend--;
		if (auth_name_is(raw + pos, colon - pos, "Received", true)) {
			if (inside && !auth_received_inside(raw + colon + 1,
			    vend - colon - 1, t))
				inside = false;
		} else if (auth_name_is(raw + pos, colon - pos,
		    "Authentication-Results", false)) {
			v = agent_auth_field(raw + colon + 1, vend - colon - 1,
			    t->ids, t->nids, addr);
			if (!inside && v != AGENT_AUTH_NONE)
				below = true;
			else if (inside && v > best)
				best = v;
			if (inside && (v == AGENT_AUTH_DKIM ||
			    v == AGENT_AUTH_SPF))
				break;
		}
		pos = next;
	}
	if (below_out != NULL)
		*below_out = below;
	return best;
}

const char *
agent_auth_verdict_name(enum agent_auth_verdict v)
{
	switch (v) {
	case AGENT_AUTH_NONE:
		return "none";
	case AGENT_AUTH_MALFORMED:
		return "malformed";
	case AGENT_AUTH_NO_PASS:
		return "no-pass";
	case AGENT_AUTH_DKIM:
		return "dkim";
	case AGENT_AUTH_SPF:
		return "spf";
	}
	return "?";
}

/* Offset just after the LF ending the line at pos (or len). */
static size_t
auth_line_end(const char *s, size_t len, size_t pos)
{
	const char	*nl = memchr(s + pos, '\n', len - pos);

	return nl != NULL ? (size_t)(nl - s) + 1 : len;
}

/*
 * A field starts at pos: printable ASCII up to a ':' on that line, blanks
 * allowed before the colon (obsolete syntax, kept to be seen, not read).
 */
static bool
auth_field_at(const char *s, size_t len, size_t pos, size_t *colon)
{
	size_t	 i, end = auth_line_end(s, len, pos);

	for (i = pos; i < end && s[i] > 0x20 && s[i] < 0x7f && s[i] != ':';
	    i++)
		continue;
	if (i == pos)
		return false;
	while (i < end && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= end || s[i] != ':')
		return false;
	*colon = i;
	return true;
}

/* Offset after the field at pos and its continuation lines. */
static size_t
auth_field_end(const char *s, size_t len, size_t pos)
{
	size_t	 next = auth_line_end(s, len, pos);

	while (next < len && (s[next] == ' ' || s[next] == '\t'))
		next = auth_line_end(s, len, next);
	return next;
}

/* The field name s (n bytes, up to the colon) is name, any case. */
static bool
auth_name_is(const char *s, size_t n, const char *name, bool blanks)
{
	if (blanks)
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
	return auth_is(s, n, name);
}

/*
 * Was this Received field (its raw value) written inside the boundary?
 * RFC 5321 section 4.4: ["from" domain [comment]] ["by" domain
 * [comment]] ... ";" date.  The "from" clause is skipped (the client
 * names itself there), then the first "by" names the writer.  A field
 * we cannot read that far is outside.
 */
static bool
auth_received_inside(const char *v, size_t len,
    const struct agent_auth_trust *t)
{
	const char	*w;
	size_t		 pos = 0, n;

	if (!auth_received_word(v, len, &pos, &w, &n))
		return false;
	if (auth_is(w, n, "from") && (!auth_received_word(v, len, &pos, &w,
	    &n) || !auth_received_word(v, len, &pos, &w, &n)))
		return false;
	for (;;) {
		if (auth_is(w, n, "by"))
			return auth_received_word(v, len, &pos, &w, &n) &&
			    auth_host_trusted(w, n, t);
		if (!auth_received_word(v, len, &pos, &w, &n))
			return false;
	}
}

/*
 * The next word of a Received value at *pos, past blanks, line breaks
 * and comments; false at ';', at the end or on a broken comment.
 */
static bool
auth_received_word(const char *v, size_t len, size_t *pos, const char **w,
    size_t *n)
{
	size_t	 p = *pos, start;
	int	 depth;

	for (;;) {
		while (p < len && (v[p] == ' ' || v[p] == '\t' ||
		    v[p] == '\r' || v[p] == '\n'))
			p++;
		if (p >= len || v[p] == ';')
			return false;
		if (v[p] != '(')
			break;
		for (depth = 0; p < len; p++) {
			if (v[p] == '\\' && p + 1 < len)
				p++;
			else if (v[p] == '(')
				depth++;
			else if (v[p] == ')' && --depth == 0)
				break;
		}
		if (p >= len)
			return false;
		p++;
	}
	for (start = p; p < len && v[p] != ' ' && v[p] != '\t' &&
	    v[p] != '\r' && v[p] != '\n' && v[p] != '(' && v[p] != ';'; p++)
		continue;
	*w = v + start;
	*n = p - start;
	*pos = p;
	return true;
}

static bool
auth_host_trusted(const char *h, size_t n, const struct agent_auth_trust *t)
{
	size_t	 i;

	if (t->self != NULL && auth_is(h, n, t->self))
		return true;
	for (i = 0; i < t->nids; i++)
		if (t->ids[i] != NULL && auth_is(h, n, t->ids[i]))
			return true;
	for (i = 0; i < t->nhosts; i++)
		if (t->hosts[i] != NULL && auth_is(h, n, t->hosts[i]))
			return true;
	return false;
}
