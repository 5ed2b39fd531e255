/*
 * sla_timer: the daemon's SLA worker.  It reads only the requests whose
 * sla_check_at is due (an indexed column that sla_update keeps), sends
 * the warning or breach mail of each deadline exactly once (an sla_marks
 * row in the same transaction as the outbox row: promise 2), records the
 * event and runs the policy's escalation through ticket_ops (actor
 * "sla").  After a config reload it recomputes every open request's
 * deadlines, since policies and calendars may have changed.
 */
#ifndef TRIAGED_SLA_TIMER_H
#define TRIAGED_SLA_TIMER_H

#include <stddef.h>
#include <time.h>

struct config;
struct error;
struct sender;
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
 * The worker: a thread with its own store connection on dbpath, passing
 * every SLA_TIMER_TICK seconds on config_current() and the injected
 * clock, waking the sender when it queued mail.  NULL + err if the
 * thread cannot start.
 */
struct sla_timer *sla_timer_start(const char *dbpath, struct sender *,
		    struct error *err);
/* Asks for a pass now (after intake, say); never blocks for long. */
void		 sla_timer_wake(struct sla_timer *);
/* Stops and joins the worker; NULL is a no-op. */
void		 sla_timer_stop(struct sla_timer *);

#endif
