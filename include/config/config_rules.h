/*
 * config_rules: the admin's ordered rules as a compiled program
 * (conditions as a tree whose text tests are compiled patterns, actions
 * as plain strings).  Pure (no database, no message): config_routing.c
 * builds the program from the `rules` section at load time, so a regex
 * that does not compile is a config error with its line; desk/rules.c
 * runs it on a message; tests build programs by hand.
 *
 * A condition tests one field of the message with one operator, or
 * combines conditions (all, any, not).  Text operators work on UTF-8:
 * contains, equals and in are caseless in Unicode ("СРОЧНО" contains
 * "срочно", "ŻÓŁĆ" equals "żółć"); regex is PCRE2 with UTF and Unicode
 * properties, caseless only when asked (caseless = true, or (?i)).
 */
#ifndef TRIAGED_CONFIG_RULES_H
#define TRIAGED_CONFIG_RULES_H

#include <stdbool.h>
#include <stddef.h>

struct error;
struct pattern;

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

enum rules_kind {
	RULES_KIND_TEXT,
	RULES_KIND_BOOL,
	RULES_KIND_GROUP
};

/*
 * A condition: a tree built only by the functions below and read by the
 * evaluation (desk/rules.c).
 */
struct rules_cond {
	enum rules_kind		 kind;
	enum rules_field	 field;
	char			*header;	/* RULES_HEADER */
	struct pattern		**re;		/* text: any may match */
	size_t			 nre;
	bool			 want;		/* bool */
	enum rules_comb		 comb;		/* group */
	struct rules_cond	**kids;
	size_t			 nkids;
};
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
/* Rule i's condition; NULL: always. */
const struct rules_cond *rules_cond_at(const struct rules *, size_t i);

#endif
