/* strlcat for libcs without it (glibc < 2.38, e.g. Debian 12). */
#ifdef HAVE_CONFIG_H
#include "autoconf.h"
#endif
#include <string.h>
#include "compat.h"

size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}
