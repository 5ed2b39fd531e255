/*
 * config_routing: the categories, priority levels, companies, tags and
 * rules of the config file (config_routing.c), and their lookups;
 * routing.h applies them to a message.
 *
 * The config part: five top-level sections, all optional.
 *
 *	priorities = [ "low", "normal", "high", "urgent" ];
 *	    or { levels = [ ... ]; default = "normal"; }  (lowest first;
 *	    the default level is "normal" if listed, else the lowest)
 *	categories = ( { path = "Billing/Invoices"; strategy = "pool";
 *	    priority = "high"; sla_policy = "gold"; managers = [ "boss" ];
 *	    working_hours = false;
 *	    addresses = [ "billing@example.test" ]; } );  (addresses: support
 *	    addresses, or "+" sub-addresses of them, whose new requests
 *	    default to the category)
 *	companies = ( { name = "ACME"; domains = [ "acme.example" ];
 *	    addresses = [ "ceo@gmail.example" ]; priority_floor = "high";
 *	    sla_policy = "vip"; } );
 *	tags = [ "urgent", "vip" ];  (optional: when present, the only
 *	    tags rules may add)
 *	rules = ( { name = "..."; if = { ... }; then = { ... };
 *	    stop = false; } );  (config_rules.h has the condition language)
 *
 * Everything returned is part of an immutable struct config: pointers
 * stay valid while the caller holds its config reference.
 */
#ifndef TRIAGED_CONFIG_ROUTING_H
#define TRIAGED_CONFIG_ROUTING_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct config_loader;
struct config_setting_t;
struct rules;

/*
 * A configured category.  Paths are compared exactly ("Billing/Invoices");
 * a parent path ("Billing") exists implicitly, with the defaults below.
 */
struct routing_category {
	char	*path;
	char	*strategy;	/* round-robin, least-open, sticky, pool */
	char	*priority;	/* default priority of its requests; NULL */
	char	*sla_policy;	/* NULL: none */
	char	**managers;	/* agent names told when nobody is free */
	size_t	 nmanagers;
	bool	 working_hours;	/* skip agents outside their calendar */
	char	**addresses;	/* support addresses defaulting here */
	size_t	 naddresses;	/* (lowercased) */
};

/*
 * The rank of a priority level (0 lowest); -1 if cfg has no such level.
 */
int	config_routing_priority_rank(const struct config *,
	    const char *priority);

/* Priority levels, lowest first (rank 0); at returns NULL past the end. */
size_t		 config_routing_priority_count(const struct config *);
/* All of them as a vector (NULL-terminated, count entries). */
const char *const *config_routing_priority_levels(const struct config *);
const char	*config_routing_priority_at(const struct config *, size_t rank);
/* "low, normal, high, urgent" for a message; the caller frees it. */
char		*config_routing_priority_list(const struct config *);
/* The level of a request nothing else decided ("normal" by default). */
const char	*config_routing_priority_default(const struct config *);

/*
 * The configured category at path exactly, else the nearest configured
 * parent ("Billing" for "Billing/Invoices/2024"), else NULL.
 */
const struct routing_category *config_routing_category_find(
		    const struct config *, const char *path);
/* The configured categories in file order. */
size_t		 config_routing_category_count(const struct config *);
const struct routing_category *config_routing_category_at(const struct config *,
		    size_t i);
/*
 * True if path is a configured category or a parent of one (so a rule
 * may name "Billing" when only "Billing/Invoices" is configured).
 */
bool		 config_routing_category_exists(const struct config *,
		    const char *path);

/*
 * The category whose addresses list address (any case): an exact entry
 * first, else an entry address is a "+" sub-address of
 * ("support+x@example.test" under "support@example.test").  NULL if none.
 */
const struct routing_category *config_routing_category_of_address(
		    const struct config *, const char *address);

/*
 * The company of address (any case): an explicit address of a company
 * first, else its domain or a parent domain ("mail.acme.example" under
 * "acme.example").  NULL if none; *sla_policy and *priority_floor (each
 * may be NULL to skip) get the company's, or NULL.
 */
const char	*config_routing_company_of(const struct config *,
		    const char *address, const char **sla_policy,
		    const char **priority_floor);

/* The compiled rules of cfg (never NULL: possibly empty). */
const struct rules *config_routing_rules(const struct config *);

/*
 * The config sections' hooks (config_section.h), listed in
 * config_sections[]: init and free are on the "priorities" entry, the
 * cross-reference check (agents, categories, levels) on "rules".
 */
void	config_routing_init(struct config *);
void	config_routing_free(struct config *);
void	config_routing_load_priorities(struct config_loader *,
	    struct config_setting_t *);
void	config_routing_load_categories(struct config_loader *,
	    struct config_setting_t *);
void	config_routing_load_companies(struct config_loader *,
	    struct config_setting_t *);
void	config_routing_load_tags(struct config_loader *,
	    struct config_setting_t *);
void	config_routing_load_rules(struct config_loader *,
	    struct config_setting_t *);
void	config_routing_check(struct config_loader *);

#endif
