/*
 * html: readable plain text from an HTML body (for customers who send only
 * text/html), through libxml2's HTML parser.  Block elements become line
 * breaks, list items "- " or "1. ", table rows lines of " | "-joined
 * cells, block quotes '>'-quoted lines, links "text <url>", images
 * "[image: alt]"; script/style/title are dropped, entities are decoded.
 * Input is UTF-8 (html_to_text_cs: any charset); output is UTF-8.
 * Thread-safe: any number of parse workers may convert at once.
 */
#ifndef TRIAGED_HTML_H
#define TRIAGED_HTML_H

#include <stdbool.h>
#include <stddef.h>

/* A new string the caller frees; never NULL. */
char	*html_to_text(const char *html, size_t len);
/*
 * The same, but the scan stops once the text is longer than max bytes:
 * the result holds at most max bytes (ending on a character boundary),
 * and *cut (if not NULL) tells whether text was left out.
 */
char	*html_to_text_max(const char *html, size_t len, size_t max,
	    bool *cut);
/*
 * The same for HTML in charset (NULL or unknown: guessed as
 * charset_to_utf8 does), not yet converted: only its text is converted,
 * so it costs no UTF-8 copy of the whole body.
 */
char	*html_to_text_cs(const char *charset, const char *html, size_t len,
	    size_t max, bool *cut);

#endif
