/*
 * config_canned: the `canned` section of the config, the answers an
 * agent inserts with "#template NAME" (issue 4):
 *
 *	canned = {
 *	  printer_reset = "Please switch the printer off and on again.\n";
 *	};
 *
 * Each text is a template (template.h) compiled when the config loads,
 * with the variables of config_canned_vars, so a typo in one is a config
 * error with a line number.
 */
#ifndef TRIAGED_CONFIG_CANNED_H
#define TRIAGED_CONFIG_CANNED_H

#include <libconfig.h>
#include <stddef.h>

struct config;
struct config_loader;
struct template;

/* The section's hooks (config_section.h), listed in config_sections[]. */
void	config_canned_init(struct config *);
void	config_canned_load(struct config_loader *, config_setting_t *);
void	config_canned_free(struct config *);

/* Variables a canned answer may use (NULL-terminated). */
extern const char *const config_canned_vars[];

/* The canned answer called name (exact), or NULL; borrowed from cfg. */
const struct template	*config_canned_find(const struct config *,
			    const char *name);

/*
 * The canned answers in file order, for the knowledge base: how many,
 * and the i-th (NULL past the end) with its name; borrowed from cfg.
 */
size_t			 config_canned_count(const struct config *);
const struct template	*config_canned_at(const struct config *, size_t i,
			    const char **name_out);

#endif
