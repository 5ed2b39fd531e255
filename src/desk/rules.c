/*
 * rules: the compiled rule program (conditions as a tree, actions as
 * plain strings) and its evaluation on one message.  Every text test is
 * a PCRE2 pattern: contains and equals are the value compiled as a
 * caseless literal in UTF mode, so Unicode case folding ("СРОЧНО" /
 * "срочно", "ŻÓŁĆ" / "żółć") is PCRE2's and not a table of ours; equals
 * anchors both ends.  PCRE2_MATCH_INVALID_UTF lets a pattern run on a
 * subject with broken UTF-8 (a header we could not decode) without the
 * undefined behaviour of skipping the check.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "error.h"
#include "mime.h"
#include "rules.h"
#include "xmalloc.h"

enum rules_kind {
	RULES_KIND_TEXT,
	RULES_KIND_BOOL,
	RULES_KIND_GROUP
};

struct rules_cond {
	enum rules_kind		 kind;
	enum rules_field	 field;
	char			*header;	/* RULES_HEADER */
	pcre2_code		**re;		/* text: any may match */
	size_t			 nre;
	bool			 want;		/* bool */
	enum rules_comb		 comb;		/* group */
	struct rules_cond	**kids;
	size_t			 nkids;
};

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

static bool	rules_text(const struct rules_cond *,
		    const struct rules_message *);
static bool	rules_test(const struct rules_cond *, const char *);
static bool	rules_addrs(const struct rules_cond *,
		    const struct mime_address *, size_t);
static const char *rules_from(const struct rules_message *);
static void	rules_strv_free(char **);
static void	rules_push(const char ***, size_t *, const char *);
static const char *rules_step(const char *const *, size_t, const char *,
		    const char *);

struct rules_cond *
rules_cond_text(enum rules_field f, const char *header, enum rules_op op,
    char *const *values, size_t n, bool caseless, struct error *err)
{
	struct rules_cond *c;
	PCRE2_SIZE off;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	size_t i;
	int code;
	char msg[256];

	if (op == RULES_REGEX) {
		opts |= PCRE2_UCP;
		if (caseless)
			opts |= PCRE2_CASELESS;
	} else {
		opts |= PCRE2_LITERAL | PCRE2_CASELESS;
		if (op != RULES_CONTAINS)
			opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	}
	c = xcalloc(1, sizeof(*c));
	c->kind = RULES_KIND_TEXT;
	c->field = f;
	c->header = xstrdup_or_null(header);
	c->re = xcalloc(n, sizeof(*c->re));
	for (i = 0; i < n; i++) {
		c->re[i] = pcre2_compile((PCRE2_SPTR)values[i],
		    PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
		if (c->re[i] == NULL) {
			(void)pcre2_get_error_message(code, (PCRE2_UCHAR *)msg,
			    sizeof(msg));
			(void)error_set(err, ERR_PERM, "%s \"%s\" does not "
			    "compile at offset %zu: %s", op == RULES_REGEX ?
			    "regex" : "text", values[i], (size_t)off, msg);
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
		pcre2_code_free(c->re[i]);
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
	pcre2_match_data *md;
	size_t i;
	bool hit = false;

	if (s == NULL)
		return false;
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		abort();	/* out of memory, as xmalloc would */
	for (i = 0; i < c->nre && !hit; i++)
		hit = pcre2_match(c->re[i], (PCRE2_SPTR)s, strlen(s), 0, 0,
		    md, NULL) >= 0;
	pcre2_match_data_free(md);
	return hit;
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
	for (i = 0; i < r->n; i++) {
		if (!rules_cond_eval(r->v[i].cond, m))
			continue;
		res->hits = xreallocarray(res->hits, res->nhits + 1,
		    sizeof(*res->hits));
		res->hits[res->nhits++] = i;
		a = &r->v[i].act;
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
		if (r->v[i].stop)
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

static void
rules_strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
