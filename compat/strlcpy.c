/* strlcpy for libcs without it (glibc < 2.38, e.g. Debian 12). */
#ifdef HAVE_CONFIG_H
#include "autoconf.h"
#endif
#include <string.h>
#include "compat.h"

size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len >= size ? size - 1 : len;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
