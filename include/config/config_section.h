/*
 * config_section: the parts of the config file that are built by their
 * own files (config_agents.c, config_routing.c, config_sla.c,
 * config_reports.c, config_canned.c) into their own structs rather than
 * into struct config's fields: lists of structured entries that refer to
 * each other (agents serve categories, rules name agents, categories name
 * SLA policies, policies name calendars).  Their keys are rows of
 * config_schema[] all the same, checked by the one engine.  They are
 * still part of the config module: only config*.c include this header or
 * touch libconfig.
 *
 * Order: every section's init runs on the defaults (also when no file is
 * given), then the file is walked: the schema engine checks a
 * section's setting against its rows of config_schema[] (types, ranges,
 * choices, unknown and missing keys) and then the section's load runs
 * on it, building its structs; then every section's check runs in table
 * order, so a check can resolve names against any other section.
 * Errors go through
 * config_section_error and name file, line and setting; any error makes
 * config_load fail and the old config stays in force.
 */
#ifndef TRIAGED_CONFIG_SECTION_H
#define TRIAGED_CONFIG_SECTION_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

struct config;
struct config_loader;

struct config_section {
	const char	*name;		/* top-level setting: "agents" */
	/* defaults into a fresh config; may be NULL */
	void		(*init)(struct config *);
	/* the setting s named name (any type: check it) */
	void		(*load)(struct config_loader *, config_setting_t *s);
	/* cross-references, after the whole file; may be NULL */
	void		(*check)(struct config_loader *);
	/* frees what init/load allocated; may be NULL */
	void		(*free)(struct config *);
};

/* Terminated by an entry whose name is NULL (config_section.c). */
extern const struct config_section config_sections[];

const struct config_section *config_section_find(const char *name);

/* The config being built. */
struct config	*config_section_config(struct config_loader *);
/* The file's root group, for a check that must point at a setting. */
config_setting_t *config_section_root(struct config_loader *);
/* The directory of the main file, for relative paths in settings. */
const char	*config_section_dir(struct config_loader *);

/*
 * An error at s's file and line ("file:line: name: problem"); s NULL:
 * the file without a line.  name is the setting's path as the admin
 * would find it: "agents[2].addresses".
 */
void		 config_section_error(struct config_loader *,
		    const config_setting_t *s, const char *name,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The schema engine on a group the engine itself does not reach (inside
 * rules.if): its members against the rows under prefix, errors named
 * name.key.
 */
void	config_section_check(struct config_loader *, config_setting_t *group,
	    const char *prefix, const char *name);

/*
 * libconfig 1.5 silently wraps an integer literal beyond 32 bits written
 * without an L suffix (1099511627776 is read as 0).  This re-reads the
 * literal at s's file and line: true, with the literal as written in
 * lit[0..len) and its value in *value (clamped to the long long range),
 * if it says another number than libconfig stored (with several
 * settings of that name on the line, when none of them agrees).  False
 * when they agree or the file cannot be read back (a config read from a
 * string, an unnamed array element): nothing to compare with.
 */
bool	config_section_int_wrapped(struct config_loader *,
	    const config_setting_t *s, char *lit, size_t len,
	    long long *value);

/*
 * Typed access to member key of group, after the schema engine
 * (config_schema.h) has checked the section: type, range, choices,
 * required keys and unknown keys are reported there, once, so these only
 * read.  Each returns false, silently, if the member is absent or not of
 * the type asked (the engine has said so, and the load will fail).
 */
bool	config_section_string(config_setting_t *group, const char *key,
	    const char **out);
bool	config_section_int(config_setting_t *group, const char *key,
	    long long *out);
bool	config_section_bool(config_setting_t *group, const char *key,
	    bool *out);
/*
 * A string or an array/list of strings as a new NULL-terminated vector
 * (free with config_section_strv_free); *n gets the count.  Absent or
 * not strings: false and *out NULL.
 */
bool	config_section_strings(config_setting_t *group, const char *key,
	    char ***out, size_t *n);
void	config_section_strv_free(char **);
/* s's entry count if it is a list ( {..}, {..} ) (or empty); else -1. */
int	config_section_list(const config_setting_t *s);

#endif
