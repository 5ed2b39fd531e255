/*
 * config_routing: the `priorities`, `categories`, `companies`, `tags`
 * and `rules` sections (routing.h shows their shape), and the read
 * functions over them.  Rules are compiled here into a rules.h program,
 * so a regex that does not compile, an unknown agent, category, tag or
 * priority level is a config error with file and line, found by
 * `triaged -t` and not by the first message that needs it.
 *
 * Names are resolved in the check hook because sections may come in any
 * order in the file; load records what to resolve (with the setting, for
 * its line) and check empties that list while the file is still parsed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "config.h"
#include "config_agents.h"
#include "config_routing.h"
#include "config_rules.h"
#include "config_section.h"
#include "config_sla.h"
#include "error.h"
#include "xmalloc.h"

struct routing_company {
	char	*name;
	char	**domains;	/* lowercased */
	size_t	 ndomains;
	char	**addresses;	/* lowercased */
	size_t	 naddresses;
	char	*priority_floor;
	char	*sla_policy;
};

enum config_routing_kind {
	CONFIG_ROUTING_AGENT,
	CONFIG_ROUTING_CATEGORY,
	CONFIG_ROUTING_LEVEL,		/* a level, or "+N" when plus */
	CONFIG_ROUTING_TAG,
	CONFIG_ROUTING_SLA,		/* an SLA policy (sla_policies) */
	CONFIG_ROUTING_ADDRESS		/* one of support.addresses */
};

/* A name to resolve in check; s and where describe it for the error. */
struct config_routing_ref {
	config_setting_t		*s;
	char				*where;
	enum config_routing_kind	 kind;
	char				*name;
};

struct config_routing {
	char				**levels;
	size_t				  nlevels;
	char				 *default_level;
	struct routing_category		 *cats;
	size_t				  ncats;
	struct routing_company		 *cos;
	size_t				  ncos;
	char				**tags;		/* NULL: any tag */
	size_t				  ntags;
	struct rules			 *rules;
	struct config_routing_ref	 *refs;		/* during load only */
	size_t				  nrefs;
};

static struct config_routing *config_routing_of(struct config_loader *);
static void	config_routing_ref(struct config_loader *, config_setting_t *,
		    const char *, enum config_routing_kind, const char *);
static void	config_routing_load_category(struct config_loader *,
		    config_setting_t *, const char *);
static void	config_routing_load_company(struct config_loader *,
		    config_setting_t *, const char *);
static void	config_routing_rule(struct config_loader *,
		    config_setting_t *, const char *, int);
static bool	config_routing_actions(struct config_loader *,
		    config_setting_t *, const char *, struct rules_actions *);
static void	config_routing_actions_free(struct rules_actions *);
static struct rules_cond *config_routing_cond(struct config_loader *,
		    config_setting_t *, const char *);
static struct rules_cond *config_routing_member(struct config_loader *,
		    config_setting_t *, const char *);
static struct rules_cond *config_routing_list(struct config_loader *,
		    config_setting_t *, const char *, enum rules_comb);
static struct rules_cond *config_routing_leaf(struct config_loader *,
		    config_setting_t *, const char *, enum rules_field);
static bool	config_routing_field(const char *, enum rules_field *);
static void	config_routing_resolve(struct config_loader *,
		    const struct config_routing_ref *);
static bool	config_routing_has_level(const struct config_routing *,
		    const char *);
static void	config_routing_lower(char **);
static void	config_routing_category_addresses(struct config_loader *,
		    config_setting_t *, const char *,
		    struct routing_category *);
static bool	config_routing_subaddress(const char *, const char *);

/* --- hooks ------------------------------------------------------------ */

void
config_routing_init(struct config *c)
{
	static const char *const defaults[] = { "low", "normal", "high",
	    "urgent" };
	struct config_routing *r;
	size_t i;

	r = xcalloc(1, sizeof(*r));
	r->nlevels = sizeof(defaults) / sizeof(defaults[0]);
	r->levels = xcalloc(r->nlevels + 1, sizeof(*r->levels));
	for (i = 0; i < r->nlevels; i++)
		r->levels[i] = xstrdup(defaults[i]);
	r->default_level = xstrdup("normal");
	r->rules = rules_new();
	c->routing = r;
}

void
config_routing_free(struct config *c)
{
	struct config_routing *r = c->routing;
	size_t i;

	if (r == NULL)
		return;
	config_section_strv_free(r->levels);
	free(r->default_level);
	for (i = 0; i < r->ncats; i++) {
		free(r->cats[i].path);
		free(r->cats[i].strategy);
		free(r->cats[i].priority);
		free(r->cats[i].sla_policy);
		config_section_strv_free(r->cats[i].managers);
		config_section_strv_free(r->cats[i].addresses);
	}
	free(r->cats);
	for (i = 0; i < r->ncos; i++) {
		free(r->cos[i].name);
		config_section_strv_free(r->cos[i].domains);
		config_section_strv_free(r->cos[i].addresses);
		free(r->cos[i].priority_floor);
		free(r->cos[i].sla_policy);
	}
	free(r->cos);
	config_section_strv_free(r->tags);
	rules_free(r->rules);
	for (i = 0; i < r->nrefs; i++) {
		free(r->refs[i].where);
		free(r->refs[i].name);
	}
	free(r->refs);
	free(r);
	c->routing = NULL;
}

static struct config_routing *
config_routing_of(struct config_loader *ld)
{
	return config_section_config(ld)->routing;
}

/*
 * priorities = [ "low", ... ] or { levels = [ ... ]; default = "x"; }.
 * The default must be one of the levels; without one it is "normal" if
 * listed, else the lowest level.
 */
void
config_routing_load_priorities(struct config_loader *ld, config_setting_t *s)
{
	struct config_routing *r = config_routing_of(ld);
	config_setting_t *parent = config_setting_parent(s);
	const char *def = NULL, *key = "priorities";
	char **v;
	size_t n, i, j;

	if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
		(void)config_section_string(s, "default", &def);
		parent = s;
		key = "levels";
	}
	if (!config_section_strings(parent, key, &v, &n))
		return;
	if (n == 0) {
		config_section_error(ld, s, "priorities", "needs at least "
		    "one level");
		config_section_strv_free(v);
		return;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(v[i], v[j]) == 0)
				config_section_error(ld, s, "priorities",
				    "level %s listed twice", v[i]);
		}
		if (v[i][0] == '\0' || v[i][0] == '+')
			config_section_error(ld, s, "priorities", "bad level "
			    "name \"%s\"", v[i]);
	}
	config_section_strv_free(r->levels);
	r->levels = v;
	r->nlevels = n;
	free(r->default_level);
	r->default_level = NULL;
	if (def != NULL && !config_routing_has_level(r, def))
		config_section_error(ld, s, "priorities.default", "%s is not "
		    "one of the levels", def);
	else if (def != NULL)
		r->default_level = xstrdup(def);
	else
		r->default_level = xstrdup(config_routing_has_level(r,
		    "normal") ? "normal" : v[0]);
}

void
config_routing_load_categories(struct config_loader *ld, config_setting_t *s)
{
	char where[64];
	int i, n;

	if ((n = config_section_list(s)) < 0)
		return;
	for (i = 0; i < n; i++) {
		(void)snprintf(where, sizeof(where), "categories[%d]", i);
		config_routing_load_category(ld, config_setting_get_elem(s,
		    (unsigned int)i), where);
	}
}

void
config_routing_load_companies(struct config_loader *ld, config_setting_t *s)
{
	char where[64];
	int i, n;

	if ((n = config_section_list(s)) < 0)
		return;
	for (i = 0; i < n; i++) {
		(void)snprintf(where, sizeof(where), "companies[%d]", i);
		config_routing_load_company(ld, config_setting_get_elem(s,
		    (unsigned int)i), where);
	}
}

/* tags = [ "urgent", "vip" ]: when present, rules may add only these. */
void
config_routing_load_tags(struct config_loader *ld, config_setting_t *s)
{
	struct config_routing *r = config_routing_of(ld);

	config_section_strv_free(r->tags);
	r->tags = NULL;
	r->ntags = 0;
	(void)config_section_strings(config_setting_parent(s), "tags",
	    &r->tags, &r->ntags);
}

void
config_routing_load_rules(struct config_loader *ld, config_setting_t *s)
{
	char where[64];
	int i, n;

	if ((n = config_section_list(s)) < 0)
		return;
	for (i = 0; i < n; i++) {
		(void)snprintf(where, sizeof(where), "rules[%d]", i);
		config_routing_rule(ld, config_setting_get_elem(s,
		    (unsigned int)i), where, i);
	}
}

/*
 * Resolves the recorded names; after agents, so config_agents_find works.  An
 * IMAP mailbox's default category must exist too, once categories are
 * configured at all (before that it is just a label, as it was before
 * rules existed), and its priority must be one of the levels.
 */
void
config_routing_check(struct config_loader *ld)
{
	struct config_routing *r = config_routing_of(ld);
	const struct config *c = config_section_config(ld);
	const struct config_mailbox *mb;
	config_setting_t *mbs, *el;
	char where[96], *levels;
	size_t i;

	mbs = config_setting_get_member(config_section_root(ld), "mailboxes");
	for (i = 0; i < c->nmailboxes; i++) {
		el = mbs != NULL ? config_setting_get_elem(mbs, (int)i) : NULL;
		mb = &c->mailboxes[i];
		(void)snprintf(where, sizeof(where), "mailboxes[%zu].category",
		    i);
		if (mb->category != NULL && r->ncats > 0 &&
		    !config_routing_category_exists(c, mb->category))
			config_section_error(ld, el != NULL ?
			    config_setting_get_member(el, "category") : NULL,
			    where, "unknown category %s", mb->category);
		(void)snprintf(where, sizeof(where), "mailboxes[%zu].priority",
		    i);
		if (mb->priority != NULL &&
		    !config_routing_has_level(r, mb->priority)) {
			levels = config_routing_priority_list(c);
			config_section_error(ld, el != NULL ?
			    config_setting_get_member(el, "priority") : NULL,
			    where, "unknown priority %s (use %s)",
			    mb->priority, levels);
			free(levels);
		}
	}

	for (i = 0; i < r->nrefs; i++) {
		config_routing_resolve(ld, &r->refs[i]);
		free(r->refs[i].where);
		free(r->refs[i].name);
	}
	free(r->refs);
	r->refs = NULL;
	r->nrefs = 0;
}

/* --- loading entries -------------------------------------------------- */

static void
config_routing_ref(struct config_loader *ld, config_setting_t *s,
    const char *where, enum config_routing_kind kind, const char *name)
{
	struct config_routing *r = config_routing_of(ld);
	struct config_routing_ref *ref;

	r->refs = xreallocarray(r->refs, r->nrefs + 1, sizeof(*r->refs));
	ref = &r->refs[r->nrefs++];
	ref->s = s;
	ref->where = xstrdup(where);
	ref->kind = kind;
	ref->name = xstrdup(name);
}

static void
config_routing_load_category(struct config_loader *ld, config_setting_t *el,
    const char *where)
{
	struct config_routing *r = config_routing_of(ld);
	struct routing_category cat;
	const char *path, *strategy = "round-robin", *prio = NULL, *sla = NULL;
	size_t i;

	if (!config_section_string(el, "path", &path))
		return;
	if (*path == '\0' || *path == '/' || path[strlen(path) - 1] == '/' ||
	    strstr(path, "//") != NULL) {
		config_section_error(ld, el, where, "bad path \"%s\": names "
		    "separated by single slashes", path);
		return;
	}
	for (i = 0; i < r->ncats; i++) {
		if (strcmp(r->cats[i].path, path) == 0) {
			config_section_error(ld, el, where, "category %s "
			    "listed twice", path);
			return;
		}
	}
	(void)config_section_string(el, "strategy", &strategy);
	if (strategy == NULL)
		strategy = "round-robin";
	(void)config_section_string(el, "priority", &prio);
	(void)config_section_string(el, "sla_policy", &sla);
	memset(&cat, 0, sizeof(cat));
	cat.path = xstrdup(path);
	cat.strategy = xstrdup(strategy);
	cat.priority = xstrdup_or_null(prio);
	cat.sla_policy = xstrdup_or_null(sla);
	(void)config_section_strings(el, "managers", &cat.managers,
	    &cat.nmanagers);
	(void)config_section_bool(el, "working_hours", &cat.working_hours);
	config_routing_category_addresses(ld, el, where, &cat);
	r->cats = xreallocarray(r->cats, r->ncats + 1, sizeof(*r->cats));
	r->cats[r->ncats++] = cat;
	if (cat.priority != NULL)
		config_routing_ref(ld, el, where, CONFIG_ROUTING_LEVEL,
		    cat.priority);
	for (i = 0; i < cat.nmanagers; i++)
		config_routing_ref(ld, el, where, CONFIG_ROUTING_AGENT,
		    cat.managers[i]);
}

/*
 * addresses = [ ... ]: new requests to these support addresses default
 * to the category.  One address belongs to one category: two would make
 * the default depend on the order of the file.  Whether each is ours is
 * checked with the support section, in check.
 */
static void
config_routing_category_addresses(struct config_loader *ld,
    config_setting_t *el, const char *where, struct routing_category *cat)
{
	const struct config_routing *r = config_routing_of(ld);
	config_setting_t *s;
	size_t i, j, k;

	if (!config_section_strings(el, "addresses", &cat->addresses,
	    &cat->naddresses))
		return;
	config_routing_lower(cat->addresses);
	s = config_setting_get_member(el, "addresses");
	for (i = 0; i < cat->naddresses; i++) {
		config_routing_ref(ld, s, where, CONFIG_ROUTING_ADDRESS,
		    cat->addresses[i]);
		for (j = 0; j < r->ncats; j++) {
			for (k = 0; k < r->cats[j].naddresses; k++) {
				if (strcmp(r->cats[j].addresses[k],
				    cat->addresses[i]) == 0)
					config_section_error(ld, s, where,
					    "address %s is already the "
					    "default of category %s",
					    cat->addresses[i],
					    r->cats[j].path);
			}
		}
	}
}

static void
config_routing_load_company(struct config_loader *ld, config_setting_t *el,
    const char *where)
{
	struct config_routing *r = config_routing_of(ld);
	struct routing_company co;
	const char *name, *floor = NULL, *sla = NULL;

	if (!config_section_string(el, "name", &name))
		return;
	(void)config_section_string(el, "priority_floor", &floor);
	(void)config_section_string(el, "sla_policy", &sla);
	memset(&co, 0, sizeof(co));
	co.name = xstrdup(name);
	co.priority_floor = xstrdup_or_null(floor);
	co.sla_policy = xstrdup_or_null(sla);
	(void)config_section_strings(el, "domains", &co.domains, &co.ndomains);
	(void)config_section_strings(el, "addresses", &co.addresses,
	    &co.naddresses);
	config_routing_lower(co.domains);
	config_routing_lower(co.addresses);
	if (co.ndomains == 0 && co.naddresses == 0)
		config_section_error(ld, el, where, "needs domains or "
		    "addresses");
	r->cos = xreallocarray(r->cos, r->ncos + 1, sizeof(*r->cos));
	r->cos[r->ncos++] = co;
	if (co.priority_floor != NULL)
		config_routing_ref(ld, el, where, CONFIG_ROUTING_LEVEL,
		    co.priority_floor);
	if (co.sla_policy != NULL)
		config_routing_ref(ld, el, where, CONFIG_ROUTING_SLA,
		    co.sla_policy);
}

static void
config_routing_rule(struct config_loader *ld, config_setting_t *el,
    const char *where, int index)
{
	struct config_routing *r = config_routing_of(ld);
	struct rules_actions act;
	struct rules_cond *cond = NULL;
	config_setting_t *s;
	const char *name = NULL;
	char sub[96], defname[32];
	bool stop = false, ok;

	if (config_setting_type(el) != CONFIG_TYPE_GROUP)
		return;
	(void)config_section_string(el, "name", &name);
	if (name == NULL) {
		(void)snprintf(defname, sizeof(defname), "rule%d", index + 1);
		name = defname;
	}
	(void)config_section_bool(el, "stop", &stop);
	ok = true;
	if ((s = config_setting_get_member(el, "if")) != NULL) {
		(void)snprintf(sub, sizeof(sub), "%s.if", where);
		/* a bad condition still lets the actions be checked */
		ok = (cond = config_routing_cond(ld, s, sub)) != NULL;
	}
	memset(&act, 0, sizeof(act));
	(void)snprintf(sub, sizeof(sub), "%s.then", where);
	if ((s = config_setting_get_member(el, "then")) == NULL)
		ok = false;	/* the schema said it */
	else if (!config_routing_actions(ld, s, sub, &act))
		ok = false;
	if (!ok) {
		rules_cond_free(cond);
		config_routing_actions_free(&act);
		return;
	}
	rules_add(r->rules, name, cond, &act, stop);
}

static bool
config_routing_actions(struct config_loader *ld, config_setting_t *s,
    const char *where, struct rules_actions *act)
{
	const char *v;
	size_t i;
	bool b;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return false;
	if (config_section_string(s, "category", &v)) {
		act->category = xstrdup(v);
		config_routing_ref(ld, s, where, CONFIG_ROUTING_CATEGORY,
		    act->category);
	}
	if (config_section_string(s, "priority", &v)) {
		act->priority = xstrdup(v);
		config_routing_ref(ld, s, where, CONFIG_ROUTING_LEVEL,
		    act->priority);
	}
	if (config_section_string(s, "assign", &v)) {
		act->assign = xstrdup(v);
		config_routing_ref(ld, s, where, CONFIG_ROUTING_AGENT,
		    act->assign);
	}
	if (config_section_string(s, "strategy", &v))
		act->strategy = xstrdup(v);
	if (config_section_string(s, "sla_policy", &v)) {
		act->sla_policy = xstrdup(v);
		config_routing_ref(ld, s, where, CONFIG_ROUTING_SLA, v);
	}
	(void)config_section_strings(s, "tag", &act->tags, &act->ntags);
	for (i = 0; i < act->ntags; i++)
		config_routing_ref(ld, s, where, CONFIG_ROUTING_TAG,
		    act->tags[i]);
	(void)config_section_strings(s, "cc", &act->cc, &act->ncc);
	config_routing_lower(act->cc);
	for (i = 0; i < act->ncc; i++) {
		if (strchr(act->cc[i], '@') == NULL)
			config_section_error(ld, s, where, "cc %s is not a "
			    "mail address", act->cc[i]);
	}
	if (config_section_bool(s, "skip_ack", &b))
		act->skip_ack = b;
	if (config_section_bool(s, "spam", &b))
		act->spam = b;
	return true;
}

static void
config_routing_actions_free(struct rules_actions *act)
{
	free(act->category);
	config_section_strv_free(act->tags);
	free(act->priority);
	free(act->assign);
	free(act->strategy);
	free(act->sla_policy);
	config_section_strv_free(act->cc);
}

/* --- conditions ------------------------------------------------------- */

/*
 * A group: each member is a condition, all of which must hold.  NULL
 * (reported) if any member is wrong.
 */
static struct rules_cond *
config_routing_cond(struct config_loader *ld, config_setting_t *s,
    const char *where)
{
	struct rules_cond *all, *c;
	char sub[160];
	int i, n;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		config_section_error(ld, s, where, "must be a group of "
		    "conditions { subject = { contains = \"x\"; }; ... }");
		return NULL;
	}
	if ((n = config_setting_length(s)) == 0) {
		config_section_error(ld, s, where, "empty condition");
		return NULL;
	}
	all = rules_cond_group(RULES_ALL);
	for (i = 0; i < n; i++) {
		config_setting_t *m = config_setting_get_elem(s,
		    (unsigned int)i);

		(void)snprintf(sub, sizeof(sub), "%s.%s", where,
		    config_setting_name(m));
		if ((c = config_routing_member(ld, m, sub)) == NULL) {
			rules_cond_free(all);
			return NULL;
		}
		rules_cond_add(all, c);
	}
	return all;
}

/* One member of a condition group: a combinator or a field. */
static struct rules_cond *
config_routing_member(struct config_loader *ld, config_setting_t *m,
    const char *where)
{
	const char *name = config_setting_name(m);
	enum rules_field f;
	struct rules_cond *g, *c;

	if (strcmp(name, "all") == 0)
		return config_routing_list(ld, m, where, RULES_ALL);
	if (strcmp(name, "any") == 0)
		return config_routing_list(ld, m, where, RULES_ANY);
	if (strcmp(name, "not") == 0) {
		if (config_setting_type(m) != CONFIG_TYPE_GROUP)
			return config_routing_list(ld, m, where, RULES_NOT);
		if ((c = config_routing_cond(ld, m, where)) == NULL)
			return NULL;
		g = rules_cond_group(RULES_NOT);
		rules_cond_add(g, c);
		return g;
	}
	if (!config_routing_field(name, &f)) {
		config_section_error(ld, m, where, "unknown condition %s", name);
		return NULL;
	}
	if (f == RULES_HAS_ATTACHMENTS || f == RULES_BUSINESS_HOURS ||
	    f == RULES_NEW_REQUEST) {
		if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
			config_section_error(ld, m, where, "must be true or "
			    "false");
			return NULL;
		}
		return rules_cond_bool(f, config_setting_get_bool(m) != 0);
	}
	return config_routing_leaf(ld, m, where, f);
}

/* all/any/not = ( { ... }, { ... } ) */
static struct rules_cond *
config_routing_list(struct config_loader *ld, config_setting_t *s,
    const char *where, enum rules_comb comb)
{
	struct rules_cond *g, *c;
	char sub[192];
	int i, n;

	if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
		if ((c = config_routing_cond(ld, s, where)) == NULL)
			return NULL;
		g = rules_cond_group(comb);
		rules_cond_add(g, c);
		return g;
	}
	if ((n = config_section_list(s)) < 0) {
		config_section_error(ld, s, where, "must be a list "
		    "( { condition }, ... )");
		return NULL;
	}
	g = rules_cond_group(comb);
	for (i = 0; i < n; i++) {
		(void)snprintf(sub, sizeof(sub), "%s[%d]", where, i);
		if ((c = config_routing_cond(ld, config_setting_get_elem(s,
		    (unsigned int)i), sub)) == NULL) {
			rules_cond_free(g);
			return NULL;
		}
		rules_cond_add(g, c);
	}
	return g;
}

/*
 * field = { contains = "x"; } (or equals, regex, in; several operators
 * must all hold); header = { name = "X-Foo"; contains = "x"; }.
 */
static struct rules_cond *
config_routing_leaf(struct config_loader *ld, config_setting_t *s,
    const char *where, enum rules_field f)
{
	static const struct {
		const char	*key;
		enum rules_op	 op;
	} ops[] = {
		{ "contains", RULES_CONTAINS }, { "equals", RULES_EQUALS },
		{ "regex", RULES_REGEX }, { "in", RULES_IN }
	};
	struct rules_cond *all, *c;
	struct error err;
	const char *header = NULL;
	char **v;
	size_t i, n;
	bool caseless = false, any = false;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		config_section_error(ld, s, where, "must be a group "
		    "{ contains = \"x\"; } (or equals, regex, in)");
		return NULL;
	}
	config_section_check(ld, s, "rules.if.field", where);
	if (f == RULES_HEADER && !config_section_string(s, "name", &header)) {
		config_section_error(ld, s, where, "missing name (of the "
		    "header)");
		return NULL;
	}
	(void)config_section_bool(s, "caseless", &caseless);
	all = rules_cond_group(RULES_ALL);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!config_section_strings(s, ops[i].key, &v, &n))
			continue;
		any = true;
		if (n == 0) {
			config_section_error(ld, s, where, "%s needs a value",
			    ops[i].key);
			c = NULL;
		} else if ((c = rules_cond_text(f, header, ops[i].op, v, n,
		    caseless, &err)) == NULL)
			config_section_error(ld, config_setting_get_member(s,
			    ops[i].key), where, "%s", err.msg);
		config_section_strv_free(v);
		if (c == NULL) {
			rules_cond_free(all);
			return NULL;
		}
		rules_cond_add(all, c);
	}
	if (!any) {
		config_section_error(ld, s, where, "needs contains, equals, "
		    "regex or in");
		rules_cond_free(all);
		return NULL;
	}
	return all;
}

static bool
config_routing_field(const char *name, enum rules_field *f)
{
	static const struct {
		const char		*name;
		enum rules_field	 f;
	} fields[] = {
		{ "from", RULES_FROM }, { "from_domain", RULES_FROM_DOMAIN },
		{ "to", RULES_TO }, { "cc", RULES_CC },
		{ "header", RULES_HEADER }, { "subject", RULES_SUBJECT },
		{ "body", RULES_BODY }, { "mailbox", RULES_MAILBOX },
		{ "company", RULES_COMPANY },
		{ "has_attachments", RULES_HAS_ATTACHMENTS },
		{ "business_hours", RULES_BUSINESS_HOURS },
		{ "new_request", RULES_NEW_REQUEST }
	};
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(fields[i].name, name) == 0) {
			*f = fields[i].f;
			return true;
		}
	}
	return false;
}

/* --- check ------------------------------------------------------------ */

static void
config_routing_resolve(struct config_loader *ld,
    const struct config_routing_ref *ref)
{
	const struct config *c = config_section_config(ld);
	const struct config_routing *r = c->routing;
	const char *p;
	size_t i;

	switch (ref->kind) {
	case CONFIG_ROUTING_AGENT:
		if (config_agents_find(c, ref->name) == NULL)
			config_section_error(ld, ref->s, ref->where,
			    "unknown agent %s", ref->name);
		break;
	case CONFIG_ROUTING_CATEGORY:
		if (!config_routing_category_exists(c, ref->name))
			config_section_error(ld, ref->s, ref->where,
			    "unknown category %s", ref->name);
		break;
	case CONFIG_ROUTING_LEVEL:
		if (ref->name[0] == '+') {
			for (p = ref->name + 1; isdigit((unsigned char)*p);
			    p++)
				;
			if (p == ref->name + 1 || *p != '\0')
				config_section_error(ld, ref->s, ref->where,
				    "bad priority step %s (+1, +2, ...)",
				    ref->name);
		} else if (!config_routing_has_level(r, ref->name))
			config_section_error(ld, ref->s, ref->where,
			    "unknown priority %s", ref->name);
		break;
	case CONFIG_ROUTING_SLA:
		/*
		 * Every section is loaded before any is checked, so the
		 * policies are known here.  A rule or company naming a
		 * policy that does not exist would silently get none.
		 */
		if (config_sla_policy_count(c) > 0 &&
		    config_sla_policy_find(c, ref->name) == NULL)
			config_section_error(ld, ref->s, ref->where,
			    "no SLA policy %s in sla_policies", ref->name);
		break;
	case CONFIG_ROUTING_ADDRESS:
		/* mail to any other address never reaches the rules */
		if (strchr(ref->name, '@') == NULL ||
		    !config_is_support_address(c, ref->name))
			config_section_error(ld, ref->s, ref->where,
			    "%s is not one of support.addresses (nor a \"+\" "
			    "sub-address of one)", ref->name);
		break;
	case CONFIG_ROUTING_TAG:
		for (p = ref->name; *p != '\0'; p++) {
			if (isspace((unsigned char)*p) || *p == ',')
				break;
		}
		if (*ref->name == '\0' || *p != '\0') {
			config_section_error(ld, ref->s, ref->where,
			    "bad tag \"%s\": no spaces or commas", ref->name);
			break;
		}
		if (r->tags == NULL)
			break;
		for (i = 0; i < r->ntags; i++) {
			if (strcmp(r->tags[i], ref->name) == 0)
				break;
		}
		if (i == r->ntags)
			config_section_error(ld, ref->s, ref->where,
			    "unknown tag %s (not in tags)", ref->name);
		break;
	}
}

static bool
config_routing_has_level(const struct config_routing *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nlevels; i++) {
		if (strcmp(r->levels[i], name) == 0)
			return true;
	}
	return false;
}

static void
config_routing_lower(char **v)
{
	char *p;

	for (; v != NULL && *v != NULL; v++) {
		for (p = *v; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	}
}

/* --- read functions --------------------------------------------------- */

int
config_routing_priority_rank(const struct config *c, const char *priority)
{
	size_t i;

	if (priority == NULL)
		return -1;
	for (i = 0; i < c->routing->nlevels; i++) {
		if (strcmp(c->routing->levels[i], priority) == 0)
			return (int)i;
	}
	return -1;
}

const char *const *
config_routing_priority_levels(const struct config *c)
{
	return (const char *const *)c->routing->levels;
}

size_t
config_routing_priority_count(const struct config *c)
{
	return c->routing->nlevels;
}

const char *
config_routing_priority_at(const struct config *c, size_t rank)
{
	return rank < c->routing->nlevels ? c->routing->levels[rank] : NULL;
}

char *
config_routing_priority_list(const struct config *c)
{
	struct buf	 b;
	const char	*p;
	size_t		 i;

	buf_init(&b);
	for (i = 0; (p = config_routing_priority_at(c, i)) != NULL; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", p);
	if (b.len == 0)
		buf_append_str(&b, "a configured priority");
	return buf_steal(&b, NULL);
}

const char *
config_routing_priority_default(const struct config *c)
{
	return c->routing->default_level;
}

const struct routing_category *
config_routing_category_find(const struct config *c, const char *path)
{
	const struct config_routing *r = c->routing;
	const struct routing_category *best = NULL;
	size_t i, len, bestlen = 0;

	if (path == NULL)
		return NULL;
	for (i = 0; i < r->ncats; i++) {
		len = strlen(r->cats[i].path);
		if (strncmp(r->cats[i].path, path, len) != 0 ||
		    (path[len] != '\0' && path[len] != '/'))
			continue;
		if (best == NULL || len > bestlen) {
			best = &r->cats[i];
			bestlen = len;
		}
	}
	return best;
}

size_t
config_routing_category_count(const struct config *c)
{
	return c->routing->ncats;
}

const struct routing_category *
config_routing_category_at(const struct config *c, size_t i)
{
	return i < c->routing->ncats ? &c->routing->cats[i] : NULL;
}

bool
config_routing_category_exists(const struct config *c, const char *path)
{
	const struct config_routing *r = c->routing;
	size_t i, len = strlen(path);

	if (len == 0)
		return false;
	for (i = 0; i < r->ncats; i++) {
		if (strncmp(r->cats[i].path, path, len) == 0 &&
		    (r->cats[i].path[len] == '\0' ||
		    r->cats[i].path[len] == '/'))
			return true;
	}
	return false;
}

const struct routing_category *
config_routing_category_of_address(const struct config *c, const char *address)
{
	const struct config_routing *r = c->routing;
	size_t i, j;

	if (address == NULL)
		return NULL;
	for (i = 0; i < r->ncats; i++) {
		for (j = 0; j < r->cats[i].naddresses; j++) {
			if (strcasecmp(r->cats[i].addresses[j], address) == 0)
				return &r->cats[i];
		}
	}
	for (i = 0; i < r->ncats; i++) {
		for (j = 0; j < r->cats[i].naddresses; j++) {
			if (config_routing_subaddress(r->cats[i].addresses[j],
			    address))
				return &r->cats[i];
		}
	}
	return NULL;
}

/* addr is local+extension@domain of base local@domain (any case). */
static bool
config_routing_subaddress(const char *base, const char *addr)
{
	const char *at = strrchr(base, '@'), *aat = strrchr(addr, '@');
	size_t llen;

	if (at == NULL || aat == NULL)
		return false;
	llen = (size_t)(at - base);
	return (size_t)(aat - addr) > llen && addr[llen] == '+' &&
	    strncasecmp(base, addr, llen) == 0 && strcasecmp(at, aat) == 0;
}

const char *
config_routing_company_of(const struct config *c, const char *address,
    const char **sla_policy, const char **priority_floor)
{
	const struct config_routing *r = c->routing;
	const struct routing_company *co = NULL, *found;
	const char *dom, *d;
	size_t i, j, len, dlen, best = 0;

	if (sla_policy != NULL)
		*sla_policy = NULL;
	if (priority_floor != NULL)
		*priority_floor = NULL;
	if (address == NULL || (dom = strrchr(address, '@')) == NULL)
		return NULL;
	dom++;
	dlen = strlen(dom);
	for (i = 0; i < r->ncos && co == NULL; i++) {
		for (j = 0; j < r->cos[i].naddresses; j++) {
			if (strcasecmp(r->cos[i].addresses[j], address) == 0)
				co = &r->cos[i];
		}
	}
	/* the most specific domain wins: sub.acme.example over acme.example */
	found = co;
	for (i = 0; i < r->ncos && found == NULL; i++) {
		for (j = 0; j < r->cos[i].ndomains; j++) {
			d = r->cos[i].domains[j];
			len = strlen(d);
			if (len > dlen || len <= best || strcasecmp(dom +
			    dlen - len, d) != 0 || (len < dlen &&
			    dom[dlen - len - 1] != '.'))
				continue;
			best = len;
			co = &r->cos[i];
		}
	}
	if (co == NULL)
		return NULL;
	if (sla_policy != NULL)
		*sla_policy = co->sla_policy;
	if (priority_floor != NULL)
		*priority_floor = co->priority_floor;
	return co->name;
}

const struct rules *
config_routing_rules(const struct config *c)
{
	return c->routing->rules;
}
