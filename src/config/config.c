/*
 * config: the libconfig file turned into one immutable struct config.
 *
 * Loading starts from the defaults of config_schema.c and walks the file's
 * tree, looking every setting up in the schema: an unknown name, a wrong
 * type or a value out of bounds is an error at that setting's file and
 * line.  Checks that involve two settings (tls pair, limits, retry) run
 * after the walk.  Every error is collected, never only the first, so an
 * admin fixes a file in one round; a config with any error is not returned,
 * so the daemon keeps running with the old one (SIGHUP) or refuses to start.
 *
 * This is the only module that touches libconfig, and with the log the only
 * one holding global mutable state: the current config, swapped on SIGHUP.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_include.h"
#include "config_schema.h"
#include "config_section.h"
#include "error.h"
#include "log.h"
#include "template.h"
#include "xmalloc.h"


/* State of one config_load(): the file being read and the errors so far. */
struct config_loader {
	struct config		*c;
	const char		*file;
	struct buf		*errors;	/* may be NULL */
	int			 nerrors;
	config_t		 cf;
	char			*include_dir;	/* of file */
	config_setting_t	*password_file;	/* if given */
};

static struct config *config_new_defaults(void);
static void	 config_store_default(struct config *,
		    const struct config_schema *);
static char	*config_default_hostname(void);
static int	 config_default_writers(void);
static struct template *config_default_template(const char *);
static void	 config_store_string(struct config *,
		    const struct config_schema *, const char *);
static void	 config_store_number(struct config *,
		    const struct config_schema *, long long);
static enum config_smarthost_tls config_smarthost_tls(const char *);
static bool	 config_is_subaddress(const char *, const char *);
static void	 config_free(struct config *);
static void	 config_free_addresses(struct config *);
static void	 config_free_exempt(struct config *);
static void	 config_load_exempt(struct config_loader *,
		    const config_setting_t *, const struct config_schema *);
static void	 config_free_listen(struct config *);
static void	 config_free_mailboxes(struct config *);
static void	 config_free_mailbox(struct config_mailbox *);

static int	 config_parse(struct config_loader *);
static void	 config_walk_group(struct config_loader *,
		    config_setting_t *, const char *);
static void	 config_visit(struct config_loader *, config_setting_t *,
		    const struct config_schema *);
static void	 config_check_setting(struct config_loader *,
		    config_setting_t *, const struct config_schema *,
		    const char *);
static void	 config_check_members(struct config_loader *,
		    config_setting_t *, const char *, const char *);
static void	 config_unknown(struct config_loader *,
		    const config_setting_t *, const char *, const char *);
static size_t	 config_distance(const char *, const char *);
static bool	 config_type_ok(const config_setting_t *,
		    const struct config_schema *);
static bool	 config_scalar_ok(struct config_loader *,
		    const config_setting_t *, const struct config_schema *,
		    const char *);
static bool	 config_string_ok(struct config_loader *,
		    const config_setting_t *, const struct config_schema *,
		    const char *);
static bool	 config_int_ok(struct config_loader *,
		    const config_setting_t *, const struct config_schema *,
		    const char *);
static bool	 config_is_choice(const struct config_schema *,
		    const char *);
static void	 config_apply(struct config_loader *, config_setting_t *,
		    const struct config_schema *);
static void	 config_load_template(struct config_loader *,
		    const config_setting_t *, const struct config_schema *,
		    struct template **);
static void	 config_load_addresses(struct config_loader *,
		    const config_setting_t *, const struct config_schema *);
static void	 config_load_listen(struct config_loader *,
		    config_setting_t *, const struct config_schema *);
static void	 config_load_listen_entry(struct config_loader *,
		    config_setting_t *, int, struct config_listen *);
static void	 config_set_listen_field(struct config_listen *,
		    const struct config_schema *, const config_setting_t *);
static void	 config_check_listen_duplicates(struct config_loader *,
		    const config_setting_t *);
static void	 config_load_mailboxes(struct config_loader *,
		    config_setting_t *, const struct config_schema *);
static void	 config_load_mailbox_entry(struct config_loader *,
		    config_setting_t *, int, struct config_mailbox *);
static void	 config_mailbox_defaults(struct config_mailbox *);
static void	 config_set_mailbox_field(struct config_mailbox *,
		    const struct config_schema *, const config_setting_t *);
static void	 config_load_mailbox_tags(config_setting_t *,
		    struct config_mailbox *);
static void	 config_check_mailbox(struct config_loader *,
		    config_setting_t *, int, struct config_mailbox *);
static void	 config_check_mailbox_duplicates(struct config_loader *,
		    const config_setting_t *);
static void	 config_finish(struct config_loader *);
static void	 config_check_tls(struct config_loader *);
static void	 config_resolve(struct config_loader *, char **);
static char	*config_resolved(struct config_loader *, const char *);
static void	 config_check_readable(struct config_loader *, const char *,
		    const char *);
static void	 config_check_limits(struct config_loader *);
static void	 config_mailbox_sizes(struct config_loader *);
static void	 config_default_inflight(struct config *);
static void	 config_check_retry(struct config_loader *);
static void	 config_check_password(struct config_loader *);
static char	*config_read_password(struct config_loader *,
		    const config_setting_t *, const char *, const char *);
static bool	 config_in_file(struct config_loader *, const char *);
static void	 config_put_file(struct config_loader *, const char *);
static void	 config_error(struct config_loader *,
		    const config_setting_t *, const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static void	 config_error_path(struct config_loader *, const char *,
		    const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 config_verror(struct config_loader *,
		    const config_setting_t *, const char *, const char *,
		    va_list)
		    __attribute__((format(printf, 4, 0)));

/* max_inflight_bytes = 0: this many messages of max_message_size. */
#define CONFIG_INFLIGHT_MESSAGES	8

static pthread_mutex_t	 config_current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config	*config_current_config;

struct config *
config_load(const char *path, struct buf *errors)
{
	struct config_loader ld;
	struct config *c;

	c = config_new_defaults();
	if (path == NULL) {
		config_default_inflight(c);
		return c;
	}
	free(c->path);
	c->path = xstrdup(path);

	memset(&ld, 0, sizeof(ld));
	ld.c = c;
	ld.file = path;
	ld.errors = errors;
	config_init(&ld.cf);
	if (config_parse(&ld) == 0) {
		config_walk_group(&ld, config_root_setting(&ld.cf), NULL);
		config_finish(&ld);
	}
	config_destroy(&ld.cf);
	free(ld.include_dir);
	if (ld.nerrors > 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

struct config *
config_ref(struct config *c)
{
	if (c != NULL)
		__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void
config_unref(struct config *c)
{
	/* Release/acquire so the last holder sees every other's writes. */
	if (c != NULL && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		config_free(c);
}

bool
config_is_support_address(const struct config *c, const char *addr)
{
	size_t i;

	if (addr == NULL)
		return false;
	for (i = 0; i < c->nsupport_addresses; i++) {
		if (strcasecmp(c->support_addresses[i], addr) == 0 ||
		    config_is_subaddress(c->support_addresses[i], addr))
			return true;
	}
	return false;
}

/*
 * addr is local+extension@domain of base local@domain (any case).  The
 * extension has no '@': addr has exactly one, or "support+@evil@ours"
 * would pass as ours while naming another domain.
 */
static bool
config_is_subaddress(const char *base, const char *addr)
{
	const char *at = strrchr(base, '@'), *plus, *aat;
	size_t llen;

	if (at == NULL || (aat = strrchr(addr, '@')) == NULL ||
	    strchr(addr, '@') != aat)
		return false;
	llen = (size_t)(at - base);
	plus = addr + llen;
	return (size_t)(aat - addr) > llen && *plus == '+' &&
	    strncasecmp(base, addr, llen) == 0 && strcasecmp(at, aat) == 0;
}

struct config *
config_current(void)
{
	struct config *c;

	pthread_mutex_lock(&config_current_lock);
	c = config_ref(config_current_config);
	pthread_mutex_unlock(&config_current_lock);
	return c;
}

void
config_set_current(struct config *c)
{
	struct config *old;

	pthread_mutex_lock(&config_current_lock);
	old = config_current_config;
	config_current_config = c;
	pthread_mutex_unlock(&config_current_lock);
	/* Outside the lock: freeing may take a while and needs no lock. */
	config_unref(old);
}

/* --- defaults and storage ------------------------------------------- */

static struct config *
config_new_defaults(void)
{
	const struct config_section *sec;
	const struct config_schema *e;
	const struct config_schema_listen *d;
	struct config *c;
	size_t i;

	c = xcalloc(1, sizeof(*c));
	c->refs = 1;
	c->path = xstrdup("(defaults)");
	for (e = config_schema; e->path != NULL; e++)
		config_store_default(c, e);
	c->hostname = config_default_hostname();
	c->database_writers = config_default_writers();

	e = config_schema_find("support.addresses");
	c->support_addresses = xcalloc(1, sizeof(*c->support_addresses));
	c->support_addresses[0] = xstrdup(e->default_string);
	c->nsupport_addresses = 1;

	c->nlisten = config_schema_nlisten_defaults;
	c->listen = xcalloc(c->nlisten, sizeof(*c->listen));
	for (i = 0; i < c->nlisten; i++) {
		d = &config_schema_listen_defaults[i];
		c->listen[i].proto = strcmp(d->protocol, "lmtp") == 0 ?
		    CONFIG_PROTO_LMTP : CONFIG_PROTO_SMTP;
		c->listen[i].address = xstrdup(d->address);
		c->listen[i].port = d->port;
	}

	for (i = 0; config_schema_ack_exempt_defaults[i] != NULL; i++)
		;
	c->ack_rate_exempt = xcalloc(i + 1, sizeof(*c->ack_rate_exempt));
	for (i = 0; config_schema_ack_exempt_defaults[i] != NULL; i++)
		c->ack_rate_exempt[i] =
		    xstrdup(config_schema_ack_exempt_defaults[i]);
	c->nack_rate_exempt = i;

	e = config_schema_find("outgoing.smarthost.tls");
	c->smarthost_tls = config_smarthost_tls(e->default_string);
	c->ack_subject = config_default_template("acknowledgement.subject");
	c->ack_body = config_default_template("acknowledgement.body");
	for (sec = config_sections; sec->name != NULL; sec++) {
		if (sec->init != NULL)
			sec->init(c);
	}
	return c;
}

static void
config_store_default(struct config *c, const struct config_schema *e)
{
	switch (e->store) {
	case CONFIG_STORE_NONE:
		break;
	case CONFIG_STORE_STRING:
	case CONFIG_STORE_STRING_OPT:
		if (e->default_string != NULL)
			config_store_string(c, e, e->default_string);
		break;
	case CONFIG_STORE_INT:
	case CONFIG_STORE_SIZE:
	case CONFIG_STORE_BOOL:
		config_store_number(c, e, e->default_int);
		break;
	}
}

/*
 * The system's name when it is fully qualified; otherwise a name that is
 * obviously not real, rather than a bare "myhost" that other servers
 * would reject in EHLO.
 */
static char *
config_default_hostname(void)
{
	const struct config_schema *e;
	char name[256];

	e = config_schema_find("hostname");
	if (gethostname(name, sizeof(name)) == 0) {
		name[sizeof(name) - 1] = '\0';
		if (strchr(name, '.') != NULL && e->check(name) == NULL)
			return xstrdup(name);
	}
	return xstrdup("localhost.localdomain");
}

/*
 * database_writers = 0: one writing connection per CPU core, at least 2
 * and at most 4.  Measured with the server on the same two cores (README
 * "Benchmarks"): 1 writer 785 msgs/s, 2 1,473, 3 1,448, 4 1,351; more
 * connections than cores only queue there, while a server on a machine
 * of its own keeps 4 busy.
 */
static int
config_default_writers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 4 ? 4 : (int)n;
}

static struct template *
config_default_template(const char *path)
{
	const struct config_schema *e;
	struct template *t;
	struct error err;

	e = config_schema_find(path);
	t = template_compile(e->default_string, template_ack_vars, &err);
	if (t == NULL)
		fatalx("config: built-in default of %s: %s", path, err.msg);
	return t;
}

static void
config_store_string(struct config *c, const struct config_schema *e,
    const char *value)
{
	char **field = (char **)(void *)((char *)c + e->offset);

	free(*field);
	if (e->store == CONFIG_STORE_STRING_OPT && *value == '\0')
		*field = NULL;
	else
		*field = xstrdup(value);
}

static void
config_store_number(struct config *c, const struct config_schema *e,
    long long value)
{
	void *field = (char *)c + e->offset;

	/* The schema's bounds keep value within the field's type. */
	switch (e->store) {
	case CONFIG_STORE_INT:
		*(int *)field = (int)value;
		break;
	case CONFIG_STORE_SIZE:
		*(size_t *)field = (size_t)value;
		break;
	case CONFIG_STORE_BOOL:
		*(bool *)field = value != 0;
		break;
	default:
		fatalx("config: %s is not a number field", e->path);
	}
}

/* value was checked against the schema's choices. */
static enum config_smarthost_tls
config_smarthost_tls(const char *value)
{
	if (strcmp(value, "none") == 0)
		return CONFIG_TLS_NONE;
	if (strcmp(value, "tls") == 0)
		return CONFIG_TLS_IMPLICIT;
	return CONFIG_TLS_STARTTLS;
}

static void
config_free(struct config *c)
{
	const struct config_section *sec;
	const struct config_schema *e;
	char **field;

	if (c->smarthost_password != NULL)
		explicit_bzero(c->smarthost_password,
		    strlen(c->smarthost_password));
	for (e = config_schema; e->path != NULL; e++) {
		if (e->store != CONFIG_STORE_STRING &&
		    e->store != CONFIG_STORE_STRING_OPT)
			continue;
		field = (char **)(void *)((char *)c + e->offset);
		free(*field);
	}
	config_free_addresses(c);
	config_free_exempt(c);
	config_free_listen(c);
	config_free_mailboxes(c);
	for (sec = config_sections; sec->name != NULL; sec++) {
		if (sec->free != NULL)
			sec->free(c);
	}
	template_free(c->ack_subject);
	template_free(c->ack_body);
	free(c->path);
	free(c);
}

static void
config_free_addresses(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nsupport_addresses; i++)
		free(c->support_addresses[i]);
	free(c->support_addresses);
	c->support_addresses = NULL;
	c->nsupport_addresses = 0;
}

static void
config_free_exempt(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nack_rate_exempt; i++)
		free(c->ack_rate_exempt[i]);
	free(c->ack_rate_exempt);
	c->ack_rate_exempt = NULL;
	c->nack_rate_exempt = 0;
}

static void
config_free_listen(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nlisten; i++)
		free(c->listen[i].address);
	free(c->listen);
	c->listen = NULL;
	c->nlisten = 0;
}

static void
config_free_mailboxes(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nmailboxes; i++)
		config_free_mailbox(&c->mailboxes[i]);
	free(c->mailboxes);
	c->mailboxes = NULL;
	c->nmailboxes = 0;
}

static void
config_free_mailbox(struct config_mailbox *mb)
{
	size_t i;

	if (mb->password != NULL)
		explicit_bzero(mb->password, strlen(mb->password));
	free(mb->name);
	free(mb->host);
	free(mb->ca_file);
	free(mb->user);
	free(mb->password);
	free(mb->folder);
	free(mb->move_to);
	free(mb->category);
	free(mb->priority);
	for (i = 0; i < mb->ntags; i++)
		free(mb->tags[i]);
	free(mb->tags);
}

/* --- reading the file ----------------------------------------------- */

static int
config_parse(struct config_loader *ld)
{
	const char *file, *text;
	char *copy, *parent, *bad, dir[PATH_MAX];
	struct stat st;
	FILE *f;

	/* libconfig only says "file I/O error"; say why. */
	if ((f = fopen(ld->file, "r")) == NULL) {
		config_error(ld, NULL, NULL, "cannot open: %s",
		    strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		config_error(ld, NULL, NULL, "is a directory");
		return -1;
	}
	fclose(f);
	/*
	 * "@include" and every relative path in the file are relative to
	 * the file's directory, not to our cwd (issue 13: the pipe alias
	 * and triagectl run from anywhere); absolute, so what -t -v prints
	 * and the daemon opens is one path.
	 */
	copy = xstrdup(ld->file);
	parent = dirname(copy);
	ld->include_dir = xstrdup(realpath(parent, dir) != NULL ? dir : parent);
	free(copy);
	config_set_include_dir(&ld->cf, ld->include_dir);
	if ((bad = config_include_check(ld->file, ld->include_dir)) != NULL) {
		ld->nerrors++;
		if (ld->errors != NULL)
			buf_printf(ld->errors, "%s\n", bad);
		free(bad);
		return -1;
	}
	if (config_read_file(&ld->cf, ld->file) == CONFIG_TRUE)
		return 0;

	file = config_error_file(&ld->cf);
	text = config_error_text(&ld->cf);
	if (text == NULL)
		text = "syntax error";
	ld->nerrors++;
	if (ld->errors == NULL)
		return -1;
	config_put_file(ld, file);
	buf_printf(ld->errors, ":%d: syntax error%s%s\n",
	    config_error_line(&ld->cf),
	    strcmp(text, "syntax error") == 0 ? "" : ": ",
	    strcmp(text, "syntax error") == 0 ? "" : text);
	return -1;
}

static void
config_walk_group(struct config_loader *ld, config_setting_t *group,
    const char *prefix)
{
	const struct config_section *sec;
	const struct config_schema *e;
	config_setting_t *s;
	char *path;
	int i, n;

	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, i);
		if (prefix == NULL)
			path = xstrdup(config_setting_name(s));
		else
			xasprintf(&path, "%s.%s", prefix,
			    config_setting_name(s));
		e = config_schema_find(path);
		sec = prefix == NULL ? config_section_find(path) : NULL;
		if (sec != NULL) {
			if (e != NULL)
				config_check_setting(ld, s, e, path);
			sec->load(ld, s);
		} else if (e == NULL)
			config_unknown(ld, s, path, prefix);
		else
			config_visit(ld, s, e);
		free(path);
	}
}

static void
config_visit(struct config_loader *ld, config_setting_t *s,
    const struct config_schema *e)
{
	switch (e->type) {
	case CONFIG_SCHEMA_GROUP:
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			config_error(ld, s, e->path, "must be a group { ... }");
		else
			config_walk_group(ld, s, e->path);
		break;
	case CONFIG_SCHEMA_LIST:
		config_check_setting(ld, s, e, e->path);
		if (strcmp(e->path, "mailboxes") == 0)
			config_load_mailboxes(ld, s, e);
		else
			config_load_listen(ld, s, e);
		break;
	case CONFIG_SCHEMA_STRINGS:
		config_check_setting(ld, s, e, e->path);
		if (strcmp(e->path, "acknowledgement.rate_limit_exempt") == 0)
			config_load_exempt(ld, s, e);
		else
			config_load_addresses(ld, s, e);
		break;
	case CONFIG_SCHEMA_STRING:
	case CONFIG_SCHEMA_INT:
	case CONFIG_SCHEMA_BOOL:
		if (config_scalar_ok(ld, s, e, e->path))
			config_apply(ld, s, e);
		break;
	case CONFIG_SCHEMA_MAP:
	case CONFIG_SCHEMA_EXPR:
		break;	/* only in sections */
	}
}

/*
 * The schema engine: s, named name in errors ("agents[2].away[0]"),
 * against its row e and, for groups and lists, e's child rows: type,
 * range, choices and the row's check; unknown keys (with the nearest
 * known one) and missing required keys.  It only reports: what it
 * accepts is stored by config_visit or by the section's load.
 */
static void
config_check_setting(struct config_loader *ld, config_setting_t *s,
    const struct config_schema *e, const char *name)
{
	config_setting_t *el;
	const char *shape = e->default_string != NULL ? e->default_string :
	    "{ ... }";
	char *sub, *key;
	int i, n, type = config_setting_type(s);
	bool many = type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST;

	n = config_setting_is_aggregate(s) ? config_setting_length(s) : 0;
	switch (e->type) {
	case CONFIG_SCHEMA_GROUP:
		if (type == CONFIG_TYPE_GROUP)
			config_check_members(ld, s, e->path, name);
		else if ((e->flags & CONFIG_SCHEMA_LEVELS_OK) && many) {
			xasprintf(&key, "%s.levels", e->path);
			config_check_setting(ld, s, config_schema_find(key),
			    name);
			free(key);
		} else
			config_error(ld, s, name, "must be a group %s", shape);
		return;
	case CONFIG_SCHEMA_MAP:
		if (type != CONFIG_TYPE_GROUP) {
			config_error(ld, s, name, "must be a group %s", shape);
			return;
		}
		xasprintf(&key, "%s.*", e->path);
		for (i = 0; i < n; i++) {
			el = config_setting_get_elem(s, (unsigned int)i);
			xasprintf(&sub, "%s.%s", name, config_setting_name(el));
			config_check_setting(ld, el, config_schema_find(key),
			    sub);
			free(sub);
		}
		free(key);
		return;
	case CONFIG_SCHEMA_LIST:
		if (config_section_list(s) == -1) {
			config_error(ld, s, name, "must be a list ( %s, ... )",
			    shape);
			return;
		}
		for (i = 0; i < n; i++) {
			el = config_setting_get_elem(s, (unsigned int)i);
			xasprintf(&sub, "%s[%d]", name, i);
			if (config_setting_type(el) != CONFIG_TYPE_GROUP)
				config_error(ld, el, sub, "must be a group %s",
				    shape);
			else
				config_check_members(ld, el, e->path, sub);
			free(sub);
		}
		return;
	case CONFIG_SCHEMA_STRINGS:
		if (type == CONFIG_TYPE_STRING &&
		    (e->flags & CONFIG_SCHEMA_ONE_OK)) {
			(void)config_string_ok(ld, s, e, name);
			return;
		}
		if (!many) {
			config_error(ld, s, name, "must be %slist of strings "
			    "[ \"a\", \"b\" ]",
			    (e->flags & CONFIG_SCHEMA_ONE_OK) ?
			    "a string or a " : "a ");
			return;
		}
		for (i = 0; i < n; i++) {
			xasprintf(&sub, "%s[%d]", name, i);
			(void)config_string_ok(ld, config_setting_get_elem(s,
			    (unsigned int)i), e, sub);
			free(sub);
		}
		return;
	case CONFIG_SCHEMA_EXPR:
		return;		/* its section's own language */
	case CONFIG_SCHEMA_STRING:
	case CONFIG_SCHEMA_INT:
	case CONFIG_SCHEMA_BOOL:
		(void)config_scalar_ok(ld, s, e, name);
		return;
	}
}

/* The members of group against the rows under prefix; required ones. */
static void
config_check_members(struct config_loader *ld, config_setting_t *group,
    const char *prefix, const char *name)
{
	const struct config_schema *e;
	config_setting_t *m;
	char *path, *sub;
	const char *leaf;
	int i, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(group, (unsigned int)i);
		xasprintf(&path, "%s.%s", prefix, config_setting_name(m));
		xasprintf(&sub, "%s.%s", name, config_setting_name(m));
		if ((e = config_schema_find(path)) == NULL)
			config_unknown(ld, m, sub, prefix);
		else
			config_check_setting(ld, m, e, sub);
		free(path);
		free(sub);
	}
	for (e = config_schema; e->path != NULL; e++) {
		if ((e->flags & CONFIG_SCHEMA_REQUIRED) == 0 ||
		    (leaf = config_schema_leaf(e, prefix)) == NULL ||
		    config_setting_get_member(group, leaf) != NULL)
			continue;
		config_error(ld, group, name, "missing %s", leaf);
	}
}

/*
 * "unknown setting", and the known key of that group nearest to it (at
 * most two edits away) if there is one: "limit" for "limits", "host"
 * for "hots".  prefix NULL: the top level.
 */
static void
config_unknown(struct config_loader *ld, const config_setting_t *s,
    const char *name, const char *prefix)
{
	const struct config_schema *e;
	const char *leaf, *key = config_setting_name(s), *best = NULL;
	size_t d, bestd = 3;

	for (e = config_schema; e->path != NULL; e++) {
		if ((leaf = config_schema_leaf(e, prefix)) == NULL)
			continue;
		if ((d = config_distance(key, leaf)) < bestd &&
		    d < strlen(key)) {
			best = leaf;
			bestd = d;
		}
	}
	if (best != NULL)
		config_error(ld, s, name, "unknown setting (did you mean "
		    "%s?)", best);
	else
		config_error(ld, s, name, "unknown setting");
}

/* Levenshtein distance of two short keys; longer ones count as far. */
static size_t
config_distance(const char *a, const char *b)
{
	size_t row[65], la = strlen(a), lb = strlen(b), i, j, prev, tmp;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j] > row[j - 1] + 1)
				row[j] = row[j - 1] + 1;
			if (row[j] > tmp + 1)
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

/* s has the type of e; the engine has reported it if not. */
static bool
config_type_ok(const config_setting_t *s, const struct config_schema *e)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		return e->type == CONFIG_SCHEMA_STRING;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return e->type == CONFIG_SCHEMA_INT;
	case CONFIG_TYPE_BOOL:
		return e->type == CONFIG_SCHEMA_BOOL;
	default:
		return false;
	}
}

/* Type, bounds, choices and the schema's own check; name is for errors. */
static bool
config_scalar_ok(struct config_loader *ld, const config_setting_t *s,
    const struct config_schema *e, const char *name)
{
	switch (e->type) {
	case CONFIG_SCHEMA_STRING:
		return config_string_ok(ld, s, e, name);
	case CONFIG_SCHEMA_INT:
		return config_int_ok(ld, s, e, name);
	case CONFIG_SCHEMA_BOOL:
		if (config_setting_type(s) == CONFIG_TYPE_BOOL)
			return true;
		config_error(ld, s, name, "must be true or false");
		return false;
	default:
		config_error(ld, s, name, "unknown setting");
		return false;
	}
}

static bool
config_string_ok(struct config_loader *ld, const config_setting_t *s,
    const struct config_schema *e, const char *name)
{
	const char *value, *problem;
	char *choices;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		config_error(ld, s, name, "must be a string in double quotes");
		return false;
	}
	value = config_setting_get_string(s);
	if (e->choices != NULL && !config_is_choice(e, value)) {
		choices = config_schema_choices(e);
		config_error(ld, s, name, "must be one of %s", choices);
		free(choices);
		return false;
	}
	if (e->check != NULL && (problem = e->check(value)) != NULL) {
		config_error(ld, s, name, "%s", problem);
		return false;
	}
	return true;
}

static bool
config_int_ok(struct config_loader *ld, const config_setting_t *s,
    const struct config_schema *e, const char *name)
{
	long long value;
	int type;
	char lit[64];
	bool wrapped;

	type = config_setting_type(s);
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		config_error(ld, s, name, "must be an integer");
		return false;
	}
	value = config_setting_get_int64(s);
	/* the range of what the admin wrote, then the missing L */
	wrapped = config_section_int_wrapped(ld, s, lit, sizeof(lit), &value);
	if (value < e->min || value > e->max) {
		config_error(ld, s, name, "must be between %lld and %lld",
		    e->min, e->max);
		return false;
	}
	if (wrapped) {
		config_error(ld, s, name, "%s does not fit in 32 bits and "
		    "libconfig would wrap it; write %sL", lit, lit);
		return false;
	}
	return true;
}

static bool
config_is_choice(const struct config_schema *e, const char *value)
{
	size_t i;

	for (i = 0; e->choices[i] != NULL; i++) {
		if (strcmp(e->choices[i], value) == 0)
			return true;
	}
	return false;
}

/* s passed config_scalar_ok(). */
static void
config_apply(struct config_loader *ld, config_setting_t *s,
    const struct config_schema *e)
{
	struct config *c = ld->c;

	switch (e->store) {
	case CONFIG_STORE_STRING:
	case CONFIG_STORE_STRING_OPT:
		config_store_string(c, e, config_setting_get_string(s));
		return;
	case CONFIG_STORE_INT:
	case CONFIG_STORE_SIZE:
		config_store_number(c, e, config_setting_get_int64(s));
		return;
	case CONFIG_STORE_BOOL:
		config_store_number(c, e, config_setting_get_bool(s));
		return;
	case CONFIG_STORE_NONE:
		break;
	}
	if (strcmp(e->path, "outgoing.smarthost.tls") == 0)
		c->smarthost_tls = config_smarthost_tls(
		    config_setting_get_string(s));
	else if (strcmp(e->path, "outgoing.smarthost.password_file") == 0)
		ld->password_file = s;	/* read once password is known */
	else if (strcmp(e->path, "acknowledgement.subject") == 0)
		config_load_template(ld, s, e, &c->ack_subject);
	else if (strcmp(e->path, "acknowledgement.body") == 0)
		config_load_template(ld, s, e, &c->ack_body);
	else
		fatalx("config: no loader for %s", e->path);
}

/* Compiled now, so a typo is an error at its line, not at the first mail. */
static void
config_load_template(struct config_loader *ld, const config_setting_t *s,
    const struct config_schema *e, struct template **out)
{
	struct template *t;
	struct error err;

	t = template_compile(config_setting_get_string(s), template_ack_vars,
	    &err);
	if (t == NULL) {
		config_error(ld, s, e->path, "%s", err.msg);
		return;
	}
	template_free(*out);
	*out = t;
}

/* support.addresses, which the engine checked: at least one. */
static void
config_load_addresses(struct config_loader *ld, const config_setting_t *s,
    const struct config_schema *e)
{
	char **addrs, *p;
	size_t i, n;

	if (!config_section_strings(config_setting_parent(s),
	    config_setting_name(s), &addrs, &n))
		return;
	if (n == 0) {
		config_error(ld, s, e->path, "must hold at least one address");
		config_section_strv_free(addrs);
		return;
	}
	/* Stored lowercased: compared and logged one way. */
	for (i = 0; i < n; i++)
		for (p = addrs[i]; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	config_free_addresses(ld->c);
	ld->c->support_addresses = addrs;
	ld->c->nsupport_addresses = n;
}

/* A list of networks, which the engine checked; [] is fine. */
static void
config_load_exempt(struct config_loader *ld, const config_setting_t *s,
    const struct config_schema *e)
{
	char **nets;
	size_t n;

	(void)e;
	if (!config_section_strings(config_setting_parent(s),
	    config_setting_name(s), &nets, &n))
		return;
	config_free_exempt(ld->c);
	ld->c->ack_rate_exempt = nets;
	ld->c->nack_rate_exempt = n;
}

static void
config_load_listen(struct config_loader *ld, config_setting_t *s,
    const struct config_schema *e)
{
	struct config_listen *listen;
	int i, n;

	(void)e;
	if ((n = config_section_list(s)) == -1)
		return;
	listen = xcalloc((size_t)n, sizeof(*listen));
	for (i = 0; i < n; i++)
		config_load_listen_entry(ld,
		    config_setting_get_elem(s, (unsigned int)i), i, &listen[i]);
	config_free_listen(ld->c);
	ld->c->listen = listen;
	ld->c->nlisten = (size_t)n;
	config_check_listen_duplicates(ld, s);
}

/* What the engine accepted; the rest it has reported. */
static void
config_load_listen_entry(struct config_loader *ld, config_setting_t *entry,
    int index, struct config_listen *l)
{
	const struct config_schema *e;
	config_setting_t *s;
	char *key;
	int i, n;

	(void)ld;
	(void)index;
	n = config_setting_type(entry) == CONFIG_TYPE_GROUP ?
	    config_setting_length(entry) : 0;
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(entry, (unsigned int)i);
		xasprintf(&key, "listen.%s", config_setting_name(s));
		if ((e = config_schema_find(key)) != NULL &&
		    config_type_ok(s, e))
			config_set_listen_field(l, e, s);
		free(key);
	}
}

static void
config_set_listen_field(struct config_listen *l, const struct config_schema *e,
    const config_setting_t *s)
{
	const char *key = e->path + strlen("listen.");

	if (strcmp(key, "protocol") == 0)
		l->proto = strcmp(config_setting_get_string(s), "lmtp") == 0 ?
		    CONFIG_PROTO_LMTP : CONFIG_PROTO_SMTP;
	else if (strcmp(key, "address") == 0) {
		free(l->address);
		l->address = xstrdup(config_setting_get_string(s));
	} else if (strcmp(key, "port") == 0)
		l->port = (int)config_setting_get_int64(s);
}

/* Two listeners on one address and port would fail at bind; say it now. */
static void
config_check_listen_duplicates(struct config_loader *ld,
    const config_setting_t *list)
{
	const struct config_listen *a, *b;
	char *name;
	size_t i, j;

	for (i = 0; i < ld->c->nlisten; i++) {
		for (j = 0; j < i; j++) {
			a = &ld->c->listen[j];
			b = &ld->c->listen[i];
			if (a->address == NULL || b->address == NULL ||
			    b->port == 0 || a->port != b->port ||
			    strcmp(a->address, b->address) != 0)
				continue;
			xasprintf(&name, "listen[%zu]", i);
			config_error(ld, config_setting_get_elem(list,
			    (unsigned int)i), name, "same address and port "
			    "as listen[%zu]", j);
			free(name);
			break;
		}
	}
}

/* --- mailboxes ------------------------------------------------------ */

static void
config_load_mailboxes(struct config_loader *ld, config_setting_t *s,
    const struct config_schema *e)
{
	struct config_mailbox *mbs;
	int i, n;

	(void)e;
	if ((n = config_section_list(s)) == -1)
		return;
	mbs = xcalloc((size_t)n + 1, sizeof(*mbs));
	for (i = 0; i < n; i++)
		config_load_mailbox_entry(ld,
		    config_setting_get_elem(s, (unsigned int)i), i, &mbs[i]);
	config_free_mailboxes(ld->c);
	ld->c->mailboxes = mbs;
	ld->c->nmailboxes = (size_t)n;
	config_check_mailbox_duplicates(ld, s);
}

/* What the engine accepted; the rest it has reported. */
static void
config_load_mailbox_entry(struct config_loader *ld, config_setting_t *entry,
    int index, struct config_mailbox *mb)
{
	const struct config_schema *e;
	config_setting_t *s;
	char *key;
	int i, n;

	config_mailbox_defaults(mb);
	if (config_setting_type(entry) != CONFIG_TYPE_GROUP)
		return;
	n = config_setting_length(entry);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(entry, (unsigned int)i);
		xasprintf(&key, "mailboxes.%s", config_setting_name(s));
		if ((e = config_schema_find(key)) == NULL)
			;
		else if (e->type == CONFIG_SCHEMA_STRINGS)
			config_load_mailbox_tags(s, mb);
		else if (config_type_ok(s, e))
			config_set_mailbox_field(mb, e, s);
		free(key);
	}
	config_check_mailbox(ld, entry, index, mb);
}

/* The schema's defaults; the port follows the TLS mode (see check). */
static void
config_mailbox_defaults(struct config_mailbox *mb)
{
	const struct config_schema *e;

	for (e = config_schema; e->path != NULL; e++) {
		if (strncmp(e->path, "mailboxes.", 10) != 0 ||
		    e->type == CONFIG_SCHEMA_STRINGS ||
		    (e->type == CONFIG_SCHEMA_STRING &&
		    e->default_string == NULL))
			continue;
		config_set_mailbox_field(mb, e, NULL);
	}
	mb->port = 0;
}

/* s NULL: the schema's default.  Empty optional strings become NULL. */
static void
config_set_mailbox_field(struct config_mailbox *mb,
    const struct config_schema *e, const config_setting_t *s)
{
	const char *key = e->path + strlen("mailboxes.");
	const char *str = NULL;
	long long num = e->default_int;
	char **field = NULL;

	if (e->type == CONFIG_SCHEMA_STRING)
		str = s != NULL ? config_setting_get_string(s) :
		    e->default_string;
	else if (s != NULL && e->type == CONFIG_SCHEMA_BOOL)
		num = config_setting_get_bool(s);
	else if (s != NULL)
		num = config_setting_get_int64(s);

	if (strcmp(key, "name") == 0)
		field = &mb->name;
	else if (strcmp(key, "host") == 0)
		field = &mb->host;
	else if (strcmp(key, "ca_file") == 0)
		field = &mb->ca_file;
	else if (strcmp(key, "user") == 0)
		field = &mb->user;
	else if (strcmp(key, "password") == 0)
		field = &mb->password;
	else if (strcmp(key, "folder") == 0)
		field = &mb->folder;
	else if (strcmp(key, "move_to") == 0)
		field = &mb->move_to;
	else if (strcmp(key, "category") == 0)
		field = &mb->category;
	else if (strcmp(key, "priority") == 0)
		field = &mb->priority;
	else if (strcmp(key, "tls") == 0)
		mb->tls = strcmp(str, "none") == 0 ? CONFIG_TLS_NONE :
		    strcmp(str, "starttls") == 0 ? CONFIG_TLS_STARTTLS :
		    CONFIG_TLS_IMPLICIT;
	else if (strcmp(key, "after") == 0)
		mb->after = strcmp(str, "move") == 0 ? CONFIG_IMAP_AFTER_MOVE :
		    strcmp(str, "delete") == 0 ? CONFIG_IMAP_AFTER_DELETE :
		    CONFIG_IMAP_AFTER_SEEN;
	else if (strcmp(key, "existing") == 0)
		mb->existing = strcmp(str, "skip") == 0 ?
		    CONFIG_IMAP_EXISTING_SKIP : strcmp(str, "normal") == 0 ?
		    CONFIG_IMAP_EXISTING_NORMAL : CONFIG_IMAP_EXISTING_SILENT;
	else if (strcmp(key, "port") == 0)
		mb->port = (int)num;
	else if (strcmp(key, "allow_plaintext") == 0)
		mb->allow_plaintext = num != 0;
	else if (strcmp(key, "verify") == 0)
		mb->verify = num != 0;
	else if (strcmp(key, "idle") == 0)
		mb->idle = num != 0;
	else if (strcmp(key, "poll_interval") == 0)
		mb->poll_interval = (int)num;
	else if (strcmp(key, "batch") == 0)
		mb->batch = (int)num;
	else if (strcmp(key, "takeover") == 0)
		mb->takeover = (int)num;
	else if (strcmp(key, "max_message_size") == 0)
		mb->max_message_size = (size_t)num;
	/* password_file is read in config_check_mailbox. */
	if (field != NULL) {
		if (*field != NULL && field == &mb->password)
			explicit_bzero(*field, strlen(*field));
		free(*field);
		*field = str != NULL && (*str != '\0' ||
		    field == &mb->password) ? xstrdup(str) : NULL;
	}
}

static void
config_load_mailbox_tags(config_setting_t *s, struct config_mailbox *mb)
{
	config_setting_t *parent = config_setting_parent(s);

	/* a lone string is not a list here: the engine refused it */
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		(void)config_section_strings(parent, config_setting_name(s),
		    &mb->tags, &mb->ntags);
}

/* Checks across the keys of one mailbox; reads its password file. */
static void
config_check_mailbox(struct config_loader *ld, config_setting_t *entry,
    int index, struct config_mailbox *mb)
{
	config_setting_t *pf, *s;
	const char *file;
	char *name;

	if (mb->port == 0)
		mb->port = mb->tls == CONFIG_TLS_IMPLICIT ? 993 : 143;
	if (mb->max_message_size > 0 && mb->max_message_size < 1024) {
		xasprintf(&name, "mailboxes[%d].max_message_size", index);
		config_error(ld, config_setting_get_member(entry,
		    "max_message_size"), name, "must be 0 (limits."
		    "max_message_size) or at least 1024");
		free(name);
	}
	if (mb->tls == CONFIG_TLS_NONE && !mb->allow_plaintext) {
		xasprintf(&name, "mailboxes[%d].tls", index);
		config_error(ld, config_setting_get_member(entry, "tls"), name,
		    "\"none\" sends the password in clear text; set "
		    "allow_plaintext = true to allow it");
		free(name);
	}
	if (mb->after == CONFIG_IMAP_AFTER_MOVE && mb->move_to == NULL) {
		xasprintf(&name, "mailboxes[%d].after", index);
		config_error(ld, config_setting_get_member(entry, "after"),
		    name, "\"move\" needs move_to (the folder to move into)");
		free(name);
	} else if (mb->after == CONFIG_IMAP_AFTER_MOVE && mb->folder != NULL &&
	    strcmp(mb->move_to, mb->folder) == 0) {
		xasprintf(&name, "mailboxes[%d].move_to", index);
		config_error(ld, config_setting_get_member(entry, "move_to"),
		    name, "must differ from folder");
		free(name);
	}
	config_resolve(ld, &mb->ca_file);
	if (mb->ca_file != NULL) {
		xasprintf(&name, "mailboxes[%d].ca_file", index);
		if (access(mb->ca_file, R_OK) == -1)
			config_error(ld, config_setting_get_member(entry,
			    "ca_file"), name, "cannot read %s: %s",
			    mb->ca_file, strerror(errno));
		free(name);
	}
	pf = config_setting_get_member(entry, "password_file");
	if (pf == NULL || config_setting_type(pf) != CONFIG_TYPE_STRING ||
	    *(file = config_setting_get_string(pf)) == '\0')
		return;
	xasprintf(&name, "mailboxes[%d].password_file", index);
	s = config_setting_get_member(entry, "password");
	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING &&
	    *config_setting_get_string(s) != '\0')
		config_error(ld, pf, name, "cannot be used together with "
		    "password");
	else {
		free(mb->password);
		mb->password = config_read_password(ld, pf, name, file);
	}
	free(name);
}

/* Names key the state rows and the logs: two alike would mix them up. */
static void
config_check_mailbox_duplicates(struct config_loader *ld,
    const config_setting_t *list)
{
	const struct config_mailbox *mbs = ld->c->mailboxes;
	config_setting_t *entry;
	char *name;
	size_t i, j;

	for (i = 0; i < ld->c->nmailboxes; i++) {
		for (j = 0; j < i; j++) {
			if (mbs[i].name == NULL || mbs[j].name == NULL ||
			    strcmp(mbs[i].name, mbs[j].name) != 0)
				continue;
			entry = config_setting_get_elem(list, (unsigned int)i);
			xasprintf(&name, "mailboxes[%zu].name", i);
			config_error(ld, config_setting_get_member(entry,
			    "name"), name, "\"%s\" is already the name of "
			    "mailboxes[%zu]", mbs[i].name, j);
			free(name);
			break;
		}
	}
}

/* --- checks across settings ----------------------------------------- */

static void
config_finish(struct config_loader *ld)
{
	const struct config_section *sec;
	struct config *c = ld->c;

	if (!config_database_is_uri(c->database))
		config_resolve(ld, &c->database);
	if (c->database_writers == 0)
		c->database_writers = config_default_writers();
	config_resolve(ld, &c->outgoing_maildir);
	config_resolve(ld, &c->tls_certificate);
	config_resolve(ld, &c->tls_key);
	config_resolve(ld, &c->smarthost_ca_file);
	config_check_tls(ld);
	config_check_limits(ld);
	config_mailbox_sizes(ld);
	config_check_retry(ld);
	config_check_password(ld);
	for (sec = config_sections; sec->name != NULL; sec++) {
		if (sec->check != NULL)
			sec->check(ld);
	}
}

bool
config_database_is_uri(const char *database)
{
	return database != NULL &&
	    (strncmp(database, "postgresql://", 13) == 0 ||
	    strncmp(database, "postgres://", 11) == 0);
}

/*
 * A relative path of the file ("./var/triaged.db", "certs/key.pem") made
 * absolute against the file's directory; NULL and absolute paths stay.
 */
static void
config_resolve(struct config_loader *ld, char **field)
{
	char *abs;

	if (*field == NULL || (*field)[0] == '/' || (*field)[0] == '\0' ||
	    ld->include_dir == NULL)
		return;
	abs = config_resolved(ld, *field);
	free(*field);
	*field = abs;
}

/* file against the config's directory, "./" dropped: a new string. */
static char *
config_resolved(struct config_loader *ld, const char *file)
{
	char *abs;

	if (file[0] == '/' || ld->include_dir == NULL)
		return xstrdup(file);
	while (file[0] == '.' && file[1] == '/')
		file += 2;
	xasprintf(&abs, "%s/%s", ld->include_dir, file);
	return abs;
}

static void
config_check_tls(struct config_loader *ld)
{
	struct config *c = ld->c;

	if (c->tls_certificate != NULL && c->tls_key == NULL)
		config_error_path(ld, "tls.certificate",
		    "is set but tls.key is empty");
	else if (c->tls_certificate == NULL && c->tls_key != NULL)
		config_error_path(ld, "tls.key",
		    "is set but tls.certificate is empty");
	/* A missing file found now beats a failed STARTTLS later. */
	config_check_readable(ld, "tls.certificate", c->tls_certificate);
	config_check_readable(ld, "tls.key", c->tls_key);
	config_check_readable(ld, "knowledge_base.directory", c->kb_directory);
	config_check_readable(ld, "outgoing.smarthost.ca_file",
	    c->smarthost_ca_file);
}

static void
config_check_readable(struct config_loader *ld, const char *path,
    const char *file)
{
	int fd;

	if (file == NULL)
		return;
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		config_error_path(ld, path, "cannot read %s: %s", file,
		    strerror(errno));
		return;
	}
	close(fd);
}

/* A mailbox's 0 is the listeners' limit, wherever limits stand. */
static void
config_mailbox_sizes(struct config_loader *ld)
{
	size_t i;

	for (i = 0; i < ld->c->nmailboxes; i++)
		if (ld->c->mailboxes[i].max_message_size == 0)
			ld->c->mailboxes[i].max_message_size =
			    ld->c->max_message_size;
}

/*
 * max_inflight_bytes of 0 is eight maximum-size messages at once: far
 * more big mail than a helpdesk receives at one time, while 20 hostile
 * 25 MiB uploads (1.15 GB seen, issue 20) get 452 instead of memory.
 * It follows max_message_size, so raising that alone stays consistent.
 */
static void
config_default_inflight(struct config *c)
{
	if (c->max_inflight_bytes == 0)
		c->max_inflight_bytes = CONFIG_INFLIGHT_MESSAGES *
		    c->max_message_size;
}

/* Set, max_inflight_bytes must hold at least one message of the limit. */
static void
config_check_limits(struct config_loader *ld)
{
	struct config *c = ld->c;

	if (c->max_inflight_bytes == 0)
		config_default_inflight(c);
	else if (c->max_inflight_bytes < c->max_message_size) {
		if (config_in_file(ld, "limits.max_inflight_bytes"))
			config_error_path(ld, "limits.max_inflight_bytes",
			    "must be at least limits.max_message_size (%zu)",
			    c->max_message_size);
		else
			config_error_path(ld, "limits.max_message_size",
			    "must not exceed limits.max_inflight_bytes (%zu)",
			    c->max_inflight_bytes);
	}
	if (c->max_line_length <= c->max_message_size)
		return;
	if (config_in_file(ld, "limits.max_line_length"))
		config_error_path(ld, "limits.max_line_length",
		    "must not exceed limits.max_message_size (%zu)",
		    c->max_message_size);
	else
		config_error_path(ld, "limits.max_message_size",
		    "must be at least limits.max_line_length (%zu)",
		    c->max_line_length);
}

static void
config_check_retry(struct config_loader *ld)
{
	struct config *c = ld->c;

	if (c->retry_min <= c->retry_max)
		return;
	if (config_in_file(ld, "outgoing.retry_min"))
		config_error_path(ld, "outgoing.retry_min",
		    "must not exceed outgoing.retry_max (%d)", c->retry_max);
	else
		config_error_path(ld, "outgoing.retry_max",
		    "must be at least outgoing.retry_min (%d)", c->retry_min);
}

static void
config_check_password(struct config_loader *ld)
{
	struct config *c = ld->c;
	const char *file = NULL;
	static const char name[] = "outgoing.smarthost.password_file";

	if (ld->password_file != NULL)
		file = config_setting_get_string(ld->password_file);
	if (file != NULL && *file != '\0') {
		if (c->smarthost_password != NULL) {
			config_error(ld, ld->password_file, name,
			    "cannot be used together with "
			    "outgoing.smarthost.password");
			return;
		}
		c->smarthost_password = config_read_password(ld,
		    ld->password_file, name, file);
	}
	if (c->smarthost_password != NULL && c->smarthost_user == NULL)
		config_error_path(ld, file != NULL && *file != '\0' ? name :
		    "outgoing.smarthost.password",
		    "is set but outgoing.smarthost.user is empty");
}

/*
 * The first line, trimmed: "echo secret > file" must just work.  s and
 * name are the password_file setting, for errors.
 */
static char *
config_read_password(struct config_loader *ld, const config_setting_t *s,
    const char *name, const char *file)
{
	char line[1024], *start, *end, *password = NULL, *path;
	FILE *f;

	path = config_resolved(ld, file);
	f = fopen(path, "r");
	free(path);
	if (f == NULL) {
		config_error(ld, s, name, "cannot read %s: %s",
		    file, strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	for (start = line; *start == ' ' || *start == '\t'; start++)
		;
	end = start + strlen(start);
	while (end > start && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*start == '\0')
		config_error(ld, s, name,
		    "the first line of %s is empty", file);
	else
		password = xstrdup(start);
	explicit_bzero(line, sizeof(line));
	return password;
}

/* --- errors ---------------------------------------------------------- */

static bool
config_in_file(struct config_loader *ld, const char *path)
{
	return config_lookup(&ld->cf, path) != NULL;
}

/* Appends file (NULL: the main file) to the errors, as a usable path. */
static void
config_put_file(struct config_loader *ld, const char *file)
{
	if (file == NULL)
		file = ld->file;
	/* libconfig keeps an included file's name as written in @include. */
	if (strcmp(file, ld->file) != 0 && file[0] != '/' &&
	    ld->include_dir != NULL)
		buf_printf(ld->errors, "%s/", ld->include_dir);
	buf_printf(ld->errors, "%s", file);
}

/* "file:line: name: problem"; without s, "file: name: problem". */
static void
config_error(struct config_loader *ld, const config_setting_t *s,
    const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verror(ld, s, name, fmt, ap);
	va_end(ap);
}

/* An error about the setting at path, at its line if it is in the file. */
static void
config_error_path(struct config_loader *ld, const char *path,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verror(ld, config_lookup(&ld->cf, path), path, fmt, ap);
	va_end(ap);
}

/*
 * One line per error: a value quoted in the message may hold a line break
 * or another control character (libconfig strings may), shown as '?'.
 */
static void
config_verror(struct config_loader *ld, const config_setting_t *s,
    const char *name, const char *fmt, va_list ap)
{
	const char *file = NULL;
	size_t start, i;

	ld->nerrors++;
	if (ld->errors == NULL)
		return;
	start = ld->errors->len;
	if (s != NULL)
		file = config_setting_source_file(s);
	config_put_file(ld, file);
	if (s != NULL)
		buf_printf(ld->errors, ":%u", config_setting_source_line(s));
	buf_printf(ld->errors, ": ");
	if (name != NULL)
		buf_printf(ld->errors, "%s: ", name);
	buf_vprintf(ld->errors, fmt, ap);
	for (i = start; i < ld->errors->len; i++) {
		if ((unsigned char)ld->errors->data[i] < ' ' &&
		    ld->errors->data[i] != '\t')
			ld->errors->data[i] = '?';
		else if (ld->errors->data[i] == 0x7f)
			ld->errors->data[i] = '?';
	}
	buf_append_char(ld->errors, '\n');
}

/* --- for the sections (config_section.h) ------------------------------ */

struct config *
config_section_config(struct config_loader *ld)
{
	return ld->c;
}


config_setting_t *
config_section_root(struct config_loader *ld)
{
	return config_root_setting(&ld->cf);
}

const char *
config_section_dir(struct config_loader *ld)
{
	return ld->include_dir;
}

void
config_section_check(struct config_loader *ld, config_setting_t *group,
    const char *prefix, const char *name)
{
	if (config_setting_type(group) == CONFIG_TYPE_GROUP)
		config_check_members(ld, group, prefix, name);
}

void
config_section_error(struct config_loader *ld, const config_setting_t *s,
    const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verror(ld, s, name, fmt, ap);
	va_end(ap);
}
