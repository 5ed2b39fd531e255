/*
 * rules: the admin's ordered rules as a compiled program, and running it
 * on one message.  Pure (no database, no config file): config_routing.c
 * builds the program from the `rules` section, routing.c runs it in the
 * intake transaction and stores what it decided, tests build programs by
 * hand.
 *
 * A condition tests one field of the message with one operator, or
 * combines conditions (all, any, not).  Text operators work on UTF-8:
 * contains, equals and in are caseless in Unicode ("СРОЧНО" contains
 * "срочно", "ŻÓŁĆ" equals "żółć"); regex is PCRE2 with UTF and Unicode
 * properties, caseless only when asked (caseless = true, or (?i)).  A
 * field with several values (to, cc, a repeated header, the mailboxes)
 * matches if any value does; an absent field matches nothing, so
 * `not` of it holds.
 */
#ifndef TRIAGED_RULES_H
#define TRIAGED_RULES_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct error;
struct parsed_message;

enum rules_field {
	RULES_FROM,		/* the customer's address */
	RULES_FROM_DOMAIN,	/* its domain */
	RULES_TO,		/* To addresses */
	RULES_CC,		/* Cc addresses */
	RULES_HEADER,		/* every header of the given name */
	RULES_SUBJECT,
	RULES_BODY,		/* the chosen text part */
	RULES_MAILBOX,		/* "imap:NAME" or the support address */
	RULES_COMPANY,		/* the customer's company name */
	RULES_HAS_ATTACHMENTS,	/* booleans: */
	RULES_BUSINESS_HOURS,
	RULES_NEW_REQUEST
};

enum rules_op {
	RULES_CONTAINS,
	RULES_EQUALS,
	RULES_REGEX,
	RULES_IN		/* equals one of a list */
};

enum rules_comb {
	RULES_ALL,
	RULES_ANY,
	RULES_NOT		/* none of its children (one, usually) */
};

struct rules_cond;
struct rules;

/*
 * A leaf on a text field: op with values[0..n) (any of them may match;
 * n >= 1).  header names the header for RULES_HEADER, else NULL.
 * caseless matters for RULES_REGEX only.  NULL + err (the PCRE2 message
 * and offset) if a regex does not compile.
 */
struct rules_cond	*rules_cond_text(enum rules_field, const char *header,
			    enum rules_op, char *const *values, size_t n,
			    bool caseless, struct error *err);
/* A leaf on a boolean field: holds when the field equals want. */
struct rules_cond	*rules_cond_bool(enum rules_field, bool want);
/* An empty combination (all: true, any: false, not: true); add to it. */
struct rules_cond	*rules_cond_group(enum rules_comb);
/* Moves child into group. */
void			 rules_cond_add(struct rules_cond *group,
			    struct rules_cond *child);
void			 rules_cond_free(struct rules_cond *);

/*
 * A rule's actions; every member optional (NULL / 0 / false).  priority
 * is a level name, or "+1" (one level up, "+2" two, capped at the top).
 */
struct rules_actions {
	char	*category;
	char	**tags;
	size_t	 ntags;
	char	*priority;
	char	*assign;	/* an agent name */
	char	*strategy;	/* assign now by this strategy */
	char	*sla_policy;
	char	**cc;
	size_t	 ncc;
	bool	 skip_ack;
	bool	 spam;
};

struct rules		*rules_new(void);
void			 rules_free(struct rules *);
/*
 * Appends a rule; takes cond (NULL: always) and the strings of *act (the
 * struct itself is copied; its pointers must be heap strings / vectors
 * of them, freed with the rules).
 */
void			 rules_add(struct rules *, const char *name,
			    struct rules_cond *cond, struct rules_actions *act,
			    bool stop);
size_t			 rules_count(const struct rules *);
const char		*rules_name(const struct rules *, size_t i);
const struct rules_actions *rules_actions_at(const struct rules *, size_t i);
bool			 rules_stops(const struct rules *, size_t i);

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
