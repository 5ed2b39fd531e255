/*
 * charset: bytes in some charset to valid UTF-8, always.  Unknown or lying
 * charsets never fail: invalid sequences become U+FFFD, and text with no
 * usable label, or a label its bytes contradict, is guessed (UTF-8, else
 * uchardet's verdict, else windows-1251/koi8-r by letter statistics, else
 * windows-1252).  A label the text decodes cleanly in is trusted.
 */
#ifndef TRIAGED_CHARSET_H
#define TRIAGED_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/*
 * Converts len bytes from charset (NULL or unknown: guess) to a new UTF-8
 * string the caller frees.  If out_len is not NULL it gets the length.
 */
char	*charset_to_utf8(const char *charset, const char *in, size_t len,
	    size_t *out_len);
/*
 * The same, but stops once the result holds max bytes: the rest of the
 * input is not converted (the memory a conversion takes is then bounded
 * by max, not by len).  The result ends on a character boundary and
 * holds at most max bytes; *cut (if not NULL) tells whether text was
 * left out.  The charset is still guessed from all len bytes.
 */
char	*charset_to_utf8_max(const char *charset, const char *in, size_t len,
	    size_t max, size_t *out_len, bool *cut);
/*
 * For text converted piece by piece (html.c scans an HTML body in its own
 * charset and converts only the text): a converter for the len bytes at
 * in, labelled charset (guessed from all of them as charset_to_utf8
 * does).  NULL if the text cannot be cut at ASCII bytes and converted in
 * pieces (UTF-16, UTF-7, ISO-2022-JP, ...): convert it whole instead.
 * charset_conv_append converts one piece (cut at an ASCII byte) onto out
 * as valid UTF-8.
 */
struct charset_conv	*charset_conv_open(const char *charset,
			    const char *in, size_t len);
void			 charset_conv_append(struct charset_conv *,
			    const char *piece, size_t n, struct buf *out);
void			 charset_conv_close(struct charset_conv *);
/*
 * Length of the longest prefix of the UTF-8 string s (len bytes) that is
 * at most max bytes and ends on a character boundary.
 */
size_t	 charset_utf8_cut(const char *s, size_t len, size_t max);
/* True if len bytes at s are valid UTF-8. */
bool	 charset_is_utf8(const char *s, size_t len);

#endif
