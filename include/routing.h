/*
 * routing: categories, priority levels, companies and the admin's rules
 * (config_routing.c loads them), applied to a message in the intake
 * transaction: category, tags, priority, assignee (by strategy), SLA
 * policy, Cc, skip the acknowledgement, drop as spam.
 */
#ifndef TRIAGED_ROUTING_H
#define TRIAGED_ROUTING_H

struct config;
struct error;
struct pipeline_view;
struct store;

/* Runs the rules and the category's strategy on v's message. */
int	routing_apply(struct store *, struct pipeline_view *v,
	    struct error *err);
/*
 * The rank of a priority level (0 lowest); -1 if cfg has no such level.
 */
int	routing_priority_rank(const struct config *, const char *priority);

#endif
