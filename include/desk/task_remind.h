/*
 * task_remind: the reminder mail of a task at its due time (issue 19).
 * A pass reads only the open tasks due and not reminded yet (index
 * tasks_remind), sets each one's reminded_at in the same transaction
 * that queues its mail, so a reminder goes out once across crashes,
 * restarts and kill -9 (promise 2): a pass that does not commit leaves
 * both undone and the next pass does both.
 *
 * It goes to the task's assignee, else the request's assignee, else the
 * request's team (the agents serving its category, else every agent):
 * one mail per agent, From the support address with a null envelope
 * sender and Auto-Submitted: auto-generated (mailout kind
 * "task_reminder", promise 3), threaded on the agent's notification
 * thread of the request (In-Reply-To his latest notice, else the
 * request's first one), and with his signed Reply-To, so that answering
 * "#done N" closes the task.
 */
#ifndef TRIAGED_TASK_REMIND_H
#define TRIAGED_TASK_REMIND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct config;
struct error;
struct store;

/* Real seconds between passes of the daemon's task timer. */
#define TASK_REMIND_TICK	2
/* Tasks reminded per pass (the rest wait for the next one, at once). */
#define TASK_REMIND_BATCH	100

/*
 * One pass at now in the caller's transaction: at most max due tasks
 * get their reminder.  *queued: the mails queued; *again: more are due
 * (run again at once).  0, or -1 + err (database trouble: the caller
 * rolls back, nothing was sent or marked).  A task nobody can be told
 * of (no agents at all) is marked and logged, never retried forever.
 */
int	task_remind_run(struct store *, const struct config *, time_t now,
	    size_t max, int *queued, bool *again, struct error *err);

#endif
