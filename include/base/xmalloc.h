/*
 * Allocation that aborts on out-of-memory.  Used for bookkeeping only:
 * inputs from the network are bounded by configured limits before they
 * are allocated, so running out of memory is never a peer's doing.
 */
#ifndef TRIAGED_XMALLOC_H
#define TRIAGED_XMALLOC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
/* Like xstrdup, but NULL in gives NULL out. */
char	*xstrdup_or_null(const char *);
/*
 * *p (owned) replaced by a copy of s (NULL: none) unless it equals s:
 * then *p is left as it is, so s may be *p itself, and a pointer to *p
 * taken before stays valid.
 */
void	 xstrset(char **p, const char *s);
/* Equal strings, or both NULL: the test for what xstrdup_or_null keeps. */
bool	 xstreq(const char *, const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

#endif
