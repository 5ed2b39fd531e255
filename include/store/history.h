/*
 * history: a request's history of changes (the events table): who did
 * what and when, for `triagectl show`, the reports and the dashboard.
 * kind is one of created, message, reopened, assigned, status, priority,
 * category, tag, untag, cc, note, reply, merged, sla_warning, sla_breach,
 * escalated, rated, rule, nobody_available, task, task_done; actor an agent name, a
 * customer address, "rule:NAME", "sla", "assign" or "triagectl".
 */
#ifndef TRIAGED_HISTORY_H
#define TRIAGED_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
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
/* One event as history_list reads it (strings are copies, may be NULL). */
struct history_event {
	time_t	 at;
	char	*kind;
	char	*actor;
	char	*detail;
};
/*
 * The events of ticket, oldest first, into a new array (free with
 * history_list_free).  0, or -1 + err and nothing to free.
 */
int	history_list(struct store *, int64_t ticket,
	    struct history_event **out, size_t *n_out, struct error *err);
void	history_list_free(struct history_event *, size_t n);
/* Every event of request from now belongs to into (a merge). */
int	history_move(struct store *, int64_t from, int64_t into,
	    struct error *err);

#endif
