/*
 * config_canned: the `canned` section, the canned answers agents insert
 * with "#template NAME" in a reply (agent_mail.c).  A group of named
 * texts, each compiled as a template when the config loads so that an
 * unknown {{variable}} is reported with its line, not discovered by the
 * first agent who uses it.  Empty by default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_canned.h"
#include "config_section.h"
#include "error.h"
#include "template.h"
#include "xmalloc.h"

struct config_canned_entry {
	char		*name;
	struct template	*text;
};

struct config_canned {
	struct config_canned_entry	*entries;
	size_t				 n;
};

const char *const config_canned_vars[] = {
	"id", "token", "subject", "customer_name", "agent_name",
	"support_address", "support_name", NULL
};

static void	config_canned_add(struct config_loader *,
		    struct config_canned *, config_setting_t *);

void
config_canned_init(struct config *c)
{
	c->canned = xcalloc(1, sizeof(*c->canned));
}

void
config_canned_load(struct config_loader *ld, config_setting_t *s)
{
	struct config_canned	*cc = config_section_config(ld)->canned;
	int			 i, n;

	n = config_setting_type(s) == CONFIG_TYPE_GROUP ?
	    config_setting_length(s) : 0;
	for (i = 0; i < n; i++)
		config_canned_add(ld, cc, config_setting_get_elem(s,
		    (unsigned int)i));
}

static void
config_canned_add(struct config_loader *ld, struct config_canned *cc,
    config_setting_t *el)
{
	struct error	 err;
	struct template	*t;
	const char	*name = config_setting_name(el);
	char		 where[160];

	(void)snprintf(where, sizeof(where), "canned.%s", name);
	if (config_setting_type(el) != CONFIG_TYPE_STRING)
		return;		/* the schema said it */
	if ((t = template_compile(config_setting_get_string(el),
	    config_canned_vars, &err)) == NULL) {
		config_section_error(ld, el, where, "%s", err.msg);
		return;
	}
	cc->entries = xreallocarray(cc->entries, cc->n + 1,
	    sizeof(*cc->entries));
	cc->entries[cc->n].name = xstrdup(name);
	cc->entries[cc->n].text = t;
	cc->n++;
}

void
config_canned_free(struct config *c)
{
	size_t	 i;

	if (c->canned == NULL)
		return;
	for (i = 0; i < c->canned->n; i++) {
		free(c->canned->entries[i].name);
		template_free(c->canned->entries[i].text);
	}
	free(c->canned->entries);
	free(c->canned);
	c->canned = NULL;
}

const struct template *
config_canned_find(const struct config *c, const char *name)
{
	size_t	 i;

	if (c->canned == NULL || name == NULL)
		return NULL;
	for (i = 0; i < c->canned->n; i++)
		if (strcmp(c->canned->entries[i].name, name) == 0)
			return c->canned->entries[i].text;
	return NULL;
}

size_t
config_canned_count(const struct config *c)
{
	return c->canned == NULL ? 0 : c->canned->n;
}

const struct template *
config_canned_at(const struct config *c, size_t i, const char **name_out)
{
	if (c->canned == NULL || i >= c->canned->n)
		return NULL;
	*name_out = c->canned->entries[i].name;
	return c->canned->entries[i].text;
}
