/*
 * html: readable text from an HTML mail body, for customers whose client
 * sends only text/html.  The parsing is libxml2's HTML parser (the one
 * every Debian mail tool already links), driven through SAX events: no
 * tree is built, so a 24 MiB body costs the parser's window of input and
 * the text, not a DOM several times its size.  libxml2 decodes every
 * HTML 4 named entity and every numeric reference, and repairs broken
 * markup the way it repairs it for xmllint --html.
 *
 * The rendering, as a mail reader wants it: whitespace collapses as in a
 * browser, paragraphs and headings are separated by a blank line, other
 * blocks end a line, list items get "- " (numbered "1. " in <ol>), table
 * rows are lines with their cells joined by " | ", block quotes are
 * quoted with '>' (three levels shown at most: deeper history is noise,
 * and the prefix must not outgrow the markup that asks for it), a link
 * whose text is not its target reads "text <url>", an image with an alt
 * text reads "[image: alt]" (one without is a spacer or a tracking pixel
 * and reads as nothing), script, style and title are dropped.
 * Numeric references to 128-159 and C1 controls in the text read as
 * windows-1252, as browsers read them (HTML5 "numeric character
 * reference"); non-breaking spaces collapse like spaces (reply_cut and
 * the rules match on plain blanks).  libxml2 knows HTML 4's entity names;
 * the rest of HTML5's (&check;, &lbrack;, &NotEqual; ... and the legacy
 * names written without ';', "&copy 2026") are rewritten into numeric
 * references on the way in (html_feed, html_entities.c), as a browser
 * decodes them.
 *
 * Not done, on purpose: CSS.  Text a style hides (display:none, the
 * hidden attribute: preheaders, or words hidden to slip past filters) is
 * shown: an agent should see everything the customer's message holds,
 * and honouring CSS would let a sender hide text from the agent that a
 * rule or search still matches.  <pre> widths are not kept either.
 *
 * Memory: the body is converted to UTF-8 and fed to libxml2's push parser
 * a slice at a time (cut after a byte below 0x40, which no multibyte mail
 * charset uses inside a character), and parsing stops as soon as the text
 * outgrows max: a huge body costs its input, a slice and max bytes.  The
 * few charsets whose markup bytes can be part of a character (UTF-16,
 * UTF-7, ISO-2022-JP; charset_conv_open says) are converted whole first.
 * The document's own <meta charset> is ignored: mime.c already chose the
 * charset from the MIME label or the bytes, and a meta tag lies as often.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "buf.h"
#include "charset.h"
#include "html.h"
#include "html_entities.h"
#include "log.h"
#include "xmalloc.h"

#define HTML_SLICE	65536	/* input bytes converted and parsed at once */
#define HTML_HREF_MAX	2048	/* longer link targets are cut */
#define HTML_QUOTE_MAX	3	/* '>' shown for deeper quotes */
#define HTML_LIST_MAX	16	/* nesting of lists whose kind is known */
#define HTML_ITEM_MAX	99999	/* beyond, items of <ol> read "- " */

struct html_ctx {
	htmlParserCtxtPtr px;
	struct buf	 out;
	size_t		 max;
	bool		 stopped;	/* the text outgrew max */
	unsigned	 newlines;	/* line breaks owed before the next text */
	bool		 space;		/* a blank owed before the next text */
	bool		 cell;		/* a cell separator owed */
	bool		 bol;		/* out ends a line (or its '>' prefix) */
	unsigned	 skip;		/* depth in dropped elements */
	bool		 title;		/* in <title> (its text is dropped) */
	unsigned	 pre;		/* depth of <pre>: whitespace kept */
	unsigned	 quote;		/* depth of <blockquote> */
	unsigned	 line_quote;	/* the depth the last line was quoted at */
	unsigned	 lists;		/* depth of <ul>/<ol> */
	bool		 ordered[HTML_LIST_MAX];
	unsigned	 items[HTML_LIST_MAX];
	char		*href;		/* target of the open <a>, or NULL */
	size_t		 href_start;	/* out.len when that <a> opened */
	/* html_feed: a reference cut by the slice, the joined input, output */
	struct buf	 carry, join, ents;
};

/* Browsers read 0x80-0x9f as windows-1252 (HTML5 "numeric reference"). */
static const uint16_t html_cp1252[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
};

static const char *const html_para_tags[] = { "p", "h1", "h2", "h3", "h4",
	"h5", "h6", "blockquote", "table", "ul", "ol", "dl", "pre", NULL };
static const char *const html_line_tags[] = { "div", "tr", "li", "dt",
	"dd", "hr", "section", "article", "header", "footer", "form",
	"address", "center", "caption", "tbody", "thead", "tfoot", "nav",
	"figure", "figcaption", "main", "aside", "fieldset", NULL };
/* Elements whose content is not text for a reader. */
static const char *const html_skip_tags[] = { "script", "style",
	"template", "xml", "object", "select", NULL };

static pthread_once_t html_once = PTHREAD_ONCE_INIT;

static void	 html_init(void);
static char	*html_run(struct charset_conv *, const char *, size_t, size_t,
		    bool *);
static void	 html_feed(struct html_ctx *, const char *, size_t, bool);
static size_t	 html_entity(const char *, const char *, struct buf *);
static void	 html_parse(struct html_ctx *, const char *, size_t, bool);
static void	 html_start(void *, const xmlChar *, const xmlChar **);
static void	 html_end(void *, const xmlChar *);
static void	 html_chars(void *, const xmlChar *, int);
static void	 html_ignore(void *, const xmlChar *, int);
static void	 html_quiet(void *, const char *, ...);
static void	 html_quiet_s(void *, xmlErrorPtr);
static const char *html_attr(const xmlChar **, const char *);
static void	 html_item(struct html_ctx *);
static void	 html_image(struct html_ctx *, const char *);
static void	 html_link_end(struct html_ctx *);
static void	 html_emit(struct html_ctx *, const char *, size_t);
static void	 html_prefix(struct html_ctx *, unsigned, bool);
static void	 html_break(struct html_ctx *, unsigned);
static size_t	 html_utf8_encode(uint32_t, char *);
static bool	 html_name_in(const char *, const char *const *);
static char	*html_trim(struct buf *);

char *
html_to_text(const char *html, size_t len)
{
	return html_to_text_cs("utf-8", html, len, SIZE_MAX, NULL);
}

char *
html_to_text_max(const char *html, size_t len, size_t max, bool *cut)
{
	return html_to_text_cs("utf-8", html, len, max, cut);
}

char *
html_to_text_cs(const char *charset, const char *html, size_t len,
    size_t max, bool *cut)
{
	struct charset_conv	*conv;
	char			*text, *out;
	size_t			 n;

	if (html == NULL)
		len = 0;
	if ((conv = charset_conv_open(charset, html, len)) == NULL) {
		text = charset_to_utf8(charset, html, len, &n);
		out = html_run(NULL, text, n, max, cut);
		free(text);
		return out;
	}
	out = html_run(conv, html != NULL ? html : "", len, max, cut);
	charset_conv_close(conv);
	return out;
}

/*
 * libxml2 sets up its tables on first use, and two parse workers must not
 * race to do it (libxml2 2.9 asks for xmlInitParser before threads).
 */
static void
html_init(void)
{
	xmlInitParser();
}

/*
 * The parse: html (in conv's charset, or valid UTF-8 if conv is NULL)
 * fed a slice at a time, until the end or until the text outgrows max.
 */
static char *
html_run(struct charset_conv *conv, const char *html, size_t len,
    size_t max, bool *cut)
{
	htmlSAXHandler	 sax;
	struct html_ctx	 c;
	struct buf	 u;
	const char	*p = html, *end = html + len, *q;
	char		*text, *out;
	size_t		 n;

	(void)pthread_once(&html_once, html_init);
	memset(&sax, 0, sizeof(sax));
	sax.startElement = html_start;
	sax.endElement = html_end;
	sax.characters = html_chars;
	sax.ignorableWhitespace = html_chars;
	sax.cdataBlock = html_ignore;	/* the content of script and style */
	sax.warning = html_quiet;
	sax.error = html_quiet;
	sax.fatalError = html_quiet;
	sax.serror = html_quiet_s;
	sax.initialized = XML_SAX2_MAGIC;	/* so serror is used */

	memset(&c, 0, sizeof(c));
	c.max = max;
	c.bol = true;
	buf_init(&c.out);
	buf_init(&c.carry);
	buf_init(&c.join);
	buf_init(&c.ents);
	c.px = htmlCreatePushParserCtxt(&sax, &c, NULL, 0, NULL,
	    XML_CHAR_ENCODING_UTF8);
	if (c.px == NULL)
		fatalx("html: out of memory creating a parser");
	(void)htmlCtxtUseOptions(c.px, HTML_PARSE_RECOVER |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
	    HTML_PARSE_IGNORE_ENC);
	/*
	 * libxml2 2.9 drops the whole of a document that begins with an end
	 * tag ("</div>x" gives nothing); after a <body> it ignores the stray
	 * tag as browsers do, and a later <html>, <head> or <body> of the
	 * document's own is merged into this one.
	 */
	html_feed(&c, "<body>", 6, false);
	buf_init(&u);
	while (p < end && !c.stopped) {
		n = (size_t)(end - p) < HTML_SLICE ? (size_t)(end - p) :
		    HTML_SLICE;
		if (p + n < end) {
			for (q = p + n; q > p && (unsigned char)q[-1] >= 0x40;
			    q--)
				;
			if (q > p)
				n = (size_t)(q - p);
		}
		if (conv != NULL) {
			buf_reset(&u);
			charset_conv_append(conv, p, n, &u);
			html_feed(&c, u.data, u.len, false);
		} else
			html_feed(&c, p, n, false);
		p += n;
	}
	if (!c.stopped)
		html_feed(&c, NULL, 0, true);
	buf_release(&u);
	buf_release(&c.carry);
	buf_release(&c.join);
	buf_release(&c.ents);
	htmlFreeParserCtxt(c.px);
	free(c.href);

	if (cut != NULL)
		*cut = c.out.len > max;
	if (c.out.len > max) {
		c.out.len = charset_utf8_cut(c.out.data, c.out.len, max);
		c.out.data[c.out.len] = '\0';
	}
	text = html_trim(&c.out);
	buf_release(&c.out);
	/* Ours to promise: valid UTF-8 out whatever the parser passed on. */
	out = charset_to_utf8("utf-8", text, strlen(text), NULL);
	free(text);
	return out;
}

/*
 * One piece of UTF-8 to the parser, with the HTML5 references libxml2
 * does not know made numeric.  A reference the slice cuts ("&chec" at
 * its end) waits in carry for the next piece.
 */
static void
html_feed(struct html_ctx *c, const char *s, size_t n, bool last)
{
	const char	*p, *end, *amp, *q;
	size_t		 used;

	if (c->carry.len > 0) {
		buf_reset(&c->join);
		buf_append(&c->join, c->carry.data, c->carry.len);
		if (n > 0)
			buf_append(&c->join, s, n);
		buf_reset(&c->carry);
		s = c->join.data;
		n = c->join.len;
	}
	if (n == 0 || memchr(s, '&', n) == NULL) {
		html_parse(c, s, n, last);
		return;
	}
	buf_reset(&c->ents);
	for (p = s, end = s + n; (amp = memchr(p, '&', (size_t)(end - p))) !=
	    NULL; p = q) {
		buf_append(&c->ents, p, (size_t)(amp - p));
		for (q = amp + 1; q < end && q - amp <= HTML_ENTITY_NAME_MAX &&
		    isalnum((unsigned char)*q); q++)
			;
		if (q == end && !last && q - amp <= HTML_ENTITY_NAME_MAX) {
			buf_append(&c->carry, amp, (size_t)(end - amp));
			p = end;
			break;
		}
		used = html_entity(amp, end, &c->ents);
		q = amp + (used > 0 ? used : 1);
		if (used == 0)
			buf_append_char(&c->ents, '&');
	}
	buf_append(&c->ents, p, (size_t)(end - p));
	html_parse(c, c->ents.data, c->ents.len, last);
}

/*
 * The reference at amp ("&name;" or a legacy "&name") if libxml2 would
 * leave it raw and HTML5 knows it: its code points go to out as numeric
 * references and the bytes it took are returned; 0 leaves it alone.
 * Without ';' only the legacy names count, and not before '=' (a URL's
 * "&copy=2" stays, as browsers keep it in attributes).
 */
static size_t
html_entity(const char *amp, const char *end, struct buf *out)
{
	char		 name[HTML_ENTITY_NAME_MAX + 1];
	const char	*q;
	uint32_t	 cp[2];
	size_t		 len;
	bool		 semi;
	int		 k, i;

	for (q = amp + 1; q < end && isalnum((unsigned char)*q); q++)
		;
	len = (size_t)(q - amp - 1);
	if (len == 0 || len > HTML_ENTITY_NAME_MAX ||
	    !isalpha((unsigned char)amp[1]))
		return 0;
	semi = q < end && *q == ';';
	if (!semi && q < end && *q == '=')
		return 0;
	memcpy(name, amp + 1, len);
	name[len] = '\0';
	if (semi && htmlEntityLookup((const xmlChar *)name) != NULL)
		return 0;
	if ((k = html_entity_find(name, len, semi, cp)) == 0)
		return 0;
	for (i = 0; i < k; i++)
		buf_printf(out, "&#x%x;", (unsigned)cp[i]);
	return 1 + len + semi;
}

/*
 * UTF-8 to the parser.  NUL bytes are dropped here (the conversion drops
 * them too, but UTF-8 input may come unconverted): libxml2 would end the
 * text at the first.
 */
static void
html_parse(struct html_ctx *c, const char *s, size_t n, bool last)
{
	const char	*z;
	size_t		 k;

	while (n > 0 && !c->stopped) {
		z = memchr(s, '\0', n);
		k = z != NULL ? (size_t)(z - s) : n;
		if (k > 0)
			(void)htmlParseChunk(c->px, s, (int)k, 0);
		s += k + (z != NULL);
		n -= k + (z != NULL);
	}
	if (last && !c->stopped)
		(void)htmlParseChunk(c->px, NULL, 0, 1);
}

static void
html_start(void *v, const xmlChar *xname, const xmlChar **attrs)
{
	struct html_ctx	*c = v;
	const char	*name = (const char *)xname, *a;
	size_t		 n;

	if (html_name_in(name, html_skip_tags)) {
		c->skip++;
		return;
	}
	/*
	 * A <title> that holds an element was never closed (a common
	 * misuse): what follows is the body, not a title to drop.
	 */
	c->title = strcmp(name, "title") == 0;
	if (c->skip > 0 || c->title)
		return;
	if (html_name_in(name, html_para_tags))
		html_break(c, 2);
	else if (html_name_in(name, html_line_tags))
		html_break(c, 1);
	if (strcmp(name, "br") == 0)
		html_break(c, c->newlines + 1);
	else if (strcmp(name, "li") == 0)
		html_item(c);
	else if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
		if (c->lists < HTML_LIST_MAX) {
			c->ordered[c->lists] = name[0] == 'o';
			c->items[c->lists] = 0;
		}
		c->lists++;
	} else if (strcmp(name, "blockquote") == 0)
		c->quote++;
	else if (strcmp(name, "pre") == 0)
		c->pre++;
	else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		c->cell = c->newlines == 0 && !c->bol;
	else if (strcmp(name, "img") == 0)
		html_image(c, html_attr(attrs, "alt"));
	else if (strcmp(name, "a") == 0) {
		free(c->href);
		c->href = NULL;
		if ((a = html_attr(attrs, "href")) != NULL && *a != '\0') {
			n = strcspn(a, "\r\n\t");
			c->href = xstrndup(a, n < HTML_HREF_MAX ? n :
			    HTML_HREF_MAX);
		}
		c->href_start = c->out.len;
	}
}

static void
html_end(void *v, const xmlChar *xname)
{
	struct html_ctx	*c = v;
	const char	*name = (const char *)xname;

	if (html_name_in(name, html_skip_tags)) {
		if (c->skip > 0)
			c->skip--;
		return;
	}
	c->title = false;
	if (c->skip > 0)
		return;
	if (strcmp(name, "a") == 0)
		html_link_end(c);
	else if (strcmp(name, "pre") == 0 && c->pre > 0)
		c->pre--;
	else if (strcmp(name, "blockquote") == 0 && c->quote > 0)
		c->quote--;
	else if ((strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) &&
	    c->lists > 0)
		c->lists--;
	if (html_name_in(name, html_para_tags))
		html_break(c, 2);
	else if (html_name_in(name, html_line_tags))
		html_break(c, 1);
}

/* Text, entities decoded: whitespace collapses outside <pre>. */
static void
html_chars(void *v, const xmlChar *xs, int len)
{
	struct html_ctx	*c = v;
	const char	*s = (const char *)xs, *end = s + len, *run;
	char		 enc[4];
	unsigned char	 ch;

	if (c->skip > 0 || c->title || c->stopped)
		return;
	while (s < end) {
		for (run = s; s < end; s++) {
			ch = (unsigned char)*s;
			if (ch == ' ' || ch == '\t' || ch == '\n' ||
			    ch == '\r' || ch == '\f' || (ch == 0xc2 &&
			    s + 1 < end && (unsigned char)s[1] >= 0x80 &&
			    ((unsigned char)s[1] <= 0xa0 ||
			    (unsigned char)s[1] == 0xad)))
				break;
		}
		if (s > run)
			html_emit(c, run, (size_t)(s - run));
		if (s >= end)
			break;
		ch = (unsigned char)*s++;
		if (ch == 0xc2) {
			ch = (unsigned char)*s++;
			if (ch == 0xa0)		/* NBSP */
				c->space = true;
			else if (ch != 0xad &&	/* soft hyphen: dropped */
			    html_cp1252[ch - 0x80] != 0xfffd)
				html_emit(c, enc, html_utf8_encode(
				    html_cp1252[ch - 0x80], enc));
		} else if (c->pre > 0 && ch == '\n')
			html_break(c, c->newlines + 1);
		else if (c->pre > 0 && ch != '\r')
			html_emit(c, " ", 1);
		else
			c->space = true;
	}
}

static void
html_ignore(void *v, const xmlChar *s, int len)
{
	(void)v;
	(void)s;
	(void)len;
}

/* Broken markup is the rule in mail, not news: the parser stays quiet. */
static void
html_quiet(void *v, const char *fmt, ...)
{
	(void)v;
	(void)fmt;
}

static void
html_quiet_s(void *v, xmlErrorPtr e)
{
	(void)v;
	(void)e;
}

static const char *
html_attr(const xmlChar **attrs, const char *want)
{
	size_t	 i;

	if (attrs == NULL)
		return NULL;
	for (i = 0; attrs[i] != NULL; i += 2)
		if (strcasecmp((const char *)attrs[i], want) == 0)
			return attrs[i + 1] != NULL ?
			    (const char *)attrs[i + 1] : "";
	return NULL;
}

/* At <li>: "- ", or "N. " in an ordered list. */
static void
html_item(struct html_ctx *c)
{
	char		 num[16];
	unsigned	 i = c->lists > 0 ? c->lists - 1 : 0;

	html_break(c, 1);
	if (c->lists > 0 && i < HTML_LIST_MAX && c->ordered[i] &&
	    c->items[i] < HTML_ITEM_MAX) {
		(void)snprintf(num, sizeof(num), "%u. ", ++c->items[i]);
		html_emit(c, num, strlen(num));
	} else
		html_emit(c, "- ", 2);
}

static void
html_image(struct html_ctx *c, const char *alt)
{
	struct buf	 b;
	size_t		 n;

	if (alt == NULL)
		return;
	while (isspace((unsigned char)*alt))
		alt++;
	for (n = strlen(alt); n > 0 && isspace((unsigned char)alt[n - 1]); n--)
		;
	if (n == 0)
		return;
	buf_init(&b);
	buf_append_str(&b, "[image: ");
	buf_append(&b, alt, n);
	buf_append_str(&b, "]");
	html_chars(c, (const xmlChar *)b.data, (int)b.len);
	buf_release(&b);
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

	if (href == NULL || c->stopped)
		goto done;
	text = c->out.data != NULL && c->href_start <= c->out.len ?
	    c->out.data + c->href_start : "";
	while (*text == ' ' || *text == '\n')
		text++;
	tlen = strlen(text);
	if (strncasecmp(href, "mailto:", 7) == 0)
		href += 7;
	if (*href != '\0' && *href != '#' &&
	    strncasecmp(href, "javascript:", 11) != 0 &&
	    strncasecmp(href, "cid:", 4) != 0 &&
	    !(tlen == strlen(href) && strncmp(text, href, tlen) == 0) &&
	    strcmp(text, c->href) != 0) {
		c->space = false;
		html_emit(c, " <", 2);
		html_emit(c, href, strlen(href));
		html_emit(c, ">", 1);
	}
done:
	free(c->href);
	c->href = NULL;
}

/*
 * Appends UTF-8 text, first paying the line breaks (each line quoted at
 * the depth of its block quote), the cell separator or the blank it is
 * owed.  Stops the parser once the text outgrows max.
 */
static void
html_emit(struct html_ctx *c, const char *s, size_t n)
{
	unsigned	 blank;

	if (c->stopped || c->skip > 0)
		return;
	if (c->out.len > 0 && c->newlines > 0) {
		buf_append_char(&c->out, '\n');
		if (c->newlines > 1) {
			blank = c->quote < c->line_quote ? c->quote :
			    c->line_quote;
			html_prefix(c, blank, false);
			buf_append_char(&c->out, '\n');
		}
		c->bol = true;
	}
	if (c->bol) {
		html_prefix(c, c->quote, true);
		c->line_quote = c->quote;
	} else if (c->cell)
		buf_append_str(&c->out, " | ");
	else if (c->space)
		buf_append_char(&c->out, ' ');
	c->newlines = 0;
	c->space = c->cell = c->bol = false;
	buf_append(&c->out, s, n);
	if (c->out.len > c->max) {
		c->stopped = true;
		xmlStopParser(c->px);
	}
}

/* The '>' of a quoted line; with the blank before text. */
static void
html_prefix(struct html_ctx *c, unsigned depth, bool text)
{
	unsigned	 i;

	if (depth > HTML_QUOTE_MAX)
		depth = HTML_QUOTE_MAX;
	for (i = 0; i < depth; i++)
		buf_append_char(&c->out, '>');
	if (depth > 0 && text)
		buf_append_char(&c->out, ' ');
}

/* Owes at least n line breaks (2 = one blank line, the most we allow). */
static void
html_break(struct html_ctx *c, unsigned n)
{
	if (n > 2)
		n = 2;
	if (c->newlines < n)
		c->newlines = n;
	c->space = c->cell = false;
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
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
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
	return xstrndup(b->data != NULL ? b->data + start : "", end - start);
}
