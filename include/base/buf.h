/*
 * struct buf: a growable, binary-safe byte buffer.  Raw messages are bytes,
 * never C strings (mail may contain NUL); the buffer keeps its length and is
 * always NUL-terminated after the data, so text can also be read as a string.
 */
#ifndef TRIAGED_BUF_H
#define TRIAGED_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;		/* always NUL-terminated at data[len] */
	size_t	 len;
	size_t	 cap;
};

/* Returns a new empty buffer; free it with buf_free(). */
struct buf	*buf_new(void);
void		 buf_free(struct buf *);
/* Initialise/release a buffer embedded in another struct. */
void		 buf_init(struct buf *);
void		 buf_release(struct buf *);
void		 buf_reset(struct buf *);
void		 buf_reserve(struct buf *, size_t);
void		 buf_append(struct buf *, const void *, size_t);
void		 buf_append_str(struct buf *, const char *);
void		 buf_append_char(struct buf *, char);
void		 buf_printf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 buf_vprintf(struct buf *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
/*
 * Hands the data to the caller (free() it); the buffer is left released
 * (buf_init it again to reuse it; buf_release on it is harmless).
 */
char		*buf_steal(struct buf *, size_t *len_out);

#endif
