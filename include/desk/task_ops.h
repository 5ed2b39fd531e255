/*
 * task_ops: the tasks on a request (issue 19) -- "#task tomorrow 10:00
 * call the customer back" in an agent's mail, `triagectl task add`,
 * "#done 7", `triagectl task done 7` -- one function each, shared by
 * both paths like ticket_ops.  Each runs in the caller's transaction,
 * records its event in the request's history ("task", "task_done") and
 * never commits.  Errors: ERR_PERM with a sentence for the agent or
 * admin ("no agent bob", "no task #7", "\"today 25:00\" is not a time of
 * day"); ERR_TEMP for database trouble.
 *
 * Times people write (when.h) are read in the writer's zone: the
 * agent's `timezone`, else his calendar's, else the default calendar's
 * (config_agents.h); "+3bh" counts business hours of the request's SLA
 * calendar (its policy's, else the default calendar).
 */
#ifndef TRIAGED_TASK_OPS_H
#define TRIAGED_TASK_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct calendar;
struct config;
struct error;
struct store;

/*
 * A task on ticket (open, not merged away) for assignee (an agent name;
 * NULL: the request's assignee when it is due, else the team), due at
 * due (0: no due time and no reminder; else not before now), saying
 * text (not blank).  *id_out (may be NULL) gets its number.
 */
int	task_ops_add(struct store *, const struct config *, int64_t ticket,
	    const char *assignee, time_t due, const char *text,
	    const char *actor, time_t now, int64_t *id_out, struct error *);
/*
 * The argument of "#task" as agent wrote it on ticket: "[@AGENT] [WHEN]
 * TEXT".  Without @AGENT the task is the writer's own.  Then as
 * task_ops_add.
 */
int	task_ops_command(struct store *, const struct config *, int64_t ticket,
	    const char *agent, const char *line, time_t now, int64_t *id_out,
	    struct error *);
/*
 * when (all of it a WHEN, when.h) as writer (an agent name; NULL or not
 * an agent: the default zone) means it on ticket, into *due_out.
 */
int	task_ops_due(struct store *, const struct config *, int64_t ticket,
	    const char *writer, const char *when, time_t now, time_t *due_out,
	    struct error *);
/*
 * Task id is done, by actor.  A task done already stays as it was, and
 * this is no error (a command sent twice is harmless).
 */
int	task_ops_done(struct store *, const struct config *, int64_t id,
	    const char *actor, time_t now, struct error *);
/* The zone agent (NULL: nobody) reads and writes times in; NULL: UTC. */
const struct calendar *task_ops_zone(const struct config *,
	    const char *agent);

#endif
