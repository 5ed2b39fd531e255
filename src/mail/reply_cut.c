/*
 * reply_cut: cut the quoted notification off an agent's reply, so the
 * customer receives only what the agent wrote (issue 4).  Text in, text
 * out; this file knows nothing of MIME (mime.c/html.c made the text) or of
 * tickets.
 *
 * The text is cut at the first line, from the top, that starts a quote:
 *   - our marker line, anywhere in the line, quoted or not (the strongest
 *     signal, because we wrote it);
 *   - a separator "-----Original Message-----" (also "----- Original
 *     Message -----", "-------- Исходное сообщение --------", German,
 *     Polish, French, Spanish forms), or a line of underscores (Outlook on
 *     the web) followed by a "From:" line;
 *   - an Outlook header block: a "From:" line (Von:, От:, Od:, De:, ...,
 *     also "*From:*" from HTML) followed within eight lines by a date line
 *     (Sent:, Date:, Gesendet:, Отправлено:, Wysłano:, ...) and a To: or
 *     Subject: line, or all three on one line (HTML flattened);
 *   - an attribution line holding a date, a time or an address (every
 *     client puts them in it, which keeps "On Monday, Bob wrote:" and "On
 *     3 occasions it wrote:" in prose safe):
 *     "On ... wrote:" (Thunderbird, Gmail, Apple Mail), "Am ... schrieb
 *     ...:", "W dniu ... pisze:", "... napisał(a):", "Wiadomość napisana
 *     przez ...", "... пишет:", "... писал(а):", "... написал(а):",
 *     "Le ... a écrit :", "El ... escribió:", and the bare
 *     "<date>, Name <addr>:" of Gmail in Russian, Yandex and Mail.ru.  An
 *     attribution may wrap onto a second or third line (Gmail wraps long
 *     ones at the address); a wrapped one must hold an '@' and its first
 *     line must not end a sentence.  A line must end with the phrase, so
 *     "as the manual wrote: nothing" in prose is never cut.
 * Above the cut, blank lines and separator lines (underscores, dashes) are
 * dropped, and so is one line ending with ':' that holds an '@' or a time
 * ("10:00") or ends like an attribution ("Support wrote:", the dateless
 * form Thunderbird can be set to): an attribution we could not recognise
 * on its own, sitting right above the quote.  Then a trailing
 * block of quoted lines ('>', after optional spaces) is dropped; quoted
 * lines between the agent's own lines (inline answers) stay.
 *
 * If nothing is left above the cut and the cut was an attribution or a
 * quoted line, the agent wrote below the quote: the unquoted lines after
 * it are cut again, so bottom-posting works.  The text below our marker,
 * a separator or a header block is never returned: it is the notification.
 *
 * Signatures (REPLY_CUT_SIGNATURE only).  The agent's signature is meant
 * for the customer, so it is kept by default.  With the flag, the last
 * "-- " (or "--") line and at most 15 lines after it are dropped, as are
 * mobile footers ("Sent from my iPhone", "Отправлено с iPhone", "Wysłane z
 * iPhone'a", "Von meinem iPhone gesendet", "Envoyé de mon iPhone") on the
 * last line; never when that would leave nothing.  The caller uses this
 * to tell "commands only" from a reply with text.
 */

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "reply_cut.h"
#include "subject_token.h"
#include "xmalloc.h"

/* Attributions and header lines longer than this are prose, not quotes. */
#define ATTRIBUTION_MAX		400
/* Lines after a "From:" in which the rest of an Outlook block must be. */
#define HEADER_BLOCK_LINES	8
/* The most lines a "-- " signature may have to be dropped. */
#define SIGNATURE_MAX_LINES	15
/* Bottom-posting recursion bound (each level shortens the text anyway). */
#define CUT_DEPTH_MAX		4

/* The text split into NUL-terminated lines, CRs dropped. */
struct lines {
	char	*buf;
	char	**v;
	size_t	 n;
};

/* Where the quote starts: line, what found it, how many lines it takes. */
struct cut {
	size_t			 line;
	size_t			 span;
	enum reply_cut_reason	 reason;
};

static void	 lines_split(struct lines *, const char *);
static void	 lines_free(struct lines *);
static char	*cut_lines(const struct lines *, const char *, int, int,
		    enum reply_cut_reason *);
static bool	 find_cut(const struct lines *, const char *, struct cut *);
static size_t	 walk_back(const struct lines *, size_t);
static size_t	 strip_quote_block(const struct lines *, size_t, bool *);
static char	*bottom_post(const struct lines *, const struct cut *,
		    const char *, int, int);
static size_t	 strip_signature(const struct lines *, size_t);
static char	*join(const struct lines *, size_t, size_t);
static bool	 is_marker(const char *, const char *);
static bool	 is_separator(const struct lines *, size_t);
static bool	 is_header_block(const struct lines *, size_t);
static size_t	 attribution_span(const struct lines *, size_t);
static bool	 is_attribution(const char *, const char *, bool);
static bool	 is_foreign_attribution(const char *);
static bool	 is_rule_line(const char *);
static bool	 is_mobile_footer(const char *);
static bool	 is_blank(const char *);
static bool	 is_quoted(const char *);
static const char *skip_blanks(const char *);
static size_t	 trimmed_len(const char *);
static bool	 starts_with_any(const char *, const char *const *);
static bool	 ends_with_any(const char *, size_t, const char *const *);
static bool	 contains_fold(const char *, const char *);
static bool	 has_date(const char *);
static bool	 has_time(const char *);
static bool	 match_loose(const char *, const char *);

/* Labels of an Outlook quote header block, lowercase. */
static const char *const from_labels[] = { "from:", "von:", "от:", "od:",
    "de:", "van:", "da:", "från:", "fra:", NULL };
static const char *const date_labels[] = { "sent:", "date:", "gesendet:",
    "datum:", "отправлено:", "дата:", "wysłano:", "wysłane:", "data:",
    "envoyé:", "enviado el:", "enviado:", "inviato:", NULL };
static const char *const to_labels[] = { "to:", "an:", "кому:", "do:",
    "à:", "para:", "a:", "subject:", "betreff:", "тема:", "temat:",
    "objet:", "asunto:", "oggetto:", NULL };
/* The same labels as they appear inside one flattened line. */
static const char *const inline_date_labels[] = { " sent:", " date:",
    " gesendet:", " отправлено:", " wysłano:", " envoyé:", NULL };
static const char *const inline_subject_labels[] = { " subject:",
    " betreff:", " тема:", " temat:", " objet:", NULL };

/* Phrases between the dashes of a separator line, lowercase. */
static const char *const separator_phrases[] = { "original message",
    "исходное сообщение", "ursprüngliche nachricht", "oryginalna wiadomość",
    "wiadomość oryginalna", "message d'origine", "mensaje original", NULL };

/* Attribution line ends that need no particular start (plus a digit). */
static const char *const attribution_ends[] = { "пишет:", "писал(а):",
    "написал(а):", "написал:", "написала:", "писал:", "писала:",
    "napisał(a):", "napisał:", "napisała:", "pisze:", "a écrit :",
    "a écrit:", "escribió:", NULL };
static const char *const wrote_end[] = { "wrote:", NULL };
static const char *const colon_end[] = { ":", NULL };
static const char *const address_ends[] = { ">:", "> :", NULL };

static const char *const mobile_footers[] = { "sent from my ",
    "отправлено с ", "отправлено из ", "wysłane z ", "von meinem ",
    "envoyé de mon ", "enviado desde mi ", NULL };

char *
reply_cut(const char *text, const char *marker, int flags,
    enum reply_cut_reason *why_out)
{
	struct lines		 l;
	enum reply_cut_reason	 why = REPLY_CUT_NONE;
	char			*out;

	lines_split(&l, text == NULL ? "" : text);
	out = cut_lines(&l, marker, flags, 0, &why);
	lines_free(&l);
	if (why_out != NULL)
		*why_out = why;
	return out;
}

const char *
reply_cut_reason_name(enum reply_cut_reason reason)
{
	switch (reason) {
	case REPLY_CUT_NONE:
		return "none";
	case REPLY_CUT_MARKER:
		return "marker";
	case REPLY_CUT_ATTRIBUTION:
		return "attribution";
	case REPLY_CUT_HEADERS:
		return "headers";
	case REPLY_CUT_SEPARATOR:
		return "separator";
	case REPLY_CUT_QUOTE:
		return "quote";
	}
	return "unknown";
}

static void
lines_split(struct lines *l, const char *text)
{
	char	*p, *nl;
	size_t	 len;

	l->buf = xstrdup(text);
	l->v = NULL;
	l->n = 0;
	for (p = l->buf; p != NULL; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if (nl == NULL && *p == '\0' && l->n > 0)
			break;		/* the text ended with a line break */
		len = strlen(p);
		if (len > 0 && p[len - 1] == '\r')
			p[len - 1] = '\0';
		l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = p;
	}
}

static void
lines_free(struct lines *l)
{
	free(l->v);
	free(l->buf);
}

/* The whole procedure of the file comment, on lines already split. */
static char *
cut_lines(const struct lines *l, const char *marker, int flags, int depth,
    enum reply_cut_reason *why)
{
	struct cut	 c = { 0 };
	size_t		 end = l->n, start;
	bool		 quoted = false;
	char		*below;

	if (find_cut(l, marker, &c)) {
		*why = c.reason;
		end = walk_back(l, c.line);
	}
	end = strip_quote_block(l, end, &quoted);
	if (quoted && *why == REPLY_CUT_NONE)
		*why = REPLY_CUT_QUOTE;
	for (start = 0; start < end && is_blank(l->v[start]); start++)
		;
	if (start == end && *why != REPLY_CUT_NONE &&
	    (below = bottom_post(l, *why == REPLY_CUT_QUOTE ? NULL : &c,
	    marker, flags, depth)) != NULL)
		return below;
	if (flags & REPLY_CUT_SIGNATURE)
		end = strip_signature(l, end);
	return join(l, start, end);
}

/* The first line where a quote starts (see the file comment). */
static bool
find_cut(const struct lines *l, const char *marker, struct cut *c)
{
	size_t	 i, span;

	for (i = 0; i < l->n; i++) {
		c->line = i;
		c->span = 1;
		if (is_marker(l->v[i], marker))
			c->reason = REPLY_CUT_MARKER;
		else if (is_separator(l, i))
			c->reason = REPLY_CUT_SEPARATOR;
		else if (is_header_block(l, i))
			c->reason = REPLY_CUT_HEADERS;
		else if ((span = attribution_span(l, i)) > 0) {
			c->reason = REPLY_CUT_ATTRIBUTION;
			c->span = span;
		} else
			continue;
		return true;
	}
	return false;
}

/*
 * Moves a cut at line end up over blank and rule lines, and over one
 * attribution in a language we do not know (it sits right above the
 * quote).
 */
static size_t
walk_back(const struct lines *l, size_t end)
{
	while (end > 0 && (is_blank(l->v[end - 1]) ||
	    is_rule_line(l->v[end - 1])))
		end--;
	if (end > 0 && is_foreign_attribution(l->v[end - 1])) {
		end--;
		while (end > 0 && (is_blank(l->v[end - 1]) ||
		    is_rule_line(l->v[end - 1])))
			end--;
	}
	return end;
}

/* end moved up over a trailing block of quoted (and blank) lines. */
static size_t
strip_quote_block(const struct lines *l, size_t end, bool *quoted)
{
	size_t	 last = end;

	*quoted = false;
	while (last > 0 && (is_blank(l->v[last - 1]) ||
	    is_quoted(l->v[last - 1]))) {
		if (is_quoted(l->v[last - 1]))
			*quoted = true;
		last--;
	}
	return *quoted ? walk_back(l, last) : end;
}

/*
 * Nothing above the quote: if the quote is an attribution or '>' lines,
 * the agent may have written below it.  Cuts the unquoted lines after the
 * quote header again; NULL if that is not the case or yields nothing.
 */
static char *
bottom_post(const struct lines *l, const struct cut *c, const char *marker,
    int flags, int depth)
{
	struct lines		 rest;
	enum reply_cut_reason	 why = REPLY_CUT_NONE;
	struct buf		 b;
	size_t			 i, from = 0;
	char			*out;

	if (depth >= CUT_DEPTH_MAX)
		return NULL;
	if (c != NULL) {
		if (c->reason != REPLY_CUT_ATTRIBUTION &&
		    !is_quoted(l->v[c->line]))
			return NULL;
		from = c->line + c->span;
	}
	buf_init(&b);
	for (i = from; i < l->n; i++) {
		if (is_quoted(l->v[i]))
			continue;
		buf_append_str(&b, l->v[i]);
		buf_append_char(&b, '\n');
	}
	lines_split(&rest, b.data);
	buf_release(&b);
	out = cut_lines(&rest, marker, flags, depth + 1, &why);
	lines_free(&rest);
	if (out[0] == '\0') {
		free(out);
		return NULL;
	}
	return out;
}

/* end moved up over a mobile footer and a "-- " signature, if safe. */
static size_t
strip_signature(const struct lines *l, size_t end)
{
	size_t	 i, content;

	while (end > 0 && is_blank(l->v[end - 1]))
		end--;
	if (end > 1 && is_mobile_footer(l->v[end - 1]))
		end--;
	for (i = end; i > 0; i--) {
		if (strcmp(l->v[i - 1], "-- ") != 0 &&
		    strcmp(l->v[i - 1], "--") != 0)
			continue;
		if (end - i > SIGNATURE_MAX_LINES)
			break;
		for (content = 0; content < i - 1; content++)
			if (!is_blank(l->v[content]))
				return i - 1;
		break;
	}
	return end;
}

/* Lines [start, end) without trailing blank lines, joined by "\n". */
static char *
join(const struct lines *l, size_t start, size_t end)
{
	struct buf	 b;
	size_t		 i;

	while (end > start && is_blank(l->v[end - 1]))
		end--;
	buf_init(&b);
	for (i = start; i < end; i++) {
		buf_append_str(&b, l->v[i]);
		if (i + 1 < end)
			buf_append_char(&b, '\n');
	}
	return buf_steal(&b, NULL);
}

static bool
is_marker(const char *line, const char *marker)
{
	const char	*p;

	if (marker == NULL || *skip_blanks(marker) == '\0')
		return false;
	marker = skip_blanks(marker);
	for (p = line; *p != '\0'; p++)
		if (match_loose(p, marker))
			return true;
	return false;
}

/*
 * Does needle occur at s, ASCII case ignored, where any run of blanks in
 * needle matches any run of blanks (ASCII or NBSP) in s?  HTML mail turns
 * spaces into NBSPs, and some clients double them.
 */
static bool
match_loose(const char *s, const char *needle)
{
	const char	*t;

	while (*needle != '\0') {
		if (*needle == ' ' || *needle == '\t') {
			needle = skip_blanks(needle);
			t = skip_blanks(s);
			if (*needle == '\0')
				return true;	/* trailing blanks in the marker */
			if (t == s)
				return false;
			s = t;
			continue;
		}
		if (*s == '\0' || ((*s >= 'A' && *s <= 'Z') ? *s + 32 : *s) !=
		    ((*needle >= 'A' && *needle <= 'Z') ? *needle + 32 :
		    *needle))
			return false;
		s++;
		needle++;
	}
	return true;
}

/* "-----Original Message-----" and kin; "_____" then a From: line. */
static bool
is_separator(const struct lines *l, size_t i)
{
	const char	*s = skip_blanks(l->v[i]), *p;
	size_t		 len = trimmed_len(s), k, plen;

	if (len >= 10 && strspn(s, "_") >= 10 && strspn(s, "_") == len) {
		for (k = i + 1; k < l->n && is_blank(l->v[k]); k++)
			;
		return k < l->n && starts_with_any(skip_blanks(l->v[k]),
		    from_labels);
	}
	if (strspn(s, "-") < 2 || len < 4 || s[len - 1] != '-' ||
	    s[len - 2] != '-')
		return false;
	p = skip_blanks(s + strspn(s, "-"));
	for (k = 0; separator_phrases[k] != NULL; k++) {
		plen = subject_token_fold_prefix(p, separator_phrases[k]);
		if (plen > 0 && strspn(skip_blanks(p + plen), "-") ==
		    trimmed_len(skip_blanks(p + plen)))
			return true;
	}
	return false;
}

/* An Outlook "From: / Sent: / To: / Subject:" block starting at line i. */
static bool
is_header_block(const struct lines *l, size_t i)
{
	const char	*s = l->v[i];
	bool		 date = false, to = false;
	size_t		 k;

	s = skip_blanks(s);
	s += strspn(s, "*");
	if (!starts_with_any(s, from_labels) || strlen(s) > ATTRIBUTION_MAX)
		return false;
	for (k = 0; inline_date_labels[k] != NULL; k++)
		date = date || contains_fold(s, inline_date_labels[k]);
	for (k = 0; inline_subject_labels[k] != NULL; k++)
		to = to || contains_fold(s, inline_subject_labels[k]);
	for (k = i + 1; k < l->n && k <= i + HEADER_BLOCK_LINES; k++) {
		s = skip_blanks(l->v[k]);
		s += strspn(s, "*");
		date = date || starts_with_any(s, date_labels);
		to = to || starts_with_any(s, to_labels);
	}
	return date && to;
}

/* Lines (1 to 3) of an attribution starting at line i, or 0. */
static size_t
attribution_span(const struct lines *l, size_t i)
{
	const char	*first = skip_blanks(l->v[i]), *next;
	struct buf	 b;
	size_t		 len, span, found = 0;

	if (*first == '\0' || is_quoted(first) ||
	    strlen(first) > ATTRIBUTION_MAX)
		return 0;
	if (is_attribution(first, first, false))
		return 1;
	len = trimmed_len(first);
	if (strchr(".!?", first[len - 1]) != NULL)
		return 0;	/* a sentence ended: prose, not a header */
	buf_init(&b);
	buf_append(&b, first, len);
	for (span = 2; span <= 3 && i + span - 1 < l->n; span++) {
		next = skip_blanks(l->v[i + span - 1]);
		if (*next == '\0' || is_quoted(next) ||
		    b.len + strlen(next) > ATTRIBUTION_MAX)
			break;
		buf_append_char(&b, ' ');
		buf_append(&b, next, trimmed_len(next));
		if (is_attribution(b.data, first, true)) {
			found = span;
			break;
		}
	}
	buf_release(&b);
	return found;
}

/*
 * Is s (one line, or wrapped lines joined by a space) an attribution?
 * first is its first line (for phrases that must start it); a joined one
 * must hold an address.
 */
static bool
is_attribution(const char *s, const char *first, bool joined)
{
	static const char *const on[] = { "on ", NULL };
	static const char *const am[] = { "am ", NULL };
	static const char *const w_dniu[] = { "w dniu ", NULL };
	static const char *const apple_pl[] = { "wiadomość napisana przez ",
	    NULL };
	size_t	 len = trimmed_len(s);

	if (len > ATTRIBUTION_MAX || !has_date(s) ||
	    (joined && strchr(s, '@') == NULL))
		return false;
	if (starts_with_any(first, apple_pl))
		return true;
	if (starts_with_any(first, on) && ends_with_any(s, len, wrote_end))
		return true;
	if (starts_with_any(first, am) && contains_fold(s, " schrieb") &&
	    ends_with_any(s, len, colon_end))
		return true;
	if (starts_with_any(first, w_dniu) && ends_with_any(s, len, colon_end))
		return true;
	if (ends_with_any(s, len, attribution_ends))
		return true;
	return strchr(s, '@') != NULL && ends_with_any(s, len, address_ends);
}

/*
 * "Il giorno 1 gen 2026 alle ore 10:00 Support <s@x> ha scritto:" in any
 * tongue, or a dateless "Support wrote:": only ever looked at right above
 * a quote we cut.
 */
static bool
is_foreign_attribution(const char *s)
{
	size_t	 len = trimmed_len(s);

	if (len == 0 || len > ATTRIBUTION_MAX || s[len - 1] != ':' ||
	    is_quoted(s))
		return false;
	return strchr(s, '@') != NULL || has_time(s) ||
	    ends_with_any(s, len, wrote_end) ||
	    ends_with_any(s, len, attribution_ends);
}

/* A line of only '_', '-' or '=' (five or more): a rule before a quote. */
static bool
is_rule_line(const char *s)
{
	size_t	 len;

	s = skip_blanks(s);
	len = trimmed_len(s);
	return len >= 5 && (strspn(s, "_") == len || strspn(s, "-") == len ||
	    strspn(s, "=") == len);
}

static bool
is_mobile_footer(const char *s)
{
	s = skip_blanks(s);
	return trimmed_len(s) <= 80 && starts_with_any(s, mobile_footers);
}

static bool
is_blank(const char *s)
{
	return *skip_blanks(s) == '\0';
}

static bool
is_quoted(const char *s)
{
	while (*s == ' ')
		s++;
	return *s == '>';
}

/* Past ASCII blanks and NBSPs. */
static const char *
skip_blanks(const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t')
			s++;
		else if ((unsigned char)s[0] == 0xc2 &&
		    (unsigned char)s[1] == 0xa0)
			s += 2;
		else
			return s;
	}
}

/* Length of s without trailing blanks (ASCII and NBSP). */
static size_t
trimmed_len(const char *s)
{
	size_t	 len = strlen(s);

	for (;;) {
		if (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		else if (len > 1 && (unsigned char)s[len - 2] == 0xc2 &&
		    (unsigned char)s[len - 1] == 0xa0)
			len -= 2;
		else
			return len;
	}
}

/* Case folding as subject_token does: ASCII, Latin-1, Cyrillic. */
static bool
starts_with_any(const char *s, const char *const *phrases)
{
	size_t	 i;

	for (i = 0; phrases[i] != NULL; i++)
		if (subject_token_fold_prefix(s, phrases[i]) > 0)
			return true;
	return false;
}

/* Does s[0..len) end with one of phrases (same folding)? */
static bool
ends_with_any(const char *s, size_t len, const char *const *phrases)
{
	size_t	 i, plen;

	/* Folding keeps byte lengths, so a match spans exactly plen bytes. */
	for (i = 0; phrases[i] != NULL; i++) {
		plen = strlen(phrases[i]);
		if (plen <= len && subject_token_fold_prefix(s + len - plen,
		    phrases[i]) == plen)
			return true;
	}
	return false;
}

static bool
contains_fold(const char *s, const char *phrase)
{
	for (; *s != '\0'; s++)
		if (subject_token_fold_prefix(s, phrase) > 0)
			return true;
	return false;
}

/*
 * Does s hold a date, a time or an address, as every client's attribution
 * does?  "10:00", "1/1/26", "01.01.2026", "2026", "a@b"; not "3 times".
 */
static bool
has_date(const char *s)
{
	const char	*p;

	if (strchr(s, '@') != NULL || has_time(s))
		return true;
	for (p = s; *p != '\0'; p++) {
		if (!isdigit((unsigned char)p[0]))
			continue;
		if ((p[1] == '/' || p[1] == '.' || p[1] == '-') &&
		    isdigit((unsigned char)p[2]))
			return true;
		if (strspn(p, "0123456789") == 4)
			return true;
		p += strspn(p, "0123456789") - 1;
	}
	return false;
}

/* "10:00", "9:05": the time in an attribution. */
static bool
has_time(const char *s)
{
	for (; *s != '\0'; s++)
		if (s[0] >= '0' && s[0] <= '9' && s[1] == ':' &&
		    s[2] >= '0' && s[2] <= '5' && s[3] >= '0' && s[3] <= '9')
			return true;
	return false;
}
