/* Declarations for functions replaced from compat/ where libc lacks them. */
#ifndef TRIAGED_COMPAT_H
#define TRIAGED_COMPAT_H

#include <stddef.h>

#if !HAVE_DECL_STRLCPY
size_t	strlcpy(char *, const char *, size_t);
#endif
#if !HAVE_DECL_STRLCAT
size_t	strlcat(char *, const char *, size_t);
#endif
#if !HAVE_DECL_REALLOCARRAY
void	*reallocarray(void *, size_t, size_t);
#endif

#endif
