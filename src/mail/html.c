/*
 * html: readable text from an HTML mail body, for customers whose client
 * sends only text/html.  A tolerant one-pass scanner, no tree and no
 * library: mail HTML is too often broken for a strict parser to help, and
 * an agent needs the words and the links, not the layout.
 *
 * Whitespace collapses as in a browser, block elements end lines (at most
 * one blank line in a row), list items get "- ", a link whose text is not
 * its target keeps the target as "text <url>", script/style/title and the
 * head are dropped, comments too, and entities are decoded.  Unterminated
 * tags, comments or quotes simply end the input.  Not done: tables as
 * grids, CSS (display:none text is kept), <pre> widths.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "charset.h"
#include "html.h"
#include "xmalloc.h"

#define HTML_NAME_MAX	16
#define HTML_HREF_MAX	2048

struct html_ctx {
	const char	*p;		/* input cursor */
	const char	*end;
	struct buf	 out;
	unsigned	 newlines;	/* line breaks owed before the next text */
	bool		 space;		/* a blank owed before the next text */
	bool		 in_head;
	unsigned	 pre;		/* depth of <pre>: whitespace kept */
	char		*href;		/* target of the open <a>, or NULL */
	size_t		 href_start;	/* out.len when that <a> opened */
};

struct html_entity {
	const char	*name;
	uint32_t	 cp;
};

/* The entities real mail uses, Russian typography included. */
static const struct html_entity html_entities[] = {
	{ "nbsp", 0x20 }, { "amp", '&' }, { "lt", '<' }, { "gt", '>' },
	{ "quot", '"' }, { "apos", '\'' }, { "copy", 0xa9 }, { "reg", 0xae },
	{ "trade", 0x2122 }, { "laquo", 0xab }, { "raquo", 0xbb },
	{ "ndash", 0x2013 }, { "mdash", 0x2014 }, { "hellip", 0x2026 },
	{ "euro", 0x20ac }, { "bull", 0x2022 }, { "middot", 0xb7 },
	{ "deg", 0xb0 }, { "plusmn", 0xb1 }, { "times", 0xd7 },
	{ "divide", 0xf7 }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
	{ "sbquo", 0x201a }, { "ldquo", 0x201c }, { "rdquo", 0x201d },
	{ "bdquo", 0x201e }, { "lsaquo", 0x2039 }, { "rsaquo", 0x203a },
	{ "numero", 0x2116 }, { "sect", 0xa7 }, { "para", 0xb6 },
	{ "shy", 0xad }, { "ensp", 0x20 }, { "emsp", 0x20 },
	{ "thinsp", 0x20 }, { "zwnj", 0x200c }, { "zwj", 0x200d },
	{ "pound", 0xa3 }, { "yen", 0xa5 }, { "cent", 0xa2 },
	{ "rarr", 0x2192 }, { "larr", 0x2190 }, { "minus", 0x2212 },
	{ "prime", 0x2032 }, { "iexcl", 0xa1 }, { "iquest", 0xbf },
	{ "eacute", 0xe9 }, { "egrave", 0xe8 }, { "agrave", 0xe0 },
	{ "auml", 0xe4 }, { "ouml", 0xf6 }, { "uuml", 0xfc },
	{ "Auml", 0xc4 }, { "Ouml", 0xd6 }, { "Uuml", 0xdc },
	{ "szlig", 0xdf }, { "ccedil", 0xe7 }, { "ntilde", 0xf1 },
};

/* Browsers read &#128;-&#159; as windows-1252 (HTML5 "numeric reference"). */
static const uint16_t html_cp1252[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
};

static void	 html_markup(struct html_ctx *);
static void	 html_tag(struct html_ctx *);
static void	 html_tag_open(struct html_ctx *, const char *, const char *,
		    size_t);
static void	 html_tag_close(struct html_ctx *, const char *);
static const char *html_tag_end(const char *, const char *);
static void	 html_skip_raw(struct html_ctx *, const char *);
static bool	 html_attr(const char *, size_t, const char *, char *, size_t);
static void	 html_link_end(struct html_ctx *);
static void	 html_entity(struct html_ctx *);
static size_t	 html_entity_decode(const char *, const char *, uint32_t *);
static void	 html_text_char(struct html_ctx *, char);
static void	 html_emit(struct html_ctx *, const char *, size_t);
static void	 html_emit_cp(struct html_ctx *, uint32_t);
static void	 html_break(struct html_ctx *, unsigned);
static size_t	 html_utf8_encode(uint32_t, char *);
static bool	 html_name_in(const char *, const char *const *);
static char	*html_trim(struct buf *);

static const char *const html_para_tags[] = { "p", "h1", "h2", "h3", "h4",
	"h5", "h6", "blockquote", "table", "ul", "ol", "dl", "pre", NULL };
static const char *const html_line_tags[] = { "div", "tr", "li", "dt",
	"dd", "hr", "section", "article", "header", "footer", "form",
	"address", "center", "caption", "tbody", "thead", "tfoot", "nav",
	"figure", "figcaption", "main", "aside", "fieldset", NULL };
static const char *const html_raw_tags[] = { "script", "style", "title",
	"textarea", "noscript", "xml", "template", NULL };

char *
html_to_text(const char *html, size_t len)
{
	struct html_ctx	 c;
	char		*text, *out;

	memset(&c, 0, sizeof(c));
	c.p = html != NULL ? html : "";
	c.end = html != NULL ? html + len : c.p;
	buf_init(&c.out);
	while (c.p < c.end) {
		if (*c.p == '<')
			html_markup(&c);
		else if (*c.p == '&')
			html_entity(&c);
		else
			html_text_char(&c, *c.p++);
	}
	free(c.href);
	text = html_trim(&c.out);
	buf_release(&c.out);
	/* The contract says UTF-8 in; make sure of UTF-8 out regardless. */
	out = charset_to_utf8("utf-8", text, strlen(text), NULL);
	free(text);
	return out;
}

/* At '<': a comment, a declaration, a tag, or a literal '<'. */
static void
html_markup(struct html_ctx *c)
{
	const char	*q;
	size_t		 left = (size_t)(c->end - c->p);

	if (left >= 4 && memcmp(c->p, "<!--", 4) == 0) {
		q = memmem(c->p + 4, left - 4, "-->", 3);
		c->p = q != NULL ? q + 3 : c->end;
	} else if (left >= 2 && (c->p[1] == '!' || c->p[1] == '?')) {
		q = memchr(c->p, '>', left);
		c->p = q != NULL ? q + 1 : c->end;
	} else if (left >= 2 && (isalpha((unsigned char)c->p[1]) ||
	    (c->p[1] == '/' && left >= 3 &&
	    isalpha((unsigned char)c->p[2]))))
		html_tag(c);
	else
		html_text_char(c, *c->p++);
}

/* At "<name" or "</name": reads the tag and acts on it. */
static void
html_tag(struct html_ctx *c)
{
	char		 name[HTML_NAME_MAX];
	const char	*s, *attrs, *end;
	bool		 closing;
	size_t		 n;

	s = c->p + 1;
	closing = *s == '/';
	if (closing)
		s++;
	for (n = 0; s < c->end && (isalnum((unsigned char)*s) || *s == ':' ||
	    *s == '-'); s++)
		if (n + 1 < sizeof(name))
			name[n++] = (char)tolower((unsigned char)*s);
	name[n] = '\0';
	attrs = s;
	end = html_tag_end(s, c->end);
	c->p = end < c->end ? end + 1 : c->end;
	if (closing)
		html_tag_close(c, name);
	else
		html_tag_open(c, name, attrs, (size_t)(end - attrs));
}

/* The '>' that ends a tag, skipping quoted attribute values; or end. */
static const char *
html_tag_end(const char *s, const char *end)
{
	char	 quote = 0;

	for (; s < end; s++) {
		if (quote != 0) {
			if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'')
			quote = *s;
		else if (*s == '>')
			return s;
	}
	return end;
}

static void
html_tag_open(struct html_ctx *c, const char *name, const char *attrs,
    size_t alen)
{
	char	 href[HTML_HREF_MAX];

	if (html_name_in(name, html_raw_tags)) {
		if (alen == 0 || attrs[alen - 1] != '/')
			html_skip_raw(c, name);
	} else if (strcmp(name, "head") == 0)
		c->in_head = true;
	else if (strcmp(name, "body") == 0)
		c->in_head = false;
	else if (strcmp(name, "br") == 0)
		html_break(c, c->newlines + 1);
	else if (strcmp(name, "li") == 0) {
		html_break(c, 1);
		html_emit(c, "- ", 2);
	} else if (strcmp(name, "a") == 0) {
		free(c->href);
		c->href = NULL;
		if (html_attr(attrs, alen, "href", href, sizeof(href)))
			c->href = xstrdup(href);
		c->href_start = c->out.len;
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		c->space = true;
	if (strcmp(name, "pre") == 0)
		c->pre++;
	if (html_name_in(name, html_para_tags))
		html_break(c, 2);
	else if (html_name_in(name, html_line_tags) && strcmp(name, "li") != 0)
		html_break(c, 1);
}

static void
html_tag_close(struct html_ctx *c, const char *name)
{
	if (strcmp(name, "head") == 0)
		c->in_head = false;
	else if (strcmp(name, "a") == 0)
		html_link_end(c);
	else if (strcmp(name, "pre") == 0 && c->pre > 0)
		c->pre--;
	if (html_name_in(name, html_para_tags))
		html_break(c, 2);
	else if (html_name_in(name, html_line_tags))
		html_break(c, 1);
}

/*
 * Drops the content of a raw-text element up to its end tag.  A missing
 * end tag drops the rest, as a browser would, except for <title>, whose
 * misuse as an opening-only tag is common enough to cost the whole body.
 */
static void
html_skip_raw(struct html_ctx *c, const char *name)
{
	const char	*s;
	size_t		 n = strlen(name);

	for (s = c->p; s + n + 2 <= c->end; s++) {
		if (s[0] == '<' && s[1] == '/' &&
		    strncasecmp(s + 2, name, n) == 0) {
			s = html_tag_end(s + 2 + n, c->end);
			c->p = s < c->end ? s + 1 : c->end;
			return;
		}
	}
	if (strcmp(name, "title") != 0)
		c->p = c->end;
}

/*
 * Finds attribute want in the attrs of a tag and copies its value,
 * entity-decoded, to out.  False if absent or empty.
 */
static bool
html_attr(const char *attrs, size_t alen, const char *want, char *out,
    size_t size)
{
	const char	*s = attrs, *end = attrs + alen, *v, *vend;
	size_t		 wlen = strlen(want), n, k;
	uint32_t	 cp;
	char		 enc[4];

	for (; s + wlen < end; s++) {
		if (strncasecmp(s, want, wlen) != 0 || (s > attrs &&
		    !isspace((unsigned char)s[-1])))
			continue;
		for (v = s + wlen; v < end && isspace((unsigned char)*v); v++)
			;
		if (v >= end || *v != '=')
			continue;
		for (v++; v < end && isspace((unsigned char)*v); v++)
			;
		if (v < end && (*v == '"' || *v == '\'')) {
			vend = memchr(v + 1, *v, (size_t)(end - v - 1));
			v++;
			if (vend == NULL)
				vend = end;
		} else
			for (vend = v; vend < end && !isspace((unsigned char)
			    *vend) && *vend != '>'; vend++)
				;
		for (n = 0; v < vend && n + 5 < size; ) {
			if (*v == '&' && (k = html_entity_decode(v, vend,
			    &cp)) > 0) {
				v += k;
				k = html_utf8_encode(cp, enc);
				memcpy(out + n, enc, k);
				n += k;
			} else if (*v == '\n' || *v == '\r' || *v == '\t')
				v++;
			else
				out[n++] = *v++;
		}
		out[n] = '\0';
		return n > 0;
	}
	return false;
}

/*
 * At </a>: appends " <target>" unless the link text already says it
 * (bare URLs, "mailto:x" shown as "x") or the target is not worth showing.
 */
static void
html_link_end(struct html_ctx *c)
{
	const char	*href = c->href, *text;
	size_t		 tlen;

	if (href == NULL)
		return;
	text = c->out.data + (c->href_start <= c->out.len ? c->href_start :
	    c->out.len);
	while (*text == ' ' || *text == '\n')
		text++;
	tlen = strlen(text);
	if (strncasecmp(href, "mailto:", 7) == 0)
		href += 7;
	if (*href != '\0' && *href != '#' &&
	    strncasecmp(href, "javascript:", 11) != 0 &&
	    !(tlen == strlen(href) && strncmp(text, href, tlen) == 0) &&
	    strcmp(text, c->href) != 0) {
		html_emit(c, " <", 2);
		html_emit(c, href, strlen(href));
		html_emit(c, ">", 1);
	}
	free(c->href);
	c->href = NULL;
}

/* At '&': a known entity becomes its character, anything else stays. */
static void
html_entity(struct html_ctx *c)
{
	uint32_t	 cp;
	size_t		 n;

	n = html_entity_decode(c->p, c->end, &cp);
	if (n == 0) {
		html_text_char(c, *c->p++);
		return;
	}
	c->p += n;
	if (cp == 0x20)
		html_text_char(c, ' ');
	else if (cp != 0xad)
		html_emit_cp(c, cp);
}

/* Bytes used by the entity at s (0 if none); its code point in cp. */
static size_t
html_entity_decode(const char *s, const char *end, uint32_t *cp)
{
	const char	*q = s + 1;
	unsigned long	 v = 0;
	size_t		 i, n;
	int		 base = 10, digits = 0;

	if (q < end && *q == '#') {
		q++;
		if (q < end && (*q == 'x' || *q == 'X')) {
			base = 16;
			q++;
		}
		for (; q < end && isxdigit((unsigned char)*q) && (base == 16 ||
		    isdigit((unsigned char)*q)); q++, digits++)
			if (v < 0x110000)
				v = v * (unsigned long)base + (unsigned long)
				    (isdigit((unsigned char)*q) ? *q - '0' :
				    tolower((unsigned char)*q) - 'a' + 10);
		if (digits == 0)
			return 0;
		if (v >= 0x80 && v <= 0x9f)
			v = html_cp1252[v - 0x80];
		else if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			v = 0xfffd;
		*cp = (uint32_t)v;
		if (q < end && *q == ';')
			q++;
		return (size_t)(q - s);
	}
	for (i = 0; i < sizeof(html_entities) / sizeof(html_entities[0]); i++) {
		n = strlen(html_entities[i].name);
		if ((size_t)(end - q) >= n + 1 &&
		    memcmp(q, html_entities[i].name, n) == 0 && q[n] == ';') {
			*cp = html_entities[i].cp;
			return n + 2;
		}
	}
	return 0;
}

/* One byte of text: collapses whitespace outside <pre>. */
static void
html_text_char(struct html_ctx *c, char ch)
{
	if (c->in_head)
		return;
	if (c->pre > 0 && ch == '\n') {
		html_break(c, c->newlines + 1);
		return;
	}
	if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f') {
		if (c->pre > 0 && ch != '\r')
			html_emit(c, " ", 1);
		else
			c->space = true;
		return;
	}
	if (ch == '\0')
		return;
	html_emit(c, &ch, 1);
}

/* Writes text, first paying the line breaks or blank it is owed. */
static void
html_emit(struct html_ctx *c, const char *s, size_t n)
{
	if (c->in_head)
		return;
	if (c->out.len > 0 && c->newlines > 0) {
		buf_append(&c->out, "\n\n", c->newlines > 2 ? 2 : c->newlines);
	} else if (c->out.len > 0 && c->space &&
	    c->out.data[c->out.len - 1] != '\n')
		buf_append_char(&c->out, ' ');
	c->newlines = 0;
	c->space = false;
	buf_append(&c->out, s, n);
}

static void
html_emit_cp(struct html_ctx *c, uint32_t cp)
{
	char	 enc[4];

	html_emit(c, enc, html_utf8_encode(cp, enc));
}

/* Owes at least n line breaks (2 = one blank line, the most we allow). */
static void
html_break(struct html_ctx *c, unsigned n)
{
	if (n > 2)
		n = 2;
	if (c->newlines < n)
		c->newlines = n;
	c->space = false;
}

static size_t
html_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static bool
html_name_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/* A new copy of the output without leading/trailing blanks and lines. */
static char *
html_trim(struct buf *b)
{
	size_t	 start = 0, end = b->len;

	while (start < end && isspace((unsigned char)b->data[start]))
		start++;
	while (end > start && isspace((unsigned char)b->data[end - 1]))
		end--;
	return xstrndup(b->data + start, end - start);
}
