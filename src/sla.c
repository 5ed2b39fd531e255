/* PLACEHOLDER: SLA (issue 6) replaces this file. */
#include <stdint.h>
#include <time.h>

#include "sla.h"

int
sla_update(struct store *st, const struct config *c, int64_t ticket,
    time_t now, struct error *err)
{
	(void)st;
	(void)c;
	(void)ticket;
	(void)now;
	(void)err;
	return 0;
}

const struct calendar *
sla_calendar(const struct config *c, const char *name)
{
	(void)c;
	(void)name;
	return NULL;
}
