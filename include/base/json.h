/*
 * json: a small streaming JSON writer into a struct buf (RFC 8259), for
 * triagectl's --json output.  The writer keeps the commas: callers say
 * what comes next (begin/end an object or array, a key, a value) and the
 * output is compact, one document per call sequence, no trailing newline.
 *
 * Strings are text from mail, so they are escaped here once: quote,
 * backslash and every control character (as \n, \t ... or \u00XX), and
 * U+2028/U+2029 (legal JSON, but they end lines in JavaScript).  Valid
 * UTF-8 passes through unchanged; each invalid sequence (stray
 * continuation byte, overlong form, surrogate, truncated sequence, beyond
 * U+10FFFF) becomes one U+FFFD, so the output is always valid UTF-8.
 *
 * Nesting deeper than JSON_MAX_DEPTH, or a key outside an object, is a
 * bug in the caller and aborts (fatalx).  Parsing is not provided.
 */
#ifndef TRIAGED_JSON_H
#define TRIAGED_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

#define JSON_MAX_DEPTH	32

struct json {
	struct buf	*out;		/* borrowed: where the text goes */
	int		 depth;		/* open containers */
	bool		 in_object[JSON_MAX_DEPTH];
	size_t		 count[JSON_MAX_DEPTH];	/* members written so far */
	bool		 after_key;	/* a key was written, value pending */
};

/* Starts a writer appending to out (which the caller owns). */
void	json_init(struct json *, struct buf *out);

void	json_object_begin(struct json *);
void	json_object_end(struct json *);
void	json_array_begin(struct json *);
void	json_array_end(struct json *);
/* The key of the next object member (escaped like any string). */
void	json_key(struct json *, const char *key);

/* A string value; NULL writes null. */
void	json_string(struct json *, const char *s);
/* A string value of len bytes (may contain NUL, written as \u0000). */
void	json_string_len(struct json *, const char *s, size_t len);
void	json_int(struct json *, int64_t);
void	json_bool(struct json *, bool);
void	json_null(struct json *);

/* Shorthands for one object member: key then value. */
void	json_kv_string(struct json *, const char *key, const char *s);
void	json_kv_int(struct json *, const char *key, int64_t);

/*
 * Appends the quoted, escaped form of len bytes at s to out (the string
 * rules above); the building block of json_string, exported for tests.
 */
void	json_escape(struct buf *out, const char *s, size_t len);

/*
 * Decodes one UTF-8 character from the len (> 0) bytes at s.  Returns how
 * many bytes it used (at least 1) and stores the code point in *cp_out;
 * an invalid sequence yields U+FFFD and consumes its maximal invalid
 * prefix (Unicode's "maximal subpart" rule), so a walker never stalls and
 * never swallows the valid character that follows.  Shared with
 * triagectl's text output so both treat bad bytes the same way.
 */
size_t	json_utf8_next(const char *s, size_t len, uint32_t *cp_out);
/* Appends the UTF-8 encoding of code point cp (<= U+10FFFF) to out. */
void	json_utf8_put(struct buf *out, uint32_t cp);

#endif
