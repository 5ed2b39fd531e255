/*
 * rules: running the admin's rule program (config_rules.h, built at
 * config load) on one message.  Pure (no database): routing.c runs it in
 * the intake transaction and stores what it decided.  A
 * field with several values (to, cc, a repeated header, the mailboxes)
 * matches if any value does; an absent field matches nothing, so
 * `not` of it holds.
 */
#ifndef TRIAGED_RULES_H
#define TRIAGED_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "config_rules.h"

struct buf;
struct parsed_message;

/* What a message offers to the conditions; everything borrowed. */
struct rules_message {
	const struct parsed_message *pm;
	const char	*from;		/* customer address; NULL: pm's From */
	char *const	*mailboxes;	/* "imap:NAME", support addresses */
	size_t		 nmailboxes;
	const char	*company;	/* NULL: none */
	bool		 business_hours;
	bool		 new_request;
};

/* True if cond (NULL: true) holds for m. */
bool	rules_cond_eval(const struct rules_cond *, const struct rules_message *);

/*
 * The combined decision of the rules that matched, in order: later
 * single-valued actions replace earlier ones, tags and Cc accumulate
 * (without repeats), skip_ack and spam stick once set.  Every string is
 * borrowed from the rules.  hits[0..nhits) are the matching rules'
 * indexes; priority is a level name of levels[] (a "+N" applies to the
 * level decided so far, starting from base).
 */
struct rules_result {
	const char	*category;
	const char	**tags;
	size_t		 ntags;
	const char	*priority;	/* NULL: no rule set one */
	const char	*assign;
	const char	*strategy;
	const char	*sla_policy;
	const char	**cc;
	size_t		 ncc;
	bool		 skip_ack;
	bool		 spam;
	size_t		*hits;
	size_t		 nhits;
};

/*
 * Runs the rules on m in order, stopping after a matching rule with
 * stop; fills *res (free with rules_result_free).  levels[0..nlevels)
 * are the priority levels lowest first, base the level before the rules
 * (NULL: none; a "+N" then starts at the lowest level).
 */
void	rules_run(const struct rules *, const struct rules_message *m,
	    const char *const *levels, size_t nlevels, const char *base,
	    struct rules_result *res);
void	rules_result_free(struct rules_result *);

/*
 * One rule's actions as a line for explain ("category=Billing
 * tag=urgent priority=+1 spam"); appended to out.
 */
void	rules_describe(const struct rules_actions *, struct buf *out);

#endif
