/*
 * rules: the rule program's evaluation on one message.  Every text test
 * is a compiled pattern (pattern.h: PCRE2, caseless literals for contains
 * and equals, so Unicode case folding is PCRE2's).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "mime.h"
#include "pattern.h"
#include "rules.h"
#include "xmalloc.h"

static bool	rules_text(const struct rules_cond *,
		    const struct rules_message *);
static bool	rules_test(const struct rules_cond *, const char *);
static bool	rules_addrs(const struct rules_cond *,
		    const struct mime_address *, size_t);
static const char *rules_from(const struct rules_message *);
static void	rules_push(const char ***, size_t *, const char *);
static const char *rules_step(const char *const *, size_t, const char *,
		    const char *);

/* --- evaluation ------------------------------------------------------- */

bool
rules_cond_eval(const struct rules_cond *c, const struct rules_message *m)
{
	size_t i;

	if (c == NULL)
		return true;
	switch (c->kind) {
	case RULES_KIND_TEXT:
		return rules_text(c, m);
	case RULES_KIND_BOOL:
		switch (c->field) {
		case RULES_HAS_ATTACHMENTS:
			return (m->pm != NULL && m->pm->nattachments > 0) ==
			    c->want;
		case RULES_BUSINESS_HOURS:
			return m->business_hours == c->want;
		case RULES_NEW_REQUEST:
			return m->new_request == c->want;
		default:
			return false;
		}
	case RULES_KIND_GROUP:
		for (i = 0; i < c->nkids; i++) {
			bool hit = rules_cond_eval(c->kids[i], m);

			if (c->comb == RULES_ALL && !hit)
				return false;
			if (c->comb == RULES_ANY && hit)
				return true;
			if (c->comb == RULES_NOT && hit)
				return false;
		}
		return c->comb != RULES_ANY;
	}
	return false;
}

/* A text leaf: any value of the field matches any of the patterns. */
static bool
rules_text(const struct rules_cond *c, const struct rules_message *m)
{
	const struct parsed_message *pm = m->pm;
	const char *s;
	size_t i;

	switch (c->field) {
	case RULES_FROM:
		return rules_test(c, rules_from(m));
	case RULES_FROM_DOMAIN:
		s = rules_from(m);
		return s != NULL && (s = strrchr(s, '@')) != NULL &&
		    rules_test(c, s + 1);
	case RULES_TO:
		return pm != NULL && rules_addrs(c, pm->to, pm->nto);
	case RULES_CC:
		return pm != NULL && rules_addrs(c, pm->cc, pm->ncc);
	case RULES_HEADER:
		for (i = 0; pm != NULL && i < pm->nheaders; i++) {
			if (strcasecmp(pm->headers[i].name, c->header) == 0 &&
			    rules_test(c, pm->headers[i].value))
				return true;
		}
		return false;
	case RULES_SUBJECT:
		return pm != NULL && rules_test(c, pm->subject);
	case RULES_BODY:
		return pm != NULL && rules_test(c, pm->body);
	case RULES_MAILBOX:
		for (i = 0; i < m->nmailboxes; i++) {
			if (rules_test(c, m->mailboxes[i]))
				return true;
		}
		return false;
	case RULES_COMPANY:
		return rules_test(c, m->company);
	default:
		return false;
	}
}

static bool
rules_test(const struct rules_cond *c, const char *s)
{
	size_t i;

	for (i = 0; i < c->nre; i++)
		if (pattern_match(c->re[i], s))
			return true;
	return false;
}

static bool
rules_addrs(const struct rules_cond *c, const struct mime_address *a,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rules_test(c, a[i].addr))
			return true;
	}
	return false;
}

static const char *
rules_from(const struct rules_message *m)
{
	if (m->from != NULL)
		return m->from;
	return m->pm != NULL ? m->pm->from.addr : NULL;
}

/* --- the combined decision -------------------------------------------- */

void
rules_run(const struct rules *r, const struct rules_message *m,
    const char *const *levels, size_t nlevels, const char *base,
    struct rules_result *res)
{
	const struct rules_actions *a;
	const char *prio = base;
	size_t i, j;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < rules_count(r); i++) {
		if (!rules_cond_eval(rules_cond_at(r, i), m))
			continue;
		res->hits = xreallocarray(res->hits, res->nhits + 1,
		    sizeof(*res->hits));
		res->hits[res->nhits++] = i;
		a = rules_actions_at(r, i);
		if (a->category != NULL)
			res->category = a->category;
		if (a->assign != NULL)
			res->assign = a->assign;
		if (a->strategy != NULL)
			res->strategy = a->strategy;
		if (a->sla_policy != NULL)
			res->sla_policy = a->sla_policy;
		if (a->priority != NULL)
			prio = res->priority = rules_step(levels, nlevels,
			    prio, a->priority);
		for (j = 0; j < a->ntags; j++)
			rules_push(&res->tags, &res->ntags, a->tags[j]);
		for (j = 0; j < a->ncc; j++)
			rules_push(&res->cc, &res->ncc, a->cc[j]);
		res->skip_ack |= a->skip_ack;
		res->spam |= a->spam;
		if (rules_stops(r, i))
			break;
	}
}

/*
 * The level "want" gives from cur: a level name as it is, "+N" N levels
 * above cur (the lowest if cur is unknown), capped at the top.
 */
static const char *
rules_step(const char *const *levels, size_t nlevels, const char *cur,
    const char *want)
{
	size_t i, rank = 0, step;

	if (want[0] != '+' || nlevels == 0)
		return want;
	for (i = 0; cur != NULL && i < nlevels; i++) {
		if (strcmp(levels[i], cur) == 0)
			rank = i;
	}
	step = (size_t)strtoul(want + 1, NULL, 10);
	rank = step >= nlevels - rank ? nlevels - 1 : rank + step;
	return levels[rank];
}

static void
rules_push(const char ***v, size_t *n, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i], s) == 0)
			return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

void
rules_result_free(struct rules_result *res)
{
	free(res->tags);
	free(res->cc);
	free(res->hits);
	memset(res, 0, sizeof(*res));
}

void
rules_describe(const struct rules_actions *a, struct buf *out)
{
	const char *sep = "";
	size_t i;

#define RULES_SEP() do { buf_append_str(out, sep); sep = " "; } while (0)
	if (a->category != NULL) {
		RULES_SEP();
		buf_printf(out, "category=%s", a->category);
	}
	for (i = 0; i < a->ntags; i++) {
		RULES_SEP();
		buf_printf(out, "tag=%s", a->tags[i]);
	}
	if (a->priority != NULL) {
		RULES_SEP();
		buf_printf(out, "priority=%s", a->priority);
	}
	if (a->assign != NULL) {
		RULES_SEP();
		buf_printf(out, "assign=%s", a->assign);
	}
	if (a->strategy != NULL) {
		RULES_SEP();
		buf_printf(out, "strategy=%s", a->strategy);
	}
	if (a->sla_policy != NULL) {
		RULES_SEP();
		buf_printf(out, "sla_policy=%s", a->sla_policy);
	}
	for (i = 0; i < a->ncc; i++) {
		RULES_SEP();
		buf_printf(out, "cc=%s", a->cc[i]);
	}
	if (a->skip_ack) {
		RULES_SEP();
		buf_append_str(out, "skip_ack");
	}
	if (a->spam) {
		RULES_SEP();
		buf_append_str(out, "spam");
	}
#undef RULES_SEP
	if (*sep == '\0')
		buf_append_str(out, "(no actions)");
}
