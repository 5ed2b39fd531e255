/*
 * assign: who gets a request.  The category's strategy picks an agent
 * among those serving it and available now (round-robin, least-open,
 * sticky, pool); the pull queue hands an agent the most urgent
 * unassigned request of their categories; absences set with triagectl
 * live here beside the config's.
 *
 * Every function runs in the caller's transaction and never commits.
 * Agent names returned are borrowed from the config (they live as long
 * as the caller's config reference).
 *
 * Available: the agent serves the category (config_agents_serves), is not
 * absent (the config's absences, or an agent_away row covering now),
 * and, when the category says working_hours, its calendar is open now
 * (no calendar: any time).  Open requests: status new, open or pending.
 */
#ifndef TRIAGED_ASSIGN_H
#define TRIAGED_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct agent;
struct config;
struct error;
struct store;

/* The strategy names, for config checks. */
#define ASSIGN_ROUND_ROBIN	"round-robin"
#define ASSIGN_LEAST_OPEN	"least-open"
#define ASSIGN_STICKY		"sticky"
#define ASSIGN_POOL		"pool"

/* True if s is one of the four strategy names. */
bool	assign_strategy_valid(const char *s);

/*
 * Chooses an agent for ticket in category by strategy ("round-robin",
 * "least-open", "sticky", "pool"; NULL: the category's, else
 * round-robin).  *agent_out NULL: nobody (pool, or nobody available:
 * then the managers are told by mail, in the transaction, once per
 * request).  It only picks: the caller assigns (ticket_ops_assign).
 * round-robin moves the category's cursor.  -1 + err (ERR_PERM for an
 * unknown strategy, ERR_TEMP for database trouble).
 */
int	assign_pick(struct store *, const struct config *, int64_t ticket,
	    const char *category, const char *strategy, time_t now,
	    const char **agent_out, struct error *);
/*
 * assign_pick without telling anybody: *tell_out says that nobody was
 * available and the managers are to be told (assign_tell_nobody), which
 * the intake does once the new request's row is written (routing.c).
 */
int	assign_choose(struct store *, const struct config *, int64_t ticket,
	    const char *category, const char *strategy, time_t now,
	    const char **agent_out, bool *tell_out, struct error *);
/* The managers of category told that nobody took ticket (once). */
int	assign_tell_nobody(struct store *, const struct config *,
	    int64_t ticket, const char *category, time_t now, struct error *);

/*
 * Is agent a available for category at now (see the top of this file)?
 * 1 yes, 0 no, -1 + err.
 */
int	assign_available(struct store *, const struct config *,
	    const struct agent *a, const char *category, time_t now,
	    struct error *);

/*
 * The pull queue: the most urgent unassigned, open, not hidden request
 * in the categories agent serves (earliest deadline first, none last;
 * then higher priority; then older), assigned to agent (actor agent)
 * with ticket_ops_assign.  Run it inside BEGIN IMMEDIATE so two agents
 * pulling at once never get the same request.  *ticket_out 0: nothing
 * waiting.  -1 + err (ERR_PERM "no agent NAME").
 */
int	assign_next(struct store *, const struct config *, const char *agent,
	    time_t now, int64_t *ticket_out, struct error *);

/*
 * Marks agent away for [since, until) (one absence per agent: a new one
 * replaces it), or clears it.  ERR_PERM for an unknown agent or until
 * not after since.
 */
int	assign_away(struct store *, const struct config *, const char *agent,
	    time_t since, time_t until, struct error *);
int	assign_back(struct store *, const struct config *, const char *agent,
	    struct error *);

/* One line of `triagectl agents`. */
struct assign_agent_row {
	const char	*name;		/* borrowed from the config */
	const char	*display_name;
	int64_t		 open;		/* open requests assigned */
	bool		 away;		/* absent now (config or triagectl) */
	time_t		 away_until;	/* 0: not away, or unknown end */
	char		*categories;	/* "a, b/c" (allocated) */
	bool		 manager;
};

/*
 * Every configured agent in config order, with its load and absence at
 * now, into a new array; free with assign_agent_rows_free.
 */
int	assign_agents(struct store *, const struct config *, time_t now,
	    struct assign_agent_row **rows_out, size_t *n_out, struct error *);
void	assign_agent_rows_free(struct assign_agent_row *, size_t n);

#endif
