/*
 * agent_auth: reads Authentication-Results headers (RFC 8601) for a DKIM
 * or SPF pass that vouches for an agent's From address (promise 5).  The
 * header is only as good as the server that wrote it, so every header
 * whose authserv-id is not configured as trusted is skipped unread: an
 * attacker can add "Authentication-Results: ours; dkim=pass" to any mail.
 *
 * The grammar taken (RFC 8601 section 2.2): the authserv-id, an optional
 * version, then ';'-separated results "method[/version]=result" followed
 * by "ptype.property=value" pairs.  Comments in parentheses (nested) and
 * blanks around '=' are allowed anywhere, values may be quoted strings.
 * Anything we cannot read is simply not a pass.
 *
 * Deliberately strict: DKIM must name the From's domain itself (no
 * parent or sub-domain alignment), SPF the whole From address, since SPF
 * only proves that the domain's servers sent the mail.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agent_auth.h"
#include "mime.h"
#include "xmalloc.h"

/* Properties kept per result; more are ignored (none matter to us). */
#define AUTH_PROPS_MAX	16

struct auth_prop {
	const char	*key;		/* "header.d", as written */
	const char	*value;		/* unquoted */
};

/* One "method=result prop=value ..." part of the header. */
struct auth_result {
	const char		*method;
	const char		*result;
	struct auth_prop	 props[AUTH_PROPS_MAX];
	size_t			 nprops;
};

static void	 auth_strip_comments(char *);
static void	 auth_squeeze(char *);
static char	*auth_next_part(char **);
static char	*auth_next_word(char **);
static void	 auth_unquote(char *);
static bool	 auth_is_blank(char);
static bool	 auth_trusted(const char *, const char *const *, size_t);
static bool	 auth_parse_result(char *, struct auth_result *);
static const char *auth_prop(const struct auth_result *, const char *);
static bool	 auth_vouches(const struct auth_result *, const char *,
		    const char **);
static const char *auth_domain(const char *);

bool
agent_auth_pass(const struct parsed_message *pm, const char *const *trusted,
    size_t ntrusted, const char *from, const char **method_out)
{
	size_t	 i;

	if (pm == NULL)
		return false;
	for (i = 0; i < pm->nheaders; i++) {
		if (strcasecmp(pm->headers[i].name,
		    "Authentication-Results") != 0)
			continue;
		if (agent_auth_header_pass(pm->headers[i].value, trusted,
		    ntrusted, from, method_out))
			return true;
	}
	return false;
}

bool
agent_auth_header_pass(const char *value, const char *const *trusted,
    size_t ntrusted, const char *from, const char **method_out)
{
	struct auth_result	 r;
	char			*copy, *p, *part, *id;
	bool			 ok = false;

	if (value == NULL || from == NULL || auth_domain(from) == NULL)
		return false;
	copy = xstrdup(value);
	auth_strip_comments(copy);
	auth_squeeze(copy);
	p = copy;
	part = auth_next_part(&p);
	if (part == NULL || (id = auth_next_word(&part)) == NULL)
		goto out;
	auth_unquote(id);
	if (!auth_trusted(id, trusted, ntrusted))
		goto out;
	while (!ok && (part = auth_next_part(&p)) != NULL) {
		if (auth_parse_result(part, &r))
			ok = auth_vouches(&r, from, method_out);
	}
out:
	free(copy);
	return ok;
}

/* Comments become blanks; quoted strings are left alone. */
static void
auth_strip_comments(char *s)
{
	int	 depth = 0;
	bool	 quoted = false;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0' && (quoted || depth > 0)) {
			if (depth > 0)
				s[0] = s[1] = ' ';
			s++;
			continue;
		}
		if (depth == 0 && *s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '(')
			depth++;
		else if (!quoted && *s == ')' && depth > 0) {
			depth--;
			*s = ' ';
		}
		if (depth > 0)
			*s = ' ';
	}
}

/* "dkim = pass" -> "dkim=pass", outside quoted strings. */
static void
auth_squeeze(char *s)
{
	char	*w = s, *r = s, *next;
	bool	 quoted = false;

	while (*r != '\0') {
		if (*r == '"')
			quoted = !quoted;
		if (!quoted && auth_is_blank(*r)) {
			for (next = r; auth_is_blank(*next); next++)
				continue;
			if (*next == '=' || (w > s && w[-1] == '=')) {
				r = next;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* The next ';'-separated part (NUL-terminated in place), or NULL. */
static char *
auth_next_part(char **p)
{
	char	*start = *p, *s;
	bool	 quoted = false;

	if (start == NULL)
		return NULL;
	for (s = start; *s != '\0'; s++) {
		if (*s == '\\' && quoted && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (*s == ';' && !quoted)
			break;
	}
	*p = *s == '\0' ? NULL : s + 1;
	*s = '\0';
	return start;
}

/* The next blank-separated word (NUL-terminated in place), or NULL. */
static char *
auth_next_word(char **p)
{
	char	*s = *p, *start;
	bool	 quoted = false;

	while (auth_is_blank(*s))
		s++;
	if (*s == '\0')
		return NULL;
	for (start = s; *s != '\0' && (quoted || !auth_is_blank(*s)); s++) {
		if (*s == '\\' && quoted && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
	}
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return start;
}

/* "\"a\\\"b\"" -> "a\"b" in place; unquoted text stays. */
static void
auth_unquote(char *s)
{
	char	*w = s, *r = s + 1;

	if (*s != '"')
		return;
	while (*r != '\0' && *r != '"') {
		if (*r == '\\' && r[1] != '\0')
			r++;
		*w++ = *r++;
	}
	*w = '\0';
}

static bool
auth_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
auth_trusted(const char *id, const char *const *trusted, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (trusted[i] != NULL && strcasecmp(id, trusted[i]) == 0)
			return true;
	return false;
}

/* "dkim/1=pass header.d=x" into r (pointers into part); false if none. */
static bool
auth_parse_result(char *part, struct auth_result *r)
{
	char	*word, *eq, *slash;

	memset(r, 0, sizeof(*r));
	if ((word = auth_next_word(&part)) == NULL ||
	    (eq = strchr(word, '=')) == NULL)
		return false;
	*eq = '\0';
	if ((slash = strchr(word, '/')) != NULL)
		*slash = '\0';
	r->method = word;
	r->result = eq + 1;
	auth_unquote(eq + 1);
	while ((word = auth_next_word(&part)) != NULL &&
	    r->nprops < AUTH_PROPS_MAX) {
		if ((eq = strchr(word, '=')) == NULL)
			continue;
		*eq = '\0';
		auth_unquote(eq + 1);
		r->props[r->nprops].key = word;
		r->props[r->nprops].value = eq + 1;
		r->nprops++;
	}
	return true;
}

static const char *
auth_prop(const struct auth_result *r, const char *key)
{
	size_t	 i;

	for (i = 0; i < r->nprops; i++)
		if (strcasecmp(r->props[i].key, key) == 0)
			return r->props[i].value;
	return NULL;
}

static bool
auth_vouches(const struct auth_result *r, const char *from,
    const char **method_out)
{
	const char	*d, *mailfrom;

	if (strcasecmp(r->result, "pass") != 0)
		return false;
	if (strcasecmp(r->method, "dkim") == 0) {
		/* header.i is "[local]@domain": its domain, like header.d. */
		if ((d = auth_prop(r, "header.d")) == NULL &&
		    (d = auth_prop(r, "header.i")) != NULL &&
		    strchr(d, '@') != NULL)
			d = strrchr(d, '@') + 1;
		if (d == NULL || strcasecmp(d, auth_domain(from)) != 0)
			return false;
		if (method_out != NULL)
			*method_out = "dkim";
		return true;
	}
	if (strcasecmp(r->method, "spf") == 0) {
		mailfrom = auth_prop(r, "smtp.mailfrom");
		if (mailfrom == NULL || strchr(mailfrom, '@') == NULL ||
		    strcasecmp(mailfrom, from) != 0)
			return false;
		if (method_out != NULL)
			*method_out = "spf";
		return true;
	}
	return false;
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
