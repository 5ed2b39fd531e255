/*
 * html: readable plain text from an HTML body (for customers who send only
 * text/html).  Block elements become line breaks, lists get "- ", links
 * keep their target, script/style/head are dropped, entities are decoded.
 * Input must already be UTF-8; output is UTF-8.
 */
#ifndef TRIAGED_HTML_H
#define TRIAGED_HTML_H

#include <stddef.h>

/* A new string the caller frees; never NULL. */
char	*html_to_text(const char *html, size_t len);

#endif
