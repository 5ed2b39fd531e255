/*
 * sla: calendars and SLA policies (config_sla.c loads them), the
 * deadlines they give each request, and the timer that sends warnings
 * and breach mail and escalates.
 */
#ifndef TRIAGED_SLA_H
#define TRIAGED_SLA_H

#include <stdint.h>
#include <time.h>

struct calendar;
struct config;
struct error;
struct store;

/*
 * Recomputes ticket's deadlines and sla_check_at from its row (policy,
 * status, first response, last customer and agent times, pause), in the
 * caller's transaction.  Called by whatever changed the request.
 */
int	sla_update(struct store *, const struct config *, int64_t ticket,
	    time_t now, struct error *err);
/* The calendar named name; NULL name: the default one.  NULL if none. */
const struct calendar *sla_calendar(const struct config *, const char *name);

#endif
