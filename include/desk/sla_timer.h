/*
 * sla_timer: the daemon's SLA passes.  It reads only the requests whose
 * sla_check_at is due (an indexed column that sla_update keeps), sends
 * the warning or breach mail of each deadline exactly once (an sla_marks
 * row in the same transaction as the outbox row: promise 2), records the
 * event and runs the policy's escalation through ticket_ops (actor
 * "sla").  After a config reload it recomputes every open request's
 * deadlines, since policies and calendars may have changed.
 */
#ifndef TRIAGED_SLA_TIMER_H
#define TRIAGED_SLA_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct config;
struct error;
struct sla_timer;
struct store;

/* Real seconds between passes; a pass also runs at once when woken. */
#define SLA_TIMER_TICK	2
/* Requests handled per pass (the rest wait for the next one). */
#define SLA_TIMER_BATCH	200

/*
 * One pass at now, in the caller's transaction: at most max due requests
 * get their warnings, breaches and escalations.  *queued gets the number
 * of mails queued.  0, or -1 + err (database trouble: the caller rolls
 * back and nothing was sent or marked).  A failed escalation action
 * (no such agent any more) is logged and skipped, never fatal.
 */
int	sla_timer_check(struct store *, const struct config *, time_t now,
	    size_t max, int *queued, struct error *err);

/*
 * What the SLA passes keep between steps: the config whose deadlines are
 * computed, and the cursor of a recompute under way.  The daemon runs
 * one step at a time as a unit of the store writer (an event-loop timer
 * every SLA_TIMER_TICK seconds submits it): step in the writer's
 * transaction, then committed from the unit's done once it committed.
 */
struct sla_timer	*sla_timer_new(void);
void			 sla_timer_free(struct sla_timer *);
/*
 * One step on config_current(), in the caller's open transaction: a
 * batch of deadline recomputes if the config is new, else a pass of
 * sla_timer_check.  *queued gets the mails queued, *again whether the
 * next step is due at once (a recompute under way).  0, or -1 + err (the
 * caller rolls back; the step is simply run again).
 */
int			 sla_timer_step(struct sla_timer *, struct store *,
			    time_t now, int *queued, bool *again,
			    struct error *err);
/* The last step committed: its recompute progress counts. */
void			 sla_timer_committed(struct sla_timer *);

#endif
