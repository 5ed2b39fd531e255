/*
 * routing: categories, priority levels, companies and the admin's rules
 * (config_routing.h: loaded and looked up there), applied to a message
 * in the intake transaction: category, tags, priority, assignee (by
 * strategy), SLA policy, Cc, skip the acknowledgement, drop as spam.
 */
#ifndef TRIAGED_ROUTING_H
#define TRIAGED_ROUTING_H

#include <stdbool.h>
#include <stddef.h>

#include "config_routing.h"

struct config;
struct error;
struct pipeline_view;
struct store;

/* Runs the rules and the category's strategy on v's message. */
int	routing_apply(struct store *, struct pipeline_view *v,
	    struct error *err);

#endif
