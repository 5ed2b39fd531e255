/*
 * fuzz: helpers shared by the harnesses (fuzz.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "fuzz.h"
#include "log.h"
#include "xmalloc.h"

void
fuzz_quiet(void)
{
	log_init(0, LOG_LEVEL_ERROR, "fuzz");
}

char *
fuzz_text(const uint8_t *data, size_t size, size_t *len_out)
{
	return charset_to_utf8("utf-8", (const char *)data, size, len_out);
}

char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t len = nul != NULL ? (size_t)(nul - data) : size;
	char *s = xmalloc(len + 1);

	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

void
fuzz_check_utf8(const char *what, const char *s)
{
	if (s != NULL && !charset_is_utf8(s, strlen(s)))
		fuzz_fail("%s is not valid UTF-8", what);
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
