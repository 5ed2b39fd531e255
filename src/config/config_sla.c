/*
 * config_sla: the "calendars", "sla_policies" and "sla" sections of the
 * config file (see sla.h for their shape).  Calendars are built here, at
 * load, so a wrong time zone or a bad interval is a config error with a
 * line number, never a surprise at the first deadline; policies name
 * their calendar by name and are resolved in the check, after every
 * section is read.  Nothing here reads the database or the clock.
 */
#include <libconfig.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "config_agents.h"
#include "config_routing.h"
#include "config_schema.h"
#include "config_section.h"
#include "config_sla.h"
#include "error.h"
#include "template.h"
#include "xmalloc.h"

/* Name of the built-in calendar used when the file has none. */
#define CONFIG_SLA_BUILTIN	"24x7"

struct config_sla_calendar {
	char		*name;
	struct calendar	*cal;
};

struct config_sla {
	struct config_sla_calendar *cals;	/* file order; [0] default */
	size_t			 ncals;
	struct calendar		*builtin;	/* 24/7 UTC */
	struct sla_policy	*policies;
	size_t			 npolicies;
	char			*default_policy; /* NULL: the first */
	bool			 no_default;	/* default_policy "" */
	/* [0] warning, [1] breach, [2] out-of-hours: subject and body */
	struct template		*subject[3];
	struct template		*body[3];
};

/* Variables of warning and breach mail. */
static const char *const config_sla_mail_vars[] = {
	"id", "token", "subject", "target", "due", "left", "policy",
	"assignee", "priority", "category", "customer_email", "status", NULL
};
/* The acknowledgement's variables and the time the clock starts. */
static const char *const config_sla_ooh_vars[] = {
	"id", "token", "subject", "customer_name", "customer_email",
	"original_text", "quoted_text", "support_address", "support_name",
	"clock_starts", NULL
};
/* Where the built-in texts are: the schema's defaults. */
static const char *const config_sla_mail_names[3] = {
	"sla.warning", "sla.breach", "sla.out_of_hours_ack"
};
static const char *const config_sla_days[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

static struct config_sla *config_sla_of(struct config_loader *);
static struct template *config_sla_compile(const char *text, int kind);
static void	config_sla_builtin_zone(struct config_sla *, const char *);
static void	config_sla_load_calendar(struct config_loader *,
		    config_setting_t *, const char *where);
static void	config_sla_hours(struct config_loader *, config_setting_t *,
		    const char *where, struct calendar *);
static void	config_sla_day(struct config_loader *, config_setting_t *,
		    const char *where, int weekday, struct calendar *);
static void	config_sla_dates(struct config_loader *, config_setting_t *,
		    const char *where, const char *key, struct calendar *);
static void	config_sla_policy(struct config_loader *, config_setting_t *,
		    const char *where);
static long	config_sla_minutes(config_setting_t *, const char *key);
static void	config_sla_escalate(config_setting_t *,
		    struct sla_escalation *);
static void	config_sla_templates(struct config_loader *,
		    config_setting_t *, const char *where, const char *key,
		    int kind);
static void	config_sla_policy_free(struct sla_policy *);
static void	config_sla_check_policy(struct config_loader *,
		    struct sla_policy *);

void
config_sla_init(struct config *c)
{
	struct config_sla *s = xcalloc(1, sizeof(*s));
	struct error err;
	char path[64];
	int i;

	for (i = 0; i < 3; i++) {
		(void)snprintf(path, sizeof(path), "%s.subject",
		    config_sla_mail_names[i]);
		s->subject[i] = config_sla_compile(
		    config_schema_find(path)->default_string, i);
		(void)snprintf(path, sizeof(path), "%s.body",
		    config_sla_mail_names[i]);
		s->body[i] = config_sla_compile(
		    config_schema_find(path)->default_string, i);
	}
	/* UTC ships with tzdata; a system without it has no SLA clock. */
	if ((s->builtin = calendar_new("UTC", &err)) != NULL) {
		for (i = 0; i < 7; i++)
			(void)calendar_add_hours(s->builtin, i, "00:00",
			    "24:00", &err);
	}
	c->sla = s;
}

/*
 * The built-in 24/7 calendar in the `timezone` setting's zone: without
 * calendars it still gives reports, digests and triagectl their days and
 * the zone their times are shown in.  The zone was checked with the
 * setting; should tzdata vanish since, UTC stays.
 */
static void
config_sla_builtin_zone(struct config_sla *s, const char *zone)
{
	struct calendar *cal;
	struct error err;
	int i;

	if ((cal = calendar_new(zone, &err)) == NULL)
		return;
	for (i = 0; i < 7; i++)
		(void)calendar_add_hours(cal, i, "00:00", "24:00", &err);
	calendar_free(s->builtin);
	s->builtin = cal;
}

/* The defaults above are ours: failing to compile them is a bug. */
static struct template *
config_sla_compile(const char *text, int kind)
{
	struct template *t;
	struct error err;

	t = template_compile(text, kind == 2 ? config_sla_ooh_vars :
	    config_sla_mail_vars, &err);
	if (t == NULL)
		abort();
	return t;
}

void
config_sla_free(struct config *c)
{
	struct config_sla *s = c->sla;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ncals; i++) {
		free(s->cals[i].name);
		calendar_free(s->cals[i].cal);
	}
	free(s->cals);
	calendar_free(s->builtin);
	for (i = 0; i < s->npolicies; i++)
		config_sla_policy_free(&s->policies[i]);
	free(s->policies);
	free(s->default_policy);
	for (i = 0; i < 3; i++) {
		template_free(s->subject[i]);
		template_free(s->body[i]);
	}
	free(s);
	c->sla = NULL;
}

static void
config_sla_policy_free(struct sla_policy *p)
{
	free(p->name);
	free(p->calendar_name);
	config_section_strv_free(p->priorities);
	free(p->escalate.priority);
	free(p->escalate.tag);
	free(p->escalate.assign);
	free(p->escalate.category);
	config_section_strv_free(p->escalate.notify);
}

static struct config_sla *
config_sla_of(struct config_loader *ld)
{
	return config_section_config(ld)->sla;
}

void
config_sla_load_calendars(struct config_loader *ld, config_setting_t *s)
{
	char where[64];
	int i, n;

	if ((n = config_section_list(s)) == -1)
		return;
	for (i = 0; i < n; i++) {
		(void)snprintf(where, sizeof(where), "calendars[%d]", i);
		config_sla_load_calendar(ld, config_setting_get_elem(s, i),
		    where);
	}
}

static void
config_sla_load_calendar(struct config_loader *ld, config_setting_t *el,
    const char *where)
{
	struct config_sla *s = config_sla_of(ld);
	struct calendar *cal;
	config_setting_t *hours;
	const char *name, *tz;
	struct error err;
	size_t i;

	if (!config_section_string(el, "name", &name))
		return;
	for (i = 0; i < s->ncals; i++) {
		if (strcmp(s->cals[i].name, name) == 0) {
			config_section_error(ld, el, where, "calendar %s "
			    "listed twice", name);
			return;
		}
	}
	if (!config_section_string(el, "timezone", &tz))
		tz = "UTC";
	if ((cal = calendar_new(tz, &err)) == NULL) {
		config_section_error(ld, el, where, "timezone %s: %s", tz,
		    err.msg);
		return;
	}
	if ((hours = config_setting_get_member(el, "hours")) != NULL)
		config_sla_hours(ld, hours, where, cal);
	config_sla_dates(ld, el, where, "holidays", cal);
	config_sla_dates(ld, el, where, "workdays", cal);
	s->cals = xreallocarray(s->cals, s->ncals + 1, sizeof(*s->cals));
	s->cals[s->ncals].name = xstrdup(name);
	s->cals[s->ncals++].cal = cal;
}

/* hours = { mon = [ "9:00-13:00", "14:00-18:00" ]; ... } */
static void
config_sla_hours(struct config_loader *ld, config_setting_t *hours,
    const char *where, struct calendar *cal)
{
	config_setting_t *day;
	char sub[96];
	int wd;

	for (wd = 0; wd < 7; wd++) {
		if ((day = config_setting_get_member(hours,
		    config_sla_days[wd])) == NULL)
			continue;
		(void)snprintf(sub, sizeof(sub), "%s.hours.%s", where,
		    config_sla_days[wd]);
		config_sla_day(ld, day, sub, wd, cal);
	}
}

static void
config_sla_day(struct config_loader *ld, config_setting_t *day,
    const char *where, int weekday, struct calendar *cal)
{
	config_setting_t *el;
	struct error err;
	const char *iv;
	char open[8], *dash;
	int i, n;

	n = config_setting_is_aggregate(day) ? config_setting_length(day) : 0;
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(day, i);
		if ((iv = config_setting_get_string(el)) == NULL)
			continue;	/* the schema said it */
		if ((dash = strchr(iv, '-')) == NULL ||
		    (size_t)(dash - iv) >= sizeof(open)) {
			config_section_error(ld, el, where, "interval must be "
			    "a string \"H:MM-H:MM\"");
			continue;
		}
		memcpy(open, iv, (size_t)(dash - iv));
		open[dash - iv] = '\0';
		if (calendar_add_hours(cal, weekday, open, dash + 1,
		    &err) == -1)
			config_section_error(ld, el, where, "%s: %s", iv,
			    err.msg);
	}
}

static void
config_sla_dates(struct config_loader *ld, config_setting_t *el,
    const char *where, const char *key, struct calendar *cal)
{
	struct error err;
	char **dates, sub[96];
	size_t i, n;
	int rc;

	if (!config_section_strings(el, key, &dates, &n))
		return;
	(void)snprintf(sub, sizeof(sub), "%s.%s", where, key);
	for (i = 0; i < n; i++) {
		rc = strcmp(key, "holidays") == 0 ?
		    calendar_add_holiday(cal, dates[i], &err) :
		    calendar_add_workday(cal, dates[i], &err);
		if (rc == -1)
			config_section_error(ld, el, sub, "%s: %s", dates[i],
			    err.msg);
	}
	config_section_strv_free(dates);
}

void
config_sla_load_policies(struct config_loader *ld, config_setting_t *s)
{
	char where[64];
	int i, n;

	if ((n = config_section_list(s)) == -1)
		return;
	for (i = 0; i < n; i++) {
		(void)snprintf(where, sizeof(where), "sla_policies[%d]", i);
		config_sla_policy(ld, config_setting_get_elem(s, i), where);
	}
}

static void
config_sla_policy(struct config_loader *ld, config_setting_t *el,
    const char *where)
{
	struct config_sla *s = config_sla_of(ld);
	struct sla_policy p;
	config_setting_t *esc;
	const char *name, *cal;
	long long warn = 80;

	if (!config_section_string(el, "name", &name))
		return;
	if (config_sla_policy_find(config_section_config(ld), name) != NULL) {
		config_section_error(ld, el, where, "policy %s listed twice",
		    name);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.name = xstrdup(name);
	if (config_section_string(el, "calendar", &cal))
		p.calendar_name = xstrdup(cal);
	p.target[SLA_FIRST_RESPONSE] = config_sla_minutes(el,
	    "first_response");
	p.target[SLA_NEXT_RESPONSE] = config_sla_minutes(el, "next_response");
	p.target[SLA_RESOLUTION] = config_sla_minutes(el, "resolution");
	(void)config_section_strings(el, "priorities", &p.priorities,
	    &p.npriorities);
	(void)config_section_int(el, "warn_at", &warn);
	p.warn_at = (int)warn;
	if ((esc = config_setting_get_member(el, "escalate")) != NULL)
		config_sla_escalate(esc, &p.escalate);
	s->policies = xreallocarray(s->policies, s->npolicies + 1,
	    sizeof(*s->policies));
	s->policies[s->npolicies++] = p;
}

/* Business minutes in the file, seconds in memory; absent: 0 (none). */
static long
config_sla_minutes(config_setting_t *el, const char *key)
{
	long long v = 0;

	(void)config_section_int(el, key, &v);
	return (long)v * 60;
}

static void
config_sla_escalate(config_setting_t *esc, struct sla_escalation *e)
{
	const char *v;

	if (config_section_string(esc, "priority", &v))
		e->priority = xstrdup(v);
	if (config_section_string(esc, "tag", &v))
		e->tag = xstrdup(v);
	if (config_section_string(esc, "assign", &v))
		e->assign = xstrdup(v);
	if (config_section_string(esc, "category", &v))
		e->category = xstrdup(v);
	(void)config_section_strings(esc, "notify", &e->notify, &e->nnotify);
}

void
config_sla_load_sla(struct config_loader *ld, config_setting_t *g)
{
	struct config_sla *s = config_sla_of(ld);
	const char *v;

	if (config_section_string(g, "default_policy", &v)) {
		free(s->default_policy);
		s->default_policy = *v != '\0' ? xstrdup(v) : NULL;
		s->no_default = *v == '\0';
	}
	config_sla_templates(ld, g, "sla", "warning", 0);
	config_sla_templates(ld, g, "sla", "breach", 1);
	config_sla_templates(ld, g, "sla", "out_of_hours_ack", 2);
}

/* key = { subject = "..."; body = "..."; }; each replaces a default. */
static void
config_sla_templates(struct config_loader *ld, config_setting_t *g,
    const char *where, const char *key, int kind)
{
	static const char *const keys[] = { "subject", "body" };
	struct config_sla *s = config_sla_of(ld);
	struct template **slot;
	config_setting_t *t;
	struct template *tp;
	struct error err;
	const char *text;
	char sub[64];
	int i;

	if ((t = config_setting_get_member(g, key)) == NULL)
		return;
	(void)snprintf(sub, sizeof(sub), "%s.%s", where, key);
	for (i = 0; i < 2; i++) {
		if (!config_section_string(t, keys[i], &text))
			continue;
		tp = template_compile(text, kind == 2 ? config_sla_ooh_vars :
		    config_sla_mail_vars, &err);
		if (tp == NULL) {
			config_section_error(ld, config_setting_get_member(t,
			    keys[i]), sub, "%s: %s", keys[i], err.msg);
			continue;
		}
		slot = i == 0 ? &s->subject[kind] : &s->body[kind];
		template_free(*slot);
		*slot = tp;
	}
}

void
config_sla_check(struct config_loader *ld)
{
	struct config *c = config_section_config(ld);
	struct config_sla *s = c->sla;
	const struct routing_category *cat;
	size_t i;

	if (c->timezone != NULL)
		config_sla_builtin_zone(s, c->timezone);

	if (s->builtin == NULL && s->ncals == 0 && s->npolicies > 0)
		config_section_error(ld, NULL, "sla_policies", "no calendar: "
		    "the built-in UTC one needs tzdata");
	for (i = 0; i < s->npolicies; i++)
		config_sla_check_policy(ld, &s->policies[i]);
	if (s->default_policy != NULL &&
	    config_sla_policy_find(c, s->default_policy) == NULL)
		config_section_error(ld, NULL, "sla.default_policy",
		    "no policy %s in sla_policies", s->default_policy);
	/*
	 * A category naming a policy that does not exist would silently
	 * fall back to the priority's; without any policy SLAs are simply
	 * off, and the name waits for them.
	 */
	for (i = 0; s->npolicies > 0 &&
	    i < config_routing_category_count(c); i++) {
		cat = config_routing_category_at(c, i);
		if (cat->sla_policy != NULL &&
		    config_sla_policy_find(c, cat->sla_policy) == NULL)
			config_section_error(ld, NULL, "categories",
			    "category %s: no policy %s in sla_policies",
			    cat->path, cat->sla_policy);
	}
}

static void
config_sla_check_policy(struct config_loader *ld, struct sla_policy *p)
{
	const struct config *c = config_section_config(ld);
	const struct sla_escalation *e = &p->escalate;
	char where[128];
	size_t i;

	(void)snprintf(where, sizeof(where), "sla_policies %s", p->name);
	p->calendar = config_sla_calendar(c, p->calendar_name);
	if (p->calendar_name != NULL && p->calendar == NULL)
		config_section_error(ld, NULL, where, "no calendar %s",
		    p->calendar_name);
	for (i = 0; i < p->npriorities; i++) {
		if (config_routing_priority_rank(c, p->priorities[i]) == -1)
			config_section_error(ld, NULL, where, "unknown "
			    "priority %s", p->priorities[i]);
	}
	if (e->priority != NULL && e->priority[0] != '+' &&
	    config_routing_priority_rank(c, e->priority) == -1)
		config_section_error(ld, NULL, where, "escalate.priority: "
		    "\"+N\" or a priority level, not %s", e->priority);
	if (e->priority != NULL && e->priority[0] == '+' &&
	    (e->priority[1] < '1' || e->priority[1] > '9' ||
	    e->priority[2] != '\0'))
		config_section_error(ld, NULL, where, "escalate.priority: "
		    "\"+1\" to \"+9\", not %s", e->priority);
	if (e->assign != NULL && config_agents_find(c, e->assign) == NULL)
		config_section_error(ld, NULL, where, "escalate.assign: no "
		    "agent %s", e->assign);
	if (e->category != NULL &&
	    !config_routing_category_exists(c, e->category))
		config_section_error(ld, NULL, where, "escalate.category: no "
		    "category %s", e->category);
}

const struct calendar *
config_sla_calendar(const struct config *c, const char *name)
{
	const struct config_sla *s = c != NULL ? c->sla : NULL;
	size_t i;

	if (s == NULL)
		return NULL;
	if (name == NULL)
		return s->ncals > 0 ? s->cals[0].cal : s->builtin;
	for (i = 0; i < s->ncals; i++) {
		if (strcmp(s->cals[i].name, name) == 0)
			return s->cals[i].cal;
	}
	if (s->ncals == 0 && strcmp(name, CONFIG_SLA_BUILTIN) == 0)
		return s->builtin;
	return NULL;
}

const struct sla_policy *
config_sla_policy_find(const struct config *c, const char *name)
{
	const struct config_sla *s = c->sla;
	size_t i;

	if (s == NULL || name == NULL)
		return NULL;
	for (i = 0; i < s->npolicies; i++) {
		if (strcmp(s->policies[i].name, name) == 0)
			return &s->policies[i];
	}
	return NULL;
}

size_t
config_sla_policy_count(const struct config *c)
{
	return c->sla != NULL ? c->sla->npolicies : 0;
}

const struct sla_policy *
config_sla_policy_for(const struct config *c, const char *chosen,
    const char *priority)
{
	const struct config_sla *s = c->sla;
	const struct sla_policy *p;
	size_t i, j;

	if (s == NULL || s->npolicies == 0)
		return NULL;
	if ((p = config_sla_policy_find(c, chosen)) != NULL)
		return p;
	for (i = 0; priority != NULL && i < s->npolicies; i++) {
		for (j = 0; j < s->policies[i].npriorities; j++) {
			if (strcmp(s->policies[i].priorities[j], priority) == 0)
				return &s->policies[i];
		}
	}
	if (s->no_default)
		return NULL;
	if (s->default_policy != NULL)
		return config_sla_policy_find(c, s->default_policy);
	return &s->policies[0];
}

const char *
config_sla_default_policy(const struct config *c)
{
	const struct config_sla *s = c->sla;

	if (s == NULL || s->npolicies == 0 || s->no_default)
		return NULL;
	return s->default_policy != NULL ? s->default_policy :
	    s->policies[0].name;
}

const struct template *
config_sla_mail_subject(const struct config *c, bool breach)
{
	return c->sla->subject[breach ? 1 : 0];
}

const struct template *
config_sla_mail_body(const struct config *c, bool breach)
{
	return c->sla->body[breach ? 1 : 0];
}

const struct template *
config_sla_ooh_subject(const struct config *c)
{
	return c->sla->subject[2];
}

const struct template *
config_sla_ooh_body(const struct config *c)
{
	return c->sla->body[2];
}
