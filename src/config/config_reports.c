/*
 * config_reports: the "reports" section of the config file: the
 * satisfaction survey (off by default; its templates and the key that
 * signs the rating addresses), the calendar reports count business time
 * in, and the digest schedules.
 *
 *	reports = {
 *		survey = true;
 *		rating_key = "32 random characters or more ....";
 *		survey_subject = "How did we do? {{subject}}";
 *		survey_body = "... {{links}} ...";
 *		calendar = "office";	# default: the SLA default calendar
 *		digests = (
 *		    { name = "daily"; every = "daily"; at = "08:00";
 *		      to = [ "lead@example.test" ]; },
 *		    { name = "weekly"; every = "weekly"; day = "monday";
 *		      at = "07:30"; to = "boss@example.test"; }
 *		);
 *	};
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "config.h"
#include "config_reports.h"
#include "config_schema.h"
#include "config_section.h"
#include "config_sla.h"
#include "error.h"
#include "template.h"
#include "xmalloc.h"


struct config_reports {
	bool			 survey;
	char			*key;
	struct template		*subject;
	struct template		*body;
	char			*calendar;
	struct report_digest	*digests;
	size_t			 ndigests;
};

const char *const config_reports_survey_vars[] = {
	"id", "token", "subject", "customer_name", "customer_email",
	"support_address", "support_name", "links", "link1", "link2",
	"link3", "link4", "link5", NULL
};

static const char *const config_reports_weekdays[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday", NULL
};

static struct template *config_reports_template(struct config_loader *,
		    config_setting_t *, const char *key);
static void	config_reports_digests(struct config_loader *,
		    struct config_reports *, config_setting_t *);
static void	config_reports_digest(struct config_loader *,
		    config_setting_t *, const char *where,
		    struct report_digest *);
static int	config_reports_weekday(const char *);

int
config_reports_time(const char *s)
{
	int h, m, used = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &used) != 2 || s[used] != '\0' ||
	    used < 4 || h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	return h * 60 + m;
}

static int
config_reports_weekday(const char *s)
{
	int i;

	for (i = 0; config_reports_weekdays[i] != NULL; i++) {
		if (strcasecmp(s, config_reports_weekdays[i]) == 0 ||
		    (strlen(s) == 3 &&
		    strncasecmp(s, config_reports_weekdays[i], 3) == 0))
			return i;
	}
	return -1;
}

void
config_reports_init(struct config *c)
{
	struct config_reports *r = xcalloc(1, sizeof(*r));
	struct error err;

	/* the built-in texts are the schema's defaults */
	r->subject = template_compile(config_schema_find(
	    "reports.survey_subject")->default_string,
	    config_reports_survey_vars, &err);
	r->body = template_compile(config_schema_find(
	    "reports.survey_body")->default_string,
	    config_reports_survey_vars, &err);
	if (r->subject == NULL || r->body == NULL)
		abort();	/* the defaults are wrong: a bug */
	c->reports = r;
}

void
config_reports_load(struct config_loader *ld, config_setting_t *s)
{
	struct config_reports *r = config_section_config(ld)->reports;
	config_setting_t *d;
	struct template *t;
	const char *str;

	(void)config_section_bool(s, "survey", &r->survey);
	/* "" is the shipped default: no key (the survey then needs one) */
	if (config_section_string(s, "rating_key", &str) && *str != '\0' &&
	    strlen(str) >= CONFIG_KEY_MIN)	/* else the schema said it */
		r->key = xstrdup(str);
	if ((t = config_reports_template(ld, s, "survey_subject")) != NULL) {
		template_free(r->subject);
		r->subject = t;
	}
	if ((t = config_reports_template(ld, s, "survey_body")) != NULL) {
		template_free(r->body);
		r->body = t;
	}
	if (config_section_string(s, "calendar", &str))
		r->calendar = xstrdup(str);
	if ((d = config_setting_get_member(s, "digests")) != NULL)
		config_reports_digests(ld, r, d);
}

static struct template *
config_reports_template(struct config_loader *ld, config_setting_t *s,
    const char *key)
{
	struct template *t;
	struct error err;
	const char *text;

	if (!config_section_string(s, key, &text))
		return NULL;
	error_clear(&err);
	if ((t = template_compile(text, config_reports_survey_vars,
	    &err)) == NULL)
		config_section_error(ld, config_setting_get_member(s, key),
		    "reports", "%s: %s", key, err.msg);
	return t;
}

static void
config_reports_digests(struct config_loader *ld, struct config_reports *r,
    config_setting_t *s)
{
	char where[64];
	int i, n;

	if ((n = config_section_list(s)) <= 0)
		return;
	r->digests = xcalloc((size_t)n, sizeof(*r->digests));
	for (i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "reports.digests[%d]", i);
		config_reports_digest(ld, config_setting_get_elem(s,
		    (unsigned int)i), where, &r->digests[r->ndigests++]);
	}
}

static void
config_reports_digest(struct config_loader *ld, config_setting_t *g,
    const char *where, struct report_digest *d)
{
	const char *str;
	size_t i;

	/* the schema checked every, day and at; name and to are required */
	d->weekday = 1;
	if (config_section_string(g, "name", &str))
		d->name = xstrdup(str);
	if (config_section_string(g, "every", &str))
		d->weekly = strcmp(str, "weekly") == 0;
	if (config_section_string(g, "day", &str))
		d->weekday = config_reports_weekday(str);
	if (config_section_string(g, "at", &str))
		d->minute = config_reports_time(str);
	if (config_section_strings(g, "to", &d->to, &d->nto) && d->nto == 0)
		config_section_error(ld, g, where, "to must name at least "
		    "one address");
	for (i = 0; i < d->nto; i++) {
		if (!address_ok(d->to[i]))
			config_section_error(ld, g, where, "to[%zu]: \"%s\" "
			    "is not a plain address local@domain", i,
			    d->to[i]);
	}
}

/* Names unique, a key when the survey is on. */
void
config_reports_check(struct config_loader *ld)
{
	struct config_reports *r = config_section_config(ld)->reports;
	size_t i, j;

	if (r->calendar != NULL &&
	    config_sla_calendar(config_section_config(ld), r->calendar) == NULL)
		config_section_error(ld, NULL, "reports", "calendar \"%s\" "
		    "is not defined", r->calendar);
	if (r->survey && r->key == NULL)
		config_section_error(ld, NULL, "reports", "survey = true "
		    "needs rating_key (at least %d characters)",
		    CONFIG_KEY_MIN);
	for (i = 0; i < r->ndigests; i++) {
		for (j = 0; j < i; j++) {
			if (r->digests[i].name != NULL &&
			    r->digests[j].name != NULL &&
			    strcmp(r->digests[i].name,
			    r->digests[j].name) == 0)
				config_section_error(ld, NULL, "reports",
				    "two digests are named \"%s\"",
				    r->digests[i].name);
		}
	}
}

void
config_reports_free(struct config *c)
{
	struct config_reports *r = c->reports;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ndigests; i++) {
		free(r->digests[i].name);
		config_section_strv_free(r->digests[i].to);
	}
	free(r->digests);
	template_free(r->subject);
	template_free(r->body);
	free(r->key);
	free(r->calendar);
	free(r);
	c->reports = NULL;
}

bool
config_reports_survey(const struct config *c)
{
	return c->reports != NULL && c->reports->survey &&
	    c->reports->key != NULL;
}

const struct template *
config_reports_survey_subject(const struct config *c)
{
	return c->reports->subject;
}

const struct template *
config_reports_survey_body(const struct config *c)
{
	return c->reports->body;
}

const char *
config_reports_key(const struct config *c)
{
	return c->reports != NULL ? c->reports->key : NULL;
}

const char *
config_reports_calendar(const struct config *c)
{
	return c->reports != NULL ? c->reports->calendar : NULL;
}

size_t
config_reports_ndigests(const struct config *c)
{
	return c->reports != NULL ? c->reports->ndigests : 0;
}

const struct report_digest *
config_reports_digest_at(const struct config *c, size_t i)
{
	return &c->reports->digests[i];
}
