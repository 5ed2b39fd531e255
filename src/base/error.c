/*
 * error: caller-owned error records (redis's error buffer, made a struct).
 */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

void
error_clear(struct error *err)
{
	if (err == NULL)
		return;
	err->kind = ERR_NONE;
	err->msg[0] = '\0';
}

int
error_set(struct error *err, enum error_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->kind = kind;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);	/* cut is harmless */
	va_end(ap);
	return -1;
}

const char *
error_kind_name(enum error_kind kind)
{
	switch (kind) {
	case ERR_NONE:
		return "none";
	case ERR_TEMP:
		return "temporary";
	case ERR_PERM:
		return "permanent";
	case ERR_INTERNAL:
		return "internal";
	}
	return "unknown";
}
