/*
 * html_out: escaped HTML output (html_out.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "html_out.h"
#include "log.h"

#define HTML_OUT_SPEC	32
#define HTML_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

static size_t	html_utf8_len(const unsigned char *, size_t);

void
html_escape(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, run;

	while (i < len) {
		/* a run of bytes that need nothing */
		for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x7f &&
		    strchr("&<>\"'", p[run]) == NULL; run++)
			;
		if (run > i)
			buf_append(out, p + i, run - i);
		if ((i = run) == len)
			break;
		switch (p[i]) {
		case '&': buf_append_str(out, "&amp;"); i++; continue;
		case '<': buf_append_str(out, "&lt;"); i++; continue;
		case '>': buf_append_str(out, "&gt;"); i++; continue;
		case '"': buf_append_str(out, "&quot;"); i++; continue;
		case '\'': buf_append_str(out, "&#39;"); i++; continue;
		case '\t': case '\n': case '\r':
			buf_append_char(out, (char)p[i]);
			i++;
			continue;
		case '\0':
			buf_append_str(out, HTML_REPLACEMENT);
			i++;
			continue;
		default:
			break;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			i++;		/* other control characters: dropped */
			continue;
		}
		if ((n = html_utf8_len(p + i, len - i)) == 0) {
			buf_append_str(out, HTML_REPLACEMENT);
			i++;
			continue;
		}
		buf_append(out, p + i, n);
		i += n;
	}
}

/* The length of the valid UTF-8 sequence at p (RFC 3629), 0: invalid. */
static size_t
html_utf8_len(const unsigned char *p, size_t len)
{
	uint32_t cp;
	size_t n, k;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

void
html_printf(struct buf *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	html_vprintf(out, fmt, ap);
	va_end(ap);
}

/*
 * Walks fmt: literal text is copied, %s escaped, every other conversion
 * formatted alone by snprintf with its own argument.  spec is a piece
 * of fmt, which the compiler checked against the arguments at the
 * caller (the format attribute): hence the one non-literal format.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void
html_vprintf(struct buf *out, const char *fmt, va_list ap)
{
	char spec[HTML_OUT_SPEC], num[512];
	const char *p = fmt, *start, *s;
	int lmod;		/* 0 none, 1 l, 2 ll, 3 z, 4 h */
	size_t n;

	while (*p != '\0') {
		if (*p != '%') {
			start = p;
			while (*p != '\0' && *p != '%')
				p++;
			buf_append(out, start, (size_t)(p - start));
			continue;
		}
		start = p++;
		if (*p == '%') {
			buf_append_char(out, '%');
			p++;
			continue;
		}
		p += strspn(p, "-+ #0");
		p += strspn(p, "0123456789");
		if (*p == '.') {
			p++;
			p += strspn(p, "0123456789");
		}
		lmod = 0;
		if (p[0] == 'l' && p[1] == 'l')
			lmod = 2, p += 2;
		else if (*p == 'l')
			lmod = 1, p++;
		else if (*p == 'z')
			lmod = 3, p++;
		else if (*p == 'h')
			lmod = 4, p++;
		if (*p == '\0' || (n = (size_t)(p - start) + 1) >= sizeof(spec))
			fatalx("html_printf: bad format \"%s\"", fmt);
		memcpy(spec, start, n);
		spec[n] = '\0';
		switch (*p++) {
		case 's':
			if (lmod != 0 || strchr(spec, '.') != NULL)
				fatalx("html_printf: bad %%s in \"%s\"", fmt);
			if ((s = va_arg(ap, const char *)) != NULL)
				html_escape(out, s, strlen(s));
			continue;
		case 'd': case 'i': case 'u': case 'x':
			if (lmod == 1)
				snprintf(num, sizeof(num), spec,
				    va_arg(ap, long));
			else if (lmod == 2)
				snprintf(num, sizeof(num), spec,
				    va_arg(ap, long long));
			else if (lmod == 3)
				snprintf(num, sizeof(num), spec,
				    va_arg(ap, size_t));
			else
				snprintf(num, sizeof(num), spec,
				    va_arg(ap, int));
			break;
		case 'c':
			if (lmod != 0)
				fatalx("html_printf: bad %%c in \"%s\"", fmt);
			num[0] = (char)va_arg(ap, int);
			html_escape(out, num, 1);
			continue;
		case 'f':
			if (lmod != 0)
				fatalx("html_printf: bad %%f in \"%s\"", fmt);
			snprintf(num, sizeof(num), spec, va_arg(ap, double));
			break;
		default:
			fatalx("html_printf: bad format \"%s\"", fmt);
		}
		buf_append_str(out, num);
	}
}
#pragma GCC diagnostic pop
