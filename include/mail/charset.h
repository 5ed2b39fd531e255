/*
 * charset: bytes in some charset to valid UTF-8, always.  Unknown or lying
 * charsets never fail: invalid sequences become U+FFFD, and 8-bit text with
 * no usable label is guessed (UTF-8, else windows-1251/koi8-r by letter
 * statistics, else windows-1252).
 */
#ifndef TRIAGED_CHARSET_H
#define TRIAGED_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Converts len bytes from charset (NULL or unknown: guess) to a new UTF-8
 * string the caller frees.  If out_len is not NULL it gets the length.
 */
char	*charset_to_utf8(const char *charset, const char *in, size_t len,
	    size_t *out_len);
/* True if len bytes at s are valid UTF-8. */
bool	 charset_is_utf8(const char *s, size_t len);

#endif
