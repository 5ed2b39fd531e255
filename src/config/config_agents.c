/*
 * config_agents: the `agents`, `agent_mail` and `notifications` sections
 * of the config (issue 4), held in one private struct config_agents:
 * the people who answer requests, the key that signs their reply
 * addresses, whom we believe about DKIM/SPF, and the templates of the
 * mail that tells agents what happened.  Everything has a default, so a
 * config without these sections loads (and nobody acts as an agent).
 *
 * The reply key: agent_mail.secret is the key itself; a secret_file, or
 * the generated key kept beside the database (without either), is only
 * named here and read or made by the daemon and triagectl (reply_key.h),
 * so that loading a config, and `triaged -t`, touch no key file.
 */
#include <ctype.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "address.h"
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

#define AGENTS_KEY_SUFFIX	".reply-key"
#define AGENTS_SHAPE \
	"{ name = \"anna\"; addresses = [ \"anna@example.test\" ]; }"
#define AGENTS_DAY		(24 * 60 * 60)

struct config_agents {
	struct agent		*agents;
	size_t			 n;
	/* loader only: each agent's setting, for errors found in check */
	config_setting_t	**where;
	unsigned char		*key;		/* inline secret, or set */
	size_t			 keylen;
	char			*secret_file;	/* resolved path; NULL */
	char			*secret_where;	/* "file:line" of it */
	char			*keyfile;	/* generated key's path */
	char			*note_address;
	char			**trusted;
	size_t			 ntrusted;
	char			**trusted_hosts;
	size_t			 ntrusted_hosts;
	enum config_agents_require	 require;
	/* loader only: the agent_mail group, for errors found in check */
	config_setting_t	*mail_where;
	bool			 tell_customer;
	struct template		*subject[AGENTS_NOTICE_COUNT];
	struct template		*body[AGENTS_NOTICE_COUNT];
	int64_t			 attach_max;	/* notifications.attach_max */
};

const char *const config_agents_notice_vars[] = {
	"id", "token", "subject", "text", "quoted_text",
	"customer_name", "customer_email", "customer_company",
	"customer_requests", "card", "state", "status", "priority",
	"category", "assignee", "agent", "agent_name", "actor",
	"support_address", "support_name", "marker", "result",
	"sender_name", "sender_email", "warning", NULL
};

static const char *const agents_notice_names[AGENTS_NOTICE_COUNT] = {
	"new_request", "customer_message", "assigned", "note",
	"reassigned_customer", "command_result"
};

static const char agents_marker[] =
    "##- Please type your reply above this line -##";

static struct config_agents *config_agents_of(struct config_loader *);
static void	config_agents_add(struct config_loader *,
		    struct config_agents *, config_setting_t *, int);
static void	config_agents_lower(char **, size_t);
static void	config_agents_absences(struct config_loader *,
		    struct agent *, config_setting_t *, const char *);
static bool	config_agents_date(const char *, time_t *);
static void	config_agents_free_agent(struct agent *);
static void	config_agents_check_categories(struct config_loader *,
		    struct config_agents *);
static bool	config_agents_category_known(const struct config *,
		    const char *);
static void	config_agents_secret(struct config_loader *,
		    struct config_agents *, config_setting_t *);
static void	config_agents_trust(struct config_loader *,
		    struct config_agents *, config_setting_t *);
static void	config_agents_check_trust(struct config_loader *,
		    struct config_agents *);
static void	config_agents_template(struct config_loader *,
		    struct config_agents *, config_setting_t *,
		    enum config_agents_notice);
static void	config_agents_check_addresses(struct config_loader *,
		    struct config_agents *);
static void	config_agents_check_calendars(struct config_loader *,
		    struct config_agents *);

void
config_agents_init(struct config *c)
{
	struct config_agents	*ca;
	struct error		 err;
	char			 path[64];
	size_t			 i;

	ca = xcalloc(1, sizeof(*ca));
	ca->attach_max = AGENTS_ATTACH_MAX_DEFAULT;
	/* the built-in texts are the schema's defaults */
	for (i = 0; i < AGENTS_NOTICE_COUNT; i++) {
		(void)snprintf(path, sizeof(path), "notifications.%s.subject",
		    agents_notice_names[i]);
		ca->subject[i] = template_compile(config_schema_find(path)->
		    default_string, config_agents_notice_vars, &err);
		(void)snprintf(path, sizeof(path), "notifications.%s.body",
		    agents_notice_names[i]);
		ca->body[i] = template_compile(config_schema_find(path)->
		    default_string, config_agents_notice_vars, &err);
		if (ca->subject[i] == NULL || ca->body[i] == NULL)
			abort();	/* a bug in the defaults */
	}
	c->agents = ca;
}

void
config_agents_free(struct config *c)
{
	struct config_agents	*ca = c->agents;
	size_t			 i;

	if (ca == NULL)
		return;
	for (i = 0; i < ca->n; i++)
		config_agents_free_agent(&ca->agents[i]);
	free(ca->agents);
	free(ca->where);
	if (ca->key != NULL)
		explicit_bzero(ca->key, ca->keylen);
	free(ca->key);
	free(ca->secret_file);
	free(ca->secret_where);
	free(ca->keyfile);
	free(ca->note_address);
	config_section_strv_free(ca->trusted);
	config_section_strv_free(ca->trusted_hosts);
	for (i = 0; i < AGENTS_NOTICE_COUNT; i++) {
		template_free(ca->subject[i]);
		template_free(ca->body[i]);
	}
	free(ca);
	c->agents = NULL;
}

static struct config_agents *
config_agents_of(struct config_loader *ld)
{
	return config_section_config(ld)->agents;
}

/* --- agents = ( { ... } ) ------------------------------------------- */

void
config_agents_load(struct config_loader *ld, config_setting_t *s)
{
	struct config_agents	*ca = config_agents_of(ld);
	int			 i, n;

	if ((n = config_section_list(s)) <= 0)
		return;
	ca->agents = xcalloc((size_t)n, sizeof(*ca->agents));
	ca->where = xcalloc((size_t)n, sizeof(*ca->where));
	for (i = 0; i < n; i++)
		config_agents_add(ld, ca, config_setting_get_elem(s,
		    (unsigned int)i), i);
}

static void
config_agents_add(struct config_loader *ld, struct config_agents *ca,
    config_setting_t *el, int index)
{
	struct agent	 a;
	config_setting_t *away;
	struct error	 err;
	const char	*name, *display, *calendar, *tz;
	char		 where[64];
	size_t		 i;

	(void)snprintf(where, sizeof(where), "agents[%d]", index);
	memset(&a, 0, sizeof(a));
	if (!config_section_string(el, "name", &name))
		return;
	for (i = 0; i < ca->n; i++) {
		if (strcmp(ca->agents[i].name, name) == 0) {
			config_section_error(ld, el, where, "agent \"%s\" is "
			    "already defined", name);
			return;
		}
	}
	if (!config_section_strings(el, "addresses", &a.addresses,
	    &a.naddresses))
		return;
	if (a.naddresses == 0) {
		config_section_error(ld, el, where, "needs addresses = "
		    "[ \"name@example.test\" ]");
		config_section_strv_free(a.addresses);
		return;
	}
	config_agents_lower(a.addresses, a.naddresses);
	a.name = xstrdup(name);
	(void)config_section_string(el, "display_name", &display);
	a.display_name = xstrdup(display != NULL && *display != '\0' ?
	    display : name);
	(void)config_section_strings(el, "categories", &a.categories,
	    &a.ncategories);
	(void)config_section_bool(el, "manager", &a.manager);
	if (config_section_string(el, "calendar", &calendar))
		a.calendar = xstrdup(calendar);
	if (config_section_string(el, "timezone", &tz)) {
		a.timezone = xstrdup(tz);
		/* a calendar with no hours, for its zone alone; the
		 * schema's check has refused a zone tzdata lacks */
		a.own_zone = calendar_new(tz, &err);
	}
	if ((away = config_setting_get_member(el, "away")) != NULL)
		config_agents_absences(ld, &a, away, where);
	ca->where[ca->n] = el;
	ca->agents[ca->n++] = a;
}

static void
config_agents_lower(char **v, size_t n)
{
	char	*p;
	size_t	 i;

	for (i = 0; i < n; i++)
		for (p = v[i]; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
}

/*
 * away = ( { from = "2026-12-24"; until = "2027-01-02"; } ): whole days,
 * kept here as local wall times; config_agents_check_calendars turns
 * them into instants in the agent's zone once calendars are known.
 */
static void
config_agents_absences(struct config_loader *ld, struct agent *a,
    config_setting_t *s, const char *where)
{
	config_setting_t *el;
	const char	*from, *until;
	char		 w[96];
	time_t		 t0, t1;
	int		 i, n;

	if ((n = config_section_list(s)) <= 0)
		return;
	a->absences = xcalloc((size_t)n, sizeof(*a->absences));
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned int)i);
		(void)snprintf(w, sizeof(w), "%s.away[%d]", where, i);
		if (!config_section_string(el, "from", &from) ||
		    !config_section_string(el, "until", &until))
			continue;
		if (!config_agents_date(from, &t0) ||
		    !config_agents_date(until, &t1)) {
			config_section_error(ld, el, w, "dates must be "
			    "YYYY-MM-DD (\"%s\", \"%s\")", from, until);
			continue;
		}
		if (t1 < t0) {
			config_section_error(ld, el, w, "until (%s) is before "
			    "from (%s)", until, from);
			continue;
		}
		/* until is the last day away, inclusive */
		a->absences[a->nabsences].since = t0;
		a->absences[a->nabsences].until = t1 + AGENTS_DAY;
		a->nabsences++;
	}
}

/* "YYYY-MM-DD" as midnight UTC. */
static bool
config_agents_date(const char *s, time_t *out)
{
	struct tm	 tm;
	char		*end;
	int		 mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
			    31 };

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 10 || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
	    *end != '\0')
		return false;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > mdays[tm.tm_mon])
		return false;
	*out = timegm(&tm);
	/* timegm normalises 2026-02-29 to March: refuse it */
	return gmtime_r(out, &tm) != NULL && tm.tm_mday == atoi(s + 8);
}

static void
config_agents_free_agent(struct agent *a)
{
	free(a->name);
	free(a->display_name);
	config_section_strv_free(a->addresses);
	config_section_strv_free(a->categories);
	free(a->calendar);
	free(a->timezone);
	calendar_free(a->own_zone);
	free(a->absences);
}

/* --- agent_mail = { ... } ------------------------------------------- */

void
config_agents_load_mail(struct config_loader *ld, config_setting_t *s)
{
	struct config_agents	*ca = config_agents_of(ld);
	const char		*note;

	config_agents_secret(ld, ca, s);
	if (config_section_string(s, "note_address", &note) && *note != '\0') {
		if (strchr(note, '@') == NULL || strpbrk(note, " <>\"") !=
		    NULL) {
			config_section_error(ld, s, "agent_mail.note_address",
			    "\"%s\" is not an address", note);
		} else {
			ca->note_address = xstrdup(note);
			config_agents_lower(&ca->note_address, 1);
		}
	}
	config_agents_trust(ld, ca, s);
	(void)config_section_bool(s, "tell_customer_on_reassign",
	    &ca->tell_customer);
	ca->mail_where = s;
}

/*
 * Whom we believe about DKIM/SPF (agent_auth.h).  An authserv-id is
 * compared byte for byte with the bare token an MTA writes first in its
 * Authentication-Results, so anything else could never match; a host is
 * the "by" name of a Received field.
 */
static void
config_agents_trust(struct config_loader *ld, struct config_agents *ca,
    config_setting_t *s)
{
	static const char tspecials[] = "()<>@,;:\\\"/[]?=";
	config_setting_t	*m;
	const char		*require, *p;
	size_t			 i;

	(void)config_section_strings(s, "trusted_authserv_ids", &ca->trusted,
	    &ca->ntrusted);
	m = config_setting_get_member(s, "trusted_authserv_ids");
	for (i = 0; i < ca->ntrusted; i++) {
		for (p = ca->trusted[i]; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f ||
			    strchr(tspecials, *p) != NULL)
				break;
		if (*p != '\0' || p == ca->trusted[i])
			config_section_error(ld, m,
			    "agent_mail.trusted_authserv_ids", "\"%s\" is not "
			    "an authserv-id as an MTA writes it (a bare token "
			    "such as mx.example.com)", ca->trusted[i]);
	}
	(void)config_section_strings(s, "trusted_hosts", &ca->trusted_hosts,
	    &ca->ntrusted_hosts);
	m = config_setting_get_member(s, "trusted_hosts");
	for (i = 0; i < ca->ntrusted_hosts; i++) {
		p = ca->trusted_hosts[i];
		if (*p == '\0' || strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_[]:") !=
		    strlen(p))
			config_section_error(ld, m, "agent_mail.trusted_hosts",
			    "\"%s\" is not a host name", p);
	}
	/* the schema's choices are these names */
	if (!config_section_string(s, "require", &require))
		return;
	for (i = 0; i < AGENTS_REQUIRE_COUNT; i++)
		if (strcmp(require, config_agents_require_name(i)) == 0)
			ca->require = (enum config_agents_require)i;
}

static void
config_agents_secret(struct config_loader *ld, struct config_agents *ca,
    config_setting_t *s)
{
	const char		*secret = NULL, *file = NULL;
	const config_setting_t	*m;

	(void)config_section_string(s, "secret", &secret);
	(void)config_section_string(s, "secret_file", &file);
	if (secret != NULL && file != NULL) {
		config_section_error(ld, s, "agent_mail", "secret and "
		    "secret_file cannot both be set");
		return;
	}
	if (file != NULL) {
		/* read by the daemon (reply_key.h): triaged -t reads no key */
		if (file[0] == '/' || config_section_dir(ld) == NULL)
			ca->secret_file = xstrdup(file);
		else
			xasprintf(&ca->secret_file, "%s/%s",
			    config_section_dir(ld), file);
		m = config_setting_get_member(s, "secret_file");
		xasprintf(&ca->secret_where, "%s:%u",
		    config_setting_source_file(m) != NULL ?
		    config_setting_source_file(m) : "-",
		    config_setting_source_line(m));
		return;
	}
	if (secret == NULL || strlen(secret) < CONFIG_KEY_MIN)
		return;		/* the schema said it */
	ca->keylen = strlen(secret);
	ca->key = xmalloc(ca->keylen);
	memcpy(ca->key, secret, ca->keylen);
}

/* --- notifications = { new_request = { subject; body; }; ... } ------- */

void
config_agents_load_notifications(struct config_loader *ld,
    config_setting_t *s)
{
	struct config_agents	*ca = config_agents_of(ld);
	config_setting_t	*el;
	const char		*name;
	long long		 v;
	int			 i, n;
	size_t			 k;

	n = config_setting_type(s) == CONFIG_TYPE_GROUP ?
	    config_setting_length(s) : 0;
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned int)i);
		name = config_setting_name(el);
		if (strcmp(name, "attach_max") == 0) {
			if (config_section_int(s, "attach_max", &v))
				ca->attach_max = v;
			continue;
		}
		for (k = 0; k < AGENTS_NOTICE_COUNT; k++)
			if (strcmp(name, agents_notice_names[k]) == 0)
				break;
		if (k < AGENTS_NOTICE_COUNT)	/* else the schema said it */
			config_agents_template(ld, ca, el,
			    (enum config_agents_notice)k);
	}
}

static void
config_agents_template(struct config_loader *ld, struct config_agents *ca,
    config_setting_t *el, enum config_agents_notice k)
{
	static const char *const keys[] = { "subject", "body" };
	struct template	*t;
	struct error	 err;
	const char	*text;
	char		 where[64];
	int		 part;

	(void)snprintf(where, sizeof(where), "notifications.%s",
	    agents_notice_names[k]);
	for (part = 0; part < 2; part++) {
		if (!config_section_string(el, keys[part], &text))
			continue;
		if ((t = template_compile(text, config_agents_notice_vars,
		    &err)) == NULL) {
			config_section_error(ld, config_setting_get_member(el,
			    keys[part]), where, "%s", err.msg);
			continue;
		}
		if (part == 0) {
			template_free(ca->subject[k]);
			ca->subject[k] = t;
		} else {
			template_free(ca->body[k]);
			ca->body[k] = t;
		}
	}
}

/* --- after the whole file -------------------------------------------- */

void
config_agents_check(struct config_loader *ld)
{
	struct config_agents	*ca = config_agents_of(ld);

	config_agents_check_addresses(ld, ca);
	config_agents_check_calendars(ld, ca);
	config_agents_check_categories(ld, ca);
	config_agents_check_trust(ld, ca);
	/*
	 * A PostgreSQL database (a libpq URI) has no file beside which a
	 * key could be made, and its several instances must sign with one
	 * key: the key is then the admin's, set once for all of them.
	 */
	if (ca->n > 0 && ca->key == NULL && ca->secret_file == NULL &&
	    config_database_is_uri(config_section_config(ld)->database))
		config_section_error(ld, ca->mail_where, "agent_mail",
		    "with a PostgreSQL database, set secret_file (or secret): "
		    "the same reply key on every instance");
	/* made or read by the daemon (reply_key.h), never by triaged -t */
	else if (ca->n > 0 && ca->key == NULL && ca->secret_file == NULL &&
	    config_section_config(ld)->database != NULL)
		xasprintf(&ca->keyfile, "%s%s",
		    config_section_config(ld)->database, AGENTS_KEY_SUFFIX);
	/* the settings die with the parsed file */
	free(ca->where);
	ca->where = NULL;
	ca->mail_where = NULL;
}

/*
 * Settings that would quietly do nothing: a proof that needs a trusted
 * authserv-id with none configured, a note address that cannot carry
 * the signature the required proof includes.
 */
static void
config_agents_check_trust(struct config_loader *ld, struct config_agents *ca)
{
	const struct config	*c = config_section_config(ld);
	config_setting_t	*s;

	if (ca->require == AGENTS_REQUIRE_BOTH && ca->ntrusted == 0)
		config_section_error(ld, config_setting_get_member(
		    ca->mail_where, "require"), "agent_mail.require",
		    "\"%s\" needs agent_mail.trusted_authserv_ids",
		    config_agents_require_name(ca->require));
	if (ca->require != AGENTS_REQUIRE_EITHER && ca->note_address != NULL)
		config_section_error(ld, config_setting_get_member(
		    ca->mail_where, "note_address"), "agent_mail.note_address",
		    "cannot be used with require = \"%s\": mail to it carries "
		    "no signed address (an agent writes #note in a reply "
		    "instead)", config_agents_require_name(ca->require));
	if (c->ack_require_auth && ca->ntrusted == 0) {
		s = config_section_root(ld);
		s = s != NULL ? config_setting_lookup(s,
		    "acknowledgement.require_auth") : NULL;
		config_section_error(ld, s, "acknowledgement.require_auth",
		    "needs agent_mail.trusted_authserv_ids (whose "
		    "Authentication-Results to believe)");
	}
}

/* An address is one agent's, and never ours: mail to us is customer mail. */
static void
config_agents_check_addresses(struct config_loader *ld,
    struct config_agents *ca)
{
	const struct config	*c = config_section_config(ld);
	const struct agent	*a, *b;
	char			 where[64];
	size_t			 i, j, k, l;

	for (i = 0; i < ca->n; i++) {
		a = &ca->agents[i];
		(void)snprintf(where, sizeof(where), "agents[%zu].addresses",
		    i);
		for (k = 0; k < a->naddresses; k++) {
			if (!address_ok(a->addresses[k]))
				config_section_error(ld, ca->where[i], where,
				    "%s is not an address mail can be sent to",
				    a->addresses[k]);
			if (config_is_support_address(c, a->addresses[k]))
				config_section_error(ld, ca->where[i], where,
				    "%s is a support address; agents need "
				    "their own", a->addresses[k]);
			if (ca->note_address != NULL && strcmp(ca->note_address,
			    a->addresses[k]) == 0)
				config_section_error(ld, ca->where[i], where,
				    "%s is agent_mail.note_address",
				    a->addresses[k]);
			for (j = 0; j <= i; j++) {
				b = &ca->agents[j];
				for (l = 0; l < (j == i ? k : b->naddresses);
				    l++) {
					if (strcmp(b->addresses[l],
					    a->addresses[k]) == 0)
						config_section_error(ld,
						    ca->where[i], where, "%s "
						    "is already an address of "
						    "%s", a->addresses[k],
						    b->name);
				}
			}
		}
	}
	if (ca->note_address != NULL && config_is_support_address(c,
	    ca->note_address))
		config_section_error(ld, NULL, "agent_mail.note_address",
		    "%s is a support address", ca->note_address);
}

/* Working hours come from the SLA part's calendars (sla.h). */
static void
config_agents_check_calendars(struct config_loader *ld,
    struct config_agents *ca)
{
	const struct config	*c = config_section_config(ld);
	char			 where[64];
	size_t			 i;

	const struct calendar	*cal;
	struct agent		*a;
	size_t			 k;

	for (i = 0; i < ca->n; i++) {
		a = &ca->agents[i];
		/*
		 * People give dates in their own zone: the agent's calendar,
		 * else the default calendar (UTC without any).
		 */
		cal = config_sla_calendar(c, a->calendar);
		a->zone = a->own_zone != NULL ? a->own_zone : cal != NULL ?
		    cal : config_sla_calendar(c, NULL);
		for (k = 0; cal != NULL && k < a->nabsences; k++) {
			a->absences[k].since = calendar_from_local(cal,
			    a->absences[k].since);
			a->absences[k].until = calendar_from_local(cal,
			    a->absences[k].until);
		}
		if (a->calendar == NULL || cal != NULL)
			continue;
		(void)snprintf(where, sizeof(where), "agents[%zu].calendar", i);
		config_section_error(ld, ca->where[i], where, "no calendar "
		    "\"%s\" in calendars", a->calendar);
	}
}

/*
 * Once categories are configured, an agent's category must be one of
 * them or a parent (any case, as config_agents_serves matches): a typo would
 * leave the agent out of every assignment and notification, silently.
 */
static void
config_agents_check_categories(struct config_loader *ld,
    struct config_agents *ca)
{
	const struct config	*c = config_section_config(ld);
	const struct agent	*a;
	char			 where[64];
	size_t			 i, k;

	if (config_routing_category_count(c) == 0)
		return;
	for (i = 0; i < ca->n; i++) {
		a = &ca->agents[i];
		for (k = 0; k < a->ncategories; k++) {
			if (config_agents_category_known(c, a->categories[k]))
				continue;
			(void)snprintf(where, sizeof(where),
			    "agents[%zu].categories", i);
			config_section_error(ld, ca->where[i], where, "no "
			    "category %s in categories", a->categories[k]);
		}
	}
}

static bool
config_agents_category_known(const struct config *c, const char *path)
{
	const struct routing_category *cat;
	size_t i, len = strlen(path);

	for (i = 0; i < config_routing_category_count(c); i++) {
		cat = config_routing_category_at(c, i);
		if (len > 0 && strncasecmp(cat->path, path, len) == 0 &&
		    (cat->path[len] == '\0' || cat->path[len] == '/'))
			return true;
	}
	return false;
}

/* --- readers (config_agents.h) --------------------------------------- */

size_t
config_agents_count(const struct config *c)
{
	return c->agents != NULL ? c->agents->n : 0;
}

const struct agent *
config_agents_at(const struct config *c, size_t i)
{
	return i < config_agents_count(c) ? &c->agents->agents[i] : NULL;
}

const struct agent *
config_agents_find(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < config_agents_count(c); i++)
		if (strcmp(c->agents->agents[i].name, name) == 0)
			return &c->agents->agents[i];
	return NULL;
}

const struct agent *
config_agents_by_address(const struct config *c, const char *addr)
{
	const struct agent	*a;
	size_t			 i, k, len;

	if (addr == NULL)
		return NULL;
	/* "<x@y>" as well as "x@y" */
	if (addr[0] == '<')
		addr++;
	len = strcspn(addr, ">");
	for (i = 0; i < config_agents_count(c); i++) {
		a = &c->agents->agents[i];
		for (k = 0; k < a->naddresses; k++)
			if (strlen(a->addresses[k]) == len &&
			    strncasecmp(a->addresses[k], addr, len) == 0)
				return a;
	}
	return NULL;
}

bool
config_agents_serves(const struct agent *a, const char *category)
{
	size_t	 i, n;

	if (category == NULL)
		return false;
	for (i = 0; i < a->ncategories; i++) {
		n = strlen(a->categories[i]);
		if (strncasecmp(a->categories[i], category, n) == 0 &&
		    (category[n] == '\0' || category[n] == '/'))
			return true;
	}
	return false;
}

bool
config_agents_absent(const struct agent *a, time_t now)
{
	size_t	 i;

	for (i = 0; i < a->nabsences; i++)
		if (now >= a->absences[i].since && now < a->absences[i].until)
			return true;
	return false;
}

const void *
config_agents_reply_key(const struct config *c, size_t *len_out)
{
	if (c->agents == NULL || c->agents->key == NULL) {
		*len_out = 0;
		return NULL;
	}
	*len_out = c->agents->keylen;
	return c->agents->key;
}

const char *
config_agents_secret_file(const struct config *c, const char **where)
{
	if (c->agents == NULL || c->agents->secret_file == NULL)
		return NULL;
	*where = c->agents->secret_where;
	return c->agents->secret_file;
}

const char *
config_agents_keyfile(const struct config *c)
{
	return c->agents != NULL ? c->agents->keyfile : NULL;
}

void
config_agents_set_reply_key(struct config *c, const void *key, size_t len)
{
	struct config_agents *ca = c->agents;

	if (ca->key != NULL)
		explicit_bzero(ca->key, ca->keylen);
	free(ca->key);
	ca->key = xmalloc(len);
	memcpy(ca->key, key, len);
	ca->keylen = len;
}

const char *
config_agents_note_address(const struct config *c)
{
	return c->agents != NULL ? c->agents->note_address : NULL;
}

const char *const *
config_agents_trusted_authserv(const struct config *c, size_t *n_out)
{
	if (c->agents == NULL || c->agents->ntrusted == 0) {
		*n_out = 0;
		return NULL;
	}
	*n_out = c->agents->ntrusted;
	return (const char *const *)c->agents->trusted;
}

bool
config_agents_trusts_authserv(const struct config *c, const char *id)
{
	size_t	 i;

	for (i = 0; id != NULL && c->agents != NULL && i < c->agents->ntrusted;
	    i++)
		if (strcasecmp(c->agents->trusted[i], id) == 0)
			return true;
	return false;
}

const char *const *
config_agents_trusted_hosts(const struct config *c, size_t *n_out)
{
	if (c->agents == NULL || c->agents->ntrusted_hosts == 0) {
		*n_out = 0;
		return NULL;
	}
	*n_out = c->agents->ntrusted_hosts;
	return (const char *const *)c->agents->trusted_hosts;
}

enum config_agents_require
config_agents_require(const struct config *c)
{
	return c->agents != NULL ? c->agents->require : AGENTS_REQUIRE_EITHER;
}

const char *
config_agents_require_name(enum config_agents_require r)
{
	switch (r) {
	case AGENTS_REQUIRE_EITHER:
		return "signature-or-auth";
	case AGENTS_REQUIRE_SIGNATURE:
		return "signature";
	case AGENTS_REQUIRE_BOTH:
		return "signature+auth";
	case AGENTS_REQUIRE_COUNT:
		break;
	}
	return "?";
}

bool
config_agents_tell_customer_on_reassign(const struct config *c)
{
	return c->agents != NULL && c->agents->tell_customer;
}

const char *
config_agents_reply_marker(const struct config *c)
{
	(void)c;
	return agents_marker;
}

const char *
config_agents_notice_name(enum config_agents_notice k)
{
	return (size_t)k < AGENTS_NOTICE_COUNT ? agents_notice_names[k] : "?";
}

const struct template *
config_agents_notice_subject(const struct config *c,
    enum config_agents_notice k)
{
	return c->agents->subject[k];
}

const struct template *
config_agents_notice_body(const struct config *c, enum config_agents_notice k)
{
	return c->agents->body[k];
}

int64_t
config_agents_attach_max(const struct config *c)
{
	return c->agents->attach_max;
}
