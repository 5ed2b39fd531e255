/*
 * assign_state: what the assignment remembers between requests, in two
 * small tables: the round-robin cursor of each category (assign_cursor:
 * the agent who got its last request) and the absences an admin set
 * with triagectl (agent_away: one per agent, [since, until)).  The
 * meaning of both is assign.c's; this file only reads and writes them,
 * in the caller's transaction.  Agent and category names are compared
 * exactly.  Errors: -1 + err, ERR_TEMP for a busy or broken database.
 */
#ifndef TRIAGED_ASSIGN_STATE_H
#define TRIAGED_ASSIGN_STATE_H

#include <time.h>

struct error;
struct store;

/*
 * The agent category's cursor names, in *agent_out (a copy the caller
 * frees), NULL when the category never had a round-robin pick.
 */
int	assign_state_cursor(struct store *, const char *category,
	    char **agent_out, struct error *err);
/*
 * assign_state_cursor, but also locks category's cursor row (creating it)
 * until the caller's transaction ends, so that instances sharing one
 * database (PostgreSQL, issue 15) pick for a category one at a time:
 * the second waits for the first's commit and then reads what it wrote
 * (the cursor here; open counts in the caller's next statements).
 */
int	assign_state_lock(struct store *, const char *category,
	    char **agent_out, struct error *err);
/* Moves category's cursor to agent (creating it). */
int	assign_state_cursor_set(struct store *, const char *category,
	    const char *agent, struct error *err);

/* Sets agent's absence to [since, until), replacing any earlier one. */
int	assign_state_away_set(struct store *, const char *agent, time_t since,
	    time_t until, struct error *err);
/* Clears agent's absence (none: no-op). */
int	assign_state_away_clear(struct store *, const char *agent,
	    struct error *err);
/*
 * Is agent away at now by an absence set with triagectl?  1 and
 * *until_out its end, 0 (*until_out 0), or -1 + err.
 */
int	assign_state_away_at(struct store *, const char *agent, time_t now,
	    time_t *until_out, struct error *err);

#endif
