/*
 * agents: the people who answer requests, as the config's `agents`
 * section lists them (config_agents.c loads it), with the settings of
 * agent mail (signed reply addresses, note address, trusted
 * authentication results) and the notification templates.
 *
 * Everything here is part of an immutable struct config: pointers stay
 * valid while the caller holds its config reference.
 */
#ifndef TRIAGED_AGENTS_H
#define TRIAGED_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct config;

/* A configured absence: [since, until) in seconds since the epoch. */
struct agent_absence {
	time_t	since;
	time_t	until;
};

struct agent {
	char			*name;		/* unique: [A-Za-z0-9_.-]+ */
	char			*display_name;	/* "Anna Kowalska"; else name */
	char			**addresses;	/* lowercased; [0] notified */
	size_t			 naddresses;
	char			**categories;	/* category paths served */
	size_t			 ncategories;
	bool			 manager;
	char			*calendar;	/* working hours; NULL: any time */
	struct agent_absence	*absences;	/* from the config */
	size_t			 nabsences;
};

/* The agents of cfg in file order. */
size_t			 agents_count(const struct config *);
const struct agent	*agents_at(const struct config *, size_t i);
/* By name (exact) or by one of its addresses (any case); NULL if none. */
const struct agent	*agents_find(const struct config *, const char *name);
const struct agent	*agents_by_address(const struct config *,
			    const char *addr);
/*
 * True if a serves category or a category above it ("billing" serves
 * "billing/refunds").
 */
bool			 agents_serves(const struct agent *,
			    const char *category);

#endif
