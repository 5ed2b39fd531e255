/*
 * history: a request's history of changes (the events table): who did
 * what and when, for `triagectl show`, the reports and the dashboard.
 * kind is one of created, message, reopened, assigned, status, priority,
 * category, tag, untag, cc, note, reply, merged, sla_warning, sla_breach,
 * escalated, rated, rule, nobody_available; actor an agent name, a
 * customer address, "rule:NAME", "sla", "assign" or "triagectl".
 */
#ifndef TRIAGED_HISTORY_H
#define TRIAGED_HISTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

/*
 * Appends one event (actor and detail may be NULL); 0, or -1 + err.
 * (Not "event_add": libevent owns that name in the same program.)
 */
int	history_add(struct store *, int64_t ticket, time_t at, const char *kind,
	    const char *actor, const char *detail, struct error *err);
/* *found_out: has ticket an event of kind?  0, or -1 + err. */
int	history_has(struct store *, int64_t ticket, const char *kind,
	    bool *found_out, struct error *err);

#endif
