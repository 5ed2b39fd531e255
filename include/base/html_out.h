/*
 * html_out: writing HTML pages (the dashboard, issue 18) with every
 * string argument escaped.  html_escape is the one escaping function;
 * html_printf is the tiny template helper on top of it, and the only
 * way the pages put text from the database into HTML: its format string
 * is the page's own markup (a literal, trusted), and EVERY %s argument
 * is escaped, so there is no conversion that inserts raw text.  Pieces
 * of markup a page builds (a chart) are appended with buf_append_str
 * from literals and numbers only.
 */
#ifndef TRIAGED_HTML_OUT_H
#define TRIAGED_HTML_OUT_H

#include <stdarg.h>
#include <stddef.h>

struct buf;

/*
 * Appends s (len bytes; may hold anything) as HTML text, also safe
 * inside a quoted attribute value: & < > " ' become entities, a NUL
 * byte and invalid UTF-8 become U+FFFD, control characters other than
 * tab, newline and carriage return are dropped.
 */
void	html_escape(struct buf *out, const char *s, size_t len);
/*
 * printf into out where each %s is html_escape'd (NULL prints as
 * nothing).  Conversions: %s %d %i %u %x %f %c %% with the modifiers
 * h, l, ll, z, flags, and a width and precision given as digits (no
 * '*').  Anything else is a bug in a page: fatalx.
 */
void	html_printf(struct buf *out, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	html_vprintf(struct buf *out, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

#endif
