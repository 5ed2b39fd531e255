/*
 * config_rules: the rule program as data (config_rules.h); running it is
 * desk/rules.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "config_rules.h"
#include "error.h"
#include "pattern.h"
#include "xmalloc.h"

struct rules_rule {
	char			*name;
	struct rules_cond	*cond;
	struct rules_actions	 act;
	bool			 stop;
};

struct rules {
	struct rules_rule	*v;
	size_t			 n;
};

static void	rules_strv_free(char **);

struct rules_cond *
rules_cond_text(enum rules_field f, const char *header, enum rules_op op,
    char *const *values, size_t n, bool caseless, struct error *err)
{
	struct rules_cond *c;
	enum pattern_kind kind;
	size_t i;

	kind = op == RULES_REGEX ? PATTERN_REGEX : op == RULES_CONTAINS ?
	    PATTERN_CONTAINS : PATTERN_EQUALS;
	c = xcalloc(1, sizeof(*c));
	c->kind = RULES_KIND_TEXT;
	c->field = f;
	c->header = xstrdup_or_null(header);
	c->re = xcalloc(n, sizeof(*c->re));
	for (i = 0; i < n; i++) {
		c->re[i] = pattern_compile(values[i], kind,
		    op == RULES_REGEX && caseless, err);
		if (c->re[i] == NULL) {
			rules_cond_free(c);
			return NULL;
		}
		c->nre++;
	}
	return c;
}

struct rules_cond *
rules_cond_bool(enum rules_field f, bool want)
{
	struct rules_cond *c = xcalloc(1, sizeof(*c));

	c->kind = RULES_KIND_BOOL;
	c->field = f;
	c->want = want;
	return c;
}

struct rules_cond *
rules_cond_group(enum rules_comb comb)
{
	struct rules_cond *c = xcalloc(1, sizeof(*c));

	c->kind = RULES_KIND_GROUP;
	c->comb = comb;
	return c;
}

void
rules_cond_add(struct rules_cond *g, struct rules_cond *child)
{
	g->kids = xreallocarray(g->kids, g->nkids + 1, sizeof(*g->kids));
	g->kids[g->nkids++] = child;
}

void
rules_cond_free(struct rules_cond *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nre; i++)
		pattern_free(c->re[i]);
	free(c->re);
	free(c->header);
	for (i = 0; i < c->nkids; i++)
		rules_cond_free(c->kids[i]);
	free(c->kids);
	free(c);
}

struct rules *
rules_new(void)
{
	return xcalloc(1, sizeof(struct rules));
}

void
rules_free(struct rules *r)
{
	struct rules_actions *a;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		a = &r->v[i].act;
		free(r->v[i].name);
		rules_cond_free(r->v[i].cond);
		free(a->category);
		rules_strv_free(a->tags);
		free(a->priority);
		free(a->assign);
		free(a->strategy);
		free(a->sla_policy);
		rules_strv_free(a->cc);
	}
	free(r->v);
	free(r);
}

void
rules_add(struct rules *r, const char *name, struct rules_cond *cond,
    struct rules_actions *act, bool stop)
{
	struct rules_rule *rule;

	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	rule = &r->v[r->n++];
	rule->name = xstrdup(name);
	rule->cond = cond;
	rule->act = *act;
	rule->stop = stop;
}

size_t
rules_count(const struct rules *r)
{
	return r->n;
}

const char *
rules_name(const struct rules *r, size_t i)
{
	return r->v[i].name;
}

const struct rules_actions *
rules_actions_at(const struct rules *r, size_t i)
{
	return &r->v[i].act;
}

bool
rules_stops(const struct rules *r, size_t i)
{
	return r->v[i].stop;
}

const struct rules_cond *
rules_cond_at(const struct rules *r, size_t i)
{
	return r->v[i].cond;
}

static void
rules_strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
