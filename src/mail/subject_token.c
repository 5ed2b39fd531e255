/*
 * subject_token: the request number in a subject line (threading, and the
 * subject of everything we send).  The admin configures a format holding
 * "{n}" once, "[#{n}]" by default; this file compiles it into three parts
 * and finds it again in whatever mail clients make of it.
 *
 * A format "[ACME #{n}]" compiles to an opening bracket '[', a core
 * "ACME #" before the number, a tail "" after it, and a closing bracket
 * ']'.  Recognition (on the decoded UTF-8 subject) is lenient where
 * clients are sloppy and strict where false positives lurk:
 *   - the core and tail compare case-insensitively (ASCII, Latin-1 and
 *     Cyrillic letters), and any run of
 *     whitespace in them matches any run (also none) in the subject;
 *     whitespace is also allowed inside the brackets: "[ acme  # 42 ]";
 *   - the number is decimal, > 0, fits in uint64, and must not run on into
 *     a letter or digit ("[#42abc]" and "[#123]" are not 42 or 12);
 *   - both brackets, or one of the two, must be there ("#42]" and "[#42"
 *     are clients' mangling); with neither, "#42" is just text ("order
 *     #42"), so it is never taken;
 *   - a core starting with a letter must start a word ("XACME #1]" is not
 *     ours);
 *   - the first valid token in the subject wins.
 * A format without brackets ("Ticket-{n}") needs only core and number; a
 * format with an empty core ("[{n}]") needs both brackets.  A format must
 * have some non-blank text before "{n}" ("{n}" alone would take every
 * number in every subject).
 *
 * Reply prefixes are stripped with a documented table (see reply_prefixes
 * below).  This file does not decode RFC 2047: mime.c has done that.
 */

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "subject_token.h"
#include "xmalloc.h"

/* Longest format we accept: a token is part of every subject we send. */
#define SUBJECT_TOKEN_FORMAT_MAX	64

struct subject_token {
	char	*prefix;	/* text before "{n}", verbatim */
	char	*suffix;	/* text after "{n}", verbatim */
	char	 open;		/* opening bracket, or 0 */
	char	 close;		/* closing bracket, or 0 */
	char	*core;		/* prefix less bracket and blanks */
	char	*tail;		/* suffix less bracket and blanks */
};

/* One token found in a subject: where it lies and whether it is intact. */
struct token_match {
	uint64_t	 id;
	size_t		 start;		/* offset of its first byte */
	size_t		 end;		/* offset past its last byte */
	bool		 intact;	/* all the format's brackets */
};

static bool	 format_check(const char *, struct error *);
static void	 format_split(struct subject_token *);
static size_t	 ws_len(const char *);
static size_t	 skip_ws(const char *, size_t);
static bool	 is_word_byte(unsigned char);
static bool	 prev_is_word(const char *, size_t);
static bool	 match_text(const char *, const char *, size_t, size_t *);
static bool	 parse_id(const char *, size_t, uint64_t *, size_t *);
static bool	 match_at(const struct subject_token *, const char *, size_t,
		    struct token_match *);
static bool	 find_first(const struct subject_token *, const char *,
		    struct token_match *);
static size_t	 prefix_len(const char *);
static size_t	 prefix_word_len(const char *);
static size_t	 prefix_counter_len(const char *);
static size_t	 prefix_colon_len(const char *);
static char	*trim_dup(const char *, size_t);
static size_t	 fold_char(const char *, unsigned char *);

/*
 * Reply and forward prefixes, lowercase, matched case-insensitively
 * (ASCII and Cyrillic) as a whole word followed by an optional counter
 * ("[2]", "(3)", "^4"), optional blanks and a colon (ASCII ':' or the
 * full-width '：' of CJK clients).  Deliberately absent: one-letter "I:"
 * (Italian forward, too easily a real subject), "Ha:", and Greek (would
 * need Greek case folding).  "R:" (Italian) is in, at the price of
 * stripping a subject like "R: plotting question" in our replies.
 */
static const char *const reply_prefixes[] = {
	"re", "fw", "fwd",		/* English, and nearly everyone */
	"aw", "wg",			/* German: Antwort, Weitergeleitet */
	"antw", "doorst",		/* Dutch: Antwoord, Doorsturen */
	"tr", "réf",			/* French: Transféré */
	"rv", "res", "enc",		/* Spanish, Portuguese */
	"r", "rif",			/* Italian: R, RIF */
	"sv", "vs", "vl", "vb",		/* Nordic: Svar, VS, VL, VB */
	"odp", "pd",			/* Polish/Czech: Odp, PD */
	"ynt", "ilt",			/* Turkish: Yanıt, İlet */
	"vá", "tov",			/* Hungarian: Válasz, Továbbítás */
	"ответ", "отв", "пересл",	/* Russian */
	"відповідь", "відп",		/* Ukrainian */
	"回复", "回覆", "答复", "转发", "轉寄",	/* Chinese */
	"返信", "転送",			/* Japanese */
	NULL
};

struct subject_token *
subject_token_new(const char *format, struct error *err)
{
	struct subject_token	*tok;
	const char		*n;

	if (format == NULL)
		format = "[#{n}]";
	if (!format_check(format, err))
		return NULL;
	n = strstr(format, "{n}");
	tok = xcalloc(1, sizeof(*tok));
	tok->prefix = xstrndup(format, (size_t)(n - format));
	tok->suffix = xstrdup(n + 3);
	format_split(tok);
	return tok;
}

void
subject_token_free(struct subject_token *tok)
{
	if (tok == NULL)
		return;
	free(tok->prefix);
	free(tok->suffix);
	free(tok->core);
	free(tok->tail);
	free(tok);
}

bool
subject_token_find(const struct subject_token *tok, const char *subject,
    uint64_t *id_out)
{
	struct token_match	m;

	if (tok == NULL || subject == NULL || !find_first(tok, subject, &m))
		return false;
	if (id_out != NULL)
		*id_out = m.id;
	return true;
}

char *
subject_token_format(const struct subject_token *tok, uint64_t id)
{
	char	*s;

	xasprintf(&s, "%s%" PRIu64 "%s", tok->prefix, id, tok->suffix);
	return s;
}

/*
 * An intact token for this id stays where the customer put it; a mangled
 * one ("#42]") is repaired in place, so the next reply carries a clean
 * token; otherwise ours goes in front.
 */
char *
subject_token_apply(const struct subject_token *tok, const char *subject,
    uint64_t id)
{
	struct token_match	 m;
	char			*stripped, *token, *out;

	stripped = subject_token_strip_prefixes(subject != NULL ? subject : "");
	token = subject_token_format(tok, id);
	if (find_first(tok, stripped, &m) && m.id == id) {
		if (m.intact) {
			free(token);
			return stripped;
		}
		xasprintf(&out, "%.*s%s%s", (int)m.start, stripped, token,
		    stripped + m.end);
	} else if (*stripped == '\0')
		out = xstrdup(token);
	else
		xasprintf(&out, "%s %s", token, stripped);
	free(token);
	free(stripped);
	return out;
}

char *
subject_token_strip_prefixes(const char *subject)
{
	size_t	pos, n;

	if (subject == NULL)
		return xstrdup("");
	pos = skip_ws(subject, 0);
	while ((n = prefix_len(subject + pos)) > 0)
		pos = skip_ws(subject, pos + n);
	return trim_dup(subject + pos, strlen(subject + pos));
}

/* "{n}" exactly once, visible text before it, no control characters. */
static bool
format_check(const char *format, struct error *err)
{
	const char	*n, *p;

	if (strlen(format) > SUBJECT_TOKEN_FORMAT_MAX) {
		error_set(err, ERR_PERM, "subject token format longer than %d "
		    "bytes", SUBJECT_TOKEN_FORMAT_MAX);
		return false;
	}
	if ((n = strstr(format, "{n}")) == NULL ||
	    strstr(n + 3, "{n}") != NULL) {
		error_set(err, ERR_PERM, "subject token format \"%s\" must "
		    "hold \"{n}\" exactly once", format);
		return false;
	}
	for (p = format; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			error_set(err, ERR_PERM, "subject token format holds "
			    "a control character");
			return false;
		}
	}
	for (p = format; p < n && isspace((unsigned char)*p); p++)
		;
	if (p == n) {
		error_set(err, ERR_PERM, "subject token format \"%s\" needs "
		    "text before \"{n}\", like \"[#{n}]\"", format);
		return false;
	}
	/* parse_id refuses a number that runs on into a letter or digit. */
	if (isalnum((unsigned char)n[3])) {
		error_set(err, ERR_PERM, "subject token format \"%s\": a "
		    "letter or digit right after \"{n}\" would run into the "
		    "number, so the token could never be found", format);
		return false;
	}
	return true;
}

/* Splits prefix and suffix into brackets, core and tail. */
static void
format_split(struct subject_token *tok)
{
	static const char	 opens[] = "[({<", closes[] = "])}>";
	const char		*p, *o;
	size_t			 len;

	p = tok->prefix + skip_ws(tok->prefix, 0);
	if (*p != '\0' && (o = strchr(opens, *p)) != NULL) {
		tok->open = *p;
		p++;
		p += skip_ws(p, 0);
	}
	tok->core = xstrdup(p);
	len = strlen(tok->suffix);
	while (len > 0 && isspace((unsigned char)tok->suffix[len - 1]))
		len--;
	if (len > 0 && (o = strchr(closes, tok->suffix[len - 1])) != NULL &&
	    (tok->open == 0 || opens[o - closes] == tok->open)) {
		tok->close = tok->suffix[len - 1];
		len--;
	}
	tok->tail = xstrndup(tok->suffix, len);
}

/* Length of one whitespace character at s (ASCII blank or U+00A0), or 0. */
static size_t
ws_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		return 1;
	if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	return 0;
}

static size_t
skip_ws(const char *s, size_t pos)
{
	size_t	n;

	while ((n = ws_len(s + pos)) > 0)
		pos += n;
	return pos;
}

/* Letters, digits and any non-ASCII byte (Cyrillic letters and the like). */
static bool
is_word_byte(unsigned char c)
{
	return c >= 0x80 || isalnum(c) || c == '_';
}

static bool
prev_is_word(const char *s, size_t pos)
{
	if (pos == 0)
		return false;
	if (pos >= 2 && (unsigned char)s[pos - 2] == 0xc2 &&
	    (unsigned char)s[pos - 1] == 0xa0)
		return false;
	return is_word_byte((unsigned char)s[pos - 1]);
}

/*
 * Matches pattern (core or tail of the format) at s + pos: case folded
 * (see fold_char), whitespace runs flexible.  *end_out is the offset past it.
 */
static bool
match_text(const char *pattern, const char *s, size_t pos, size_t *end_out)
{
	unsigned char	a[2], b[2];
	size_t		ppos = 0, n, pn;

	while (pattern[ppos] != '\0') {
		if (ws_len(pattern + ppos) > 0) {
			ppos = skip_ws(pattern, ppos);
			pos = skip_ws(s, pos);
			continue;
		}
		if (s[pos] == '\0')
			return false;
		pn = fold_char(pattern + ppos, a);
		n = fold_char(s + pos, b);
		if (n != pn || a[0] != b[0] || (n == 2 && a[1] != b[1]))
			return false;
		ppos += pn;
		pos += n;
	}
	*end_out = pos;
	return true;
}

/* Decimal id at s + pos: > 0, no overflow, not followed by [A-Za-z0-9]. */
static bool
parse_id(const char *s, size_t pos, uint64_t *id_out, size_t *end_out)
{
	uint64_t	id = 0;
	unsigned	digit;
	size_t		start = pos;

	while (isdigit((unsigned char)s[pos])) {
		digit = (unsigned)(s[pos] - '0');
		if (id > (UINT64_MAX - digit) / 10)
			return false;
		id = id * 10 + digit;
		pos++;
	}
	if (pos == start || id == 0 || isalnum((unsigned char)s[pos]))
		return false;
	*id_out = id;
	*end_out = pos;
	return true;
}

/* Tries a token starting exactly at s + pos. */
static bool
match_at(const struct subject_token *tok, const char *s, size_t pos,
    struct token_match *m)
{
	bool	has_open = false, has_close = false;
	size_t	p = pos, after;
	int	wanted, present;

	if (tok->open != 0 && s[p] == tok->open) {
		has_open = true;
		p = skip_ws(s, p + 1);
	} else if (isalnum((unsigned char)tok->core[0]) && prev_is_word(s, p))
		return false;
	if (!match_text(tok->core, s, p, &p))
		return false;
	p = skip_ws(s, p);
	if (!parse_id(s, p, &m->id, &p))
		return false;
	if (tok->tail[0] != '\0' && !match_text(tok->tail, s, p, &p))
		return false;
	after = skip_ws(s, p);
	if (tok->close != 0 && s[after] == tok->close) {
		has_close = true;
		p = after + 1;
	}
	/* One bracket may be lost; neither, or any with no core, may not. */
	wanted = (tok->open != 0) + (tok->close != 0);
	present = has_open + has_close;
	if (wanted > 0 && present == 0)
		return false;
	if (tok->core[0] == '\0' && present < wanted)
		return false;
	m->start = pos;
	m->end = p;
	m->intact = present == wanted;
	return true;
}

static bool
find_first(const struct subject_token *tok, const char *subject,
    struct token_match *m)
{
	size_t	pos;

	for (pos = 0; subject[pos] != '\0'; pos++)
		if (match_at(tok, subject, pos, m))
			return true;
	return false;
}

/* Length of one reply prefix ("Re[2] :") at s, or 0 if there is none. */
static size_t
prefix_len(const char *s)
{
	size_t	word, counter, pos, colon;

	if ((word = prefix_word_len(s)) == 0)
		return 0;
	pos = skip_ws(s, word);
	counter = prefix_counter_len(s + pos);
	if (counter > 0)
		pos = skip_ws(s, pos + counter);
	if ((colon = prefix_colon_len(s + pos)) == 0)
		return 0;
	return pos + colon;
}

/*
 * Length of the table word at the start of s, compared with ASCII and
 * Cyrillic case folding, when it ends there (no letter follows).
 */
static size_t
prefix_word_len(const char *s)
{
	const char	*const *w;
	size_t		 len, n;

	for (w = reply_prefixes; *w != NULL; w++) {
		if ((len = subject_token_fold_prefix(s, *w)) == 0)
			continue;
		n = len;
		if (isalpha((unsigned char)s[n]) ||
		    ((unsigned char)s[n] >= 0x80 && ws_len(s + n) == 0 &&
		    prefix_colon_len(s + n) == 0))
			continue;
		return len;
	}
	return 0;
}

/* "[2]", "(3)" or "^4": length, or 0. */
static size_t
prefix_counter_len(const char *s)
{
	char	close;
	size_t	pos;

	if (s[0] == '[')
		close = ']';
	else if (s[0] == '(')
		close = ')';
	else if (s[0] == '^')
		close = 0;
	else
		return 0;
	pos = skip_ws(s, 1);
	if (!isdigit((unsigned char)s[pos]))
		return 0;
	while (isdigit((unsigned char)s[pos]))
		pos++;
	if (close == 0)
		return pos;
	pos = skip_ws(s, pos);
	return s[pos] == close ? pos + 1 : 0;
}

/* ':' or the full-width colon U+FF1A: length, or 0. */
static size_t
prefix_colon_len(const char *s)
{
	if (s[0] == ':')
		return 1;
	if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbc &&
	    (unsigned char)s[2] == 0x9a)
		return 3;
	return 0;
}

/*
 * Case folding for the scripts whose reply prefixes and automatic-mail
 * phrases we know: ASCII, Latin-1 capitals (U+00C0-U+00DE) and Cyrillic
 * (U+0400-U+042F).  Returns the length of the UTF-8 prefix of s that
 * equals lower_word, or 0.
 */
size_t
subject_token_fold_prefix(const char *s, const char *lower_word)
{
	unsigned char	a[2], b[2];
	size_t		pos = 0, wpos = 0, n, wn;

	while (lower_word[wpos] != '\0') {
		if (s[pos] == '\0')
			return 0;
		n = fold_char(s + pos, a);
		wn = fold_char(lower_word + wpos, b);
		if (n != wn || a[0] != b[0] || (n == 2 && a[1] != b[1]))
			return 0;
		pos += n;
		wpos += wn;
	}
	return pos;
}

/*
 * One character at s, folded into out (same length, 1 or 2 bytes);
 * anything we do not fold is passed through one byte at a time.
 */
static size_t
fold_char(const char *s, unsigned char *out)
{
	unsigned char	c0 = (unsigned char)s[0], c1;

	if (c0 < 0x80) {
		out[0] = (unsigned char)tolower(c0);
		return 1;
	}
	c1 = (unsigned char)s[1];
	out[0] = c0;
	out[1] = c1;
	if (c0 == 0xc3 && c1 >= 0x80 && c1 <= 0x9e && c1 != 0x97)
		out[1] = c1 + 0x20;
	else if (c0 == 0xd0 && c1 >= 0x90 && c1 <= 0x9f)
		out[1] = c1 + 0x20;
	else if (c0 == 0xd0 && c1 >= 0xa0 && c1 <= 0xaf) {
		out[0] = 0xd1;
		out[1] = c1 - 0x20;
	} else if (c0 == 0xd0 && c1 >= 0x80 && c1 <= 0x8f) {
		out[0] = 0xd1;
		out[1] = c1 + 0x10;
	} else if ((c0 == 0xc3 || c0 == 0xd0 || c0 == 0xd1) &&
	    (c1 & 0xc0) == 0x80)
		;	/* already lowercase two-byte letter */
	else
		return 1;
	return 2;
}

/* New string: len bytes at s without surrounding whitespace. */
static char *
trim_dup(const char *s, size_t len)
{
	size_t	start = skip_ws(s, 0);

	while (len > start) {
		if (len - start >= 2 && (unsigned char)s[len - 2] == 0xc2 &&
		    (unsigned char)s[len - 1] == 0xa0)
			len -= 2;
		else if (ws_len(s + len - 1) == 1)
			len--;
		else
			break;
	}
	if (len < start)
		len = start;
	return xstrndup(s + start, len - start);
}
