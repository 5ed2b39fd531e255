/* reallocarray for libcs without it. */
#ifdef HAVE_CONFIG_H
#include "autoconf.h"
#endif
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "compat.h"

void *
reallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(ptr, nmemb * size);
}
