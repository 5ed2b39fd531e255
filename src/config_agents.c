/* PLACEHOLDER: the agents section (issue 4) replaces this file. */
#include <stdbool.h>
#include <stddef.h>

#include "agents.h"
#include "config.h"

size_t
agents_count(const struct config *c)
{
	(void)c;
	return 0;
}

const struct agent *
agents_at(const struct config *c, size_t i)
{
	(void)c;
	(void)i;
	return NULL;
}

const struct agent *
agents_find(const struct config *c, const char *name)
{
	(void)c;
	(void)name;
	return NULL;
}

const struct agent *
agents_by_address(const struct config *c, const char *addr)
{
	(void)c;
	(void)addr;
	return NULL;
}

bool
agents_serves(const struct agent *a, const char *category)
{
	(void)a;
	(void)category;
	return false;
}
