/*
 * config_schema: the one table of every configuration setting (tmux
 * options-table.c, redis static_configs[]): its path, type, default,
 * bounds or allowed values, and help text, for the flat settings and the
 * sections alike (a list's entries' keys are named after the list:
 * "agents.name").  config.c's engine checks a file against it (type,
 * range, choices, the row's check, unknown and missing keys) before any
 * section builds from it; `triaged --settings` prints it as README's
 * settings table, `triaged -t --print` prints a file's effective values
 * by it.  test_config checks that conf/triaged.conf spells out its
 * defaults, tests/integration/config_table.sh that README and
 * conf/triaged.conf name every row.
 */
#ifndef TRIAGED_CONFIG_SCHEMA_H
#define TRIAGED_CONFIG_SCHEMA_H

#include <stddef.h>

struct buf;
struct config;

enum config_schema_type {
	CONFIG_SCHEMA_GROUP,	/* name = { ... }; */
	CONFIG_SCHEMA_LIST,	/* name = ( { ... }, { ... } ); */
	CONFIG_SCHEMA_STRINGS,	/* name = [ "a", "b" ]; */
	CONFIG_SCHEMA_STRING,
	CONFIG_SCHEMA_INT,
	CONFIG_SCHEMA_BOOL,
	CONFIG_SCHEMA_MAP,	/* name = { any_key = <row "name.*">; ... }; */
	/*
	 * A small language of its own (rules.if: fields, all/any/not):
	 * the section's code checks it, the engine only documents it.
	 */
	CONFIG_SCHEMA_EXPR
};

/* Where config.c puts a scalar's value in struct config. */
enum config_schema_store {
	CONFIG_STORE_NONE,	/* special: config.c knows it by name */
	CONFIG_STORE_STRING,	/* char * */
	CONFIG_STORE_STRING_OPT,/* char *, and "" becomes NULL ("not set") */
	CONFIG_STORE_INT,	/* int */
	CONFIG_STORE_SIZE,	/* size_t */
	CONFIG_STORE_BOOL	/* bool */
};

/* flags: must appear in its group (keys of list entries) */
#define CONFIG_SCHEMA_REQUIRED	0x1
/* STRINGS: a lone "string" stands for [ "string" ] */
#define CONFIG_SCHEMA_ONE_OK	0x2
/* GROUP: a list of strings stands for { levels = [ ... ]; } (priorities) */
#define CONFIG_SCHEMA_LEVELS_OK	0x4
/* STRING: a password or key, printed as "********" */
#define CONFIG_SCHEMA_SECRET	0x8

struct config_schema {
	/*
	 * Dotted path from the top: "limits.max_recipients".  The keys of
	 * list entries are named after the list: "listen.port".
	 */
	const char		*path;
	enum config_schema_type	 type;
	int			 flags;
	/*
	 * STRING, STRINGS (one element); NULL: computed at load (hostname).
	 * LIST and GROUP: the shape shown in errors, "{ name = ...; }".
	 */
	const char		*default_string;
	long long		 default_int;	/* INT; BOOL as 0/1 */
	long long		 min, max;	/* INT, inclusive */
	const char *const	*choices;	/* STRING: NULL-terminated */
	/* STRING and STRINGS elements: returns the problem, NULL if fine. */
	const char		*(*check)(const char *value);
	enum config_schema_store store;
	size_t			 offset;	/* in struct config */
	const char		*help;		/* with the unit */
};

/* Terminated by an entry whose path is NULL. */
extern const struct config_schema config_schema[];

/* The default listeners (the list's default cannot live in one entry). */
struct config_schema_listen {
	const char	*protocol;
	const char	*address;
	int		 port;
};
extern const struct config_schema_listen config_schema_listen_defaults[];
extern const size_t config_schema_nlisten_defaults;

/* acknowledgement.rate_limit_exempt's default (NULL-terminated). */
extern const char *const config_schema_ack_exempt_defaults[];

/*
 * The effective value of every setting of the table that lands in struct
 * config, defaults filled in, one "dotted.path = value;" line each,
 * values in libconfig syntax (integers beyond 32 bits with their L),
 * list entries as "listen[0] = { ... };", appended to out:
 * `triaged -t --print`.  Passwords and secrets print as "********" when
 * set.  The sections with their own tables and files (agents, routing,
 * SLA, reports, canned) and the mailboxes list are not printed yet.
 */
void		 config_schema_print(const struct config *c, struct buf *out);

/*
 * The table as Markdown, one row per setting (path, type and bounds,
 * default, help), appended to out: `triaged --settings`, README's
 * settings table (tests/config_table.sh keeps the two equal).
 */
void		 config_schema_table(struct buf *out);

/* The entry for path ("limits.max_recipients"), or NULL if unknown. */
const struct config_schema *config_schema_find(const char *path);
/* "lmtp, smtp": the choices of e as a new string the caller frees. */
char		*config_schema_choices(const struct config_schema *e);

#endif
