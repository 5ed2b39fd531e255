/*
 * sla_mark: the sla_marks table, one row per SLA deadline and stage
 * that happened: the warning or breach of a request's first response,
 * next response or resolution.  Its primary key (request, target, due,
 * stage) is what makes each mail go out once ever, across crashes,
 * restarts and concurrent passes (promise 2); sla.c and sla_timer.c
 * decide what a mark means.  target is "first_response",
 * "next_response" or "resolution"; stage "warning" or "breach".
 * Everything runs in the caller's transaction; -1 + err (ERR_TEMP for
 * a busy or broken database).
 */
#ifndef TRIAGED_SLA_MARK_H
#define TRIAGED_SLA_MARK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;

/*
 * Marks stage of ticket's target whose deadline is due, written at at.
 * *new_out: this call wrote it (false: the mark was there already).
 */
int	sla_mark_add(struct store *, int64_t ticket, const char *target,
	    time_t due, const char *stage, time_t at, bool *new_out,
	    struct error *err);
/*
 * *found_out: was stage of ticket's target marked at or after since
 * (whatever its deadline)?
 */
int	sla_mark_since(struct store *, int64_t ticket, const char *target,
	    const char *stage, time_t since, bool *found_out,
	    struct error *err);

#endif
