/*
 * config_section: the table of sections loaded by their own files, and
 * the typed member access they share, so each section reports problems in
 * the same words as the rest of the config ("must be a string ...").
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_agents.h"
#include "config_canned.h"
#include "config_language.h"
#include "config_http.h"
#include "config_reports.h"
#include "config_routing.h"
#include "config_section.h"
#include "config_sla.h"
#include "xmalloc.h"

/*
 * In check order: a section's check may rely on the ones above it.  Each
 * section declares its functions in its own header.
 */
const struct config_section config_sections[] = {
	{ "canned", config_canned_init, config_canned_load, NULL,
	    config_canned_free },
	{ "agents", config_agents_init, config_agents_load,
	    config_agents_check, config_agents_free },
	{ "agent_mail", NULL, config_agents_load_mail, NULL, NULL },
	{ "notifications", NULL, config_agents_load_notifications, NULL,
	    NULL },
	{ "priorities", config_routing_init, config_routing_load_priorities,
	    NULL, config_routing_free },
	{ "categories", NULL, config_routing_load_categories, NULL, NULL },
	{ "companies", NULL, config_routing_load_companies, NULL, NULL },
	{ "tags", NULL, config_routing_load_tags, NULL, NULL },
	{ "rules", NULL, config_routing_load_rules, config_routing_check,
	    NULL },
	{ "calendars", config_sla_init, config_sla_load_calendars, NULL,
	    config_sla_free },
	{ "sla_policies", NULL, config_sla_load_policies, NULL, NULL },
	{ "sla", NULL, config_sla_load_sla, config_sla_check, NULL },
	{ "reports", config_reports_init, config_reports_load,
	    config_reports_check, config_reports_free },
	{ "language", config_language_init, config_language_load, NULL,
	    config_language_free },
	{ "http", config_http_init, config_http_load, NULL,
	    config_http_free },
	{ "metrics", NULL, config_http_load_metrics, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

const struct config_section *
config_section_find(const char *name)
{
	const struct config_section *sec;

	for (sec = config_sections; sec->name != NULL; sec++) {
		if (strcmp(sec->name, name) == 0)
			return sec;
	}
	return NULL;
}

bool
config_section_string(config_setting_t *group, const char *key,
    const char **out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	*out = NULL;
	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
		return false;
	*out = config_setting_get_string(s);
	return true;
}

bool
config_section_int(config_setting_t *group, const char *key, long long *out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL || (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64))
		return false;
	*out = config_setting_get_int64(s);
	return true;
}

bool
config_section_bool(config_setting_t *group, const char *key, bool *out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_BOOL)
		return false;
	*out = config_setting_get_bool(s) != 0;
	return true;
}

bool
config_section_strings(config_setting_t *group, const char *key,
    char ***out, size_t *n)
{
	config_setting_t *s = config_setting_get_member(group, key), *el;
	int i, len;
	char **v;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return false;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = xcalloc(2, sizeof(*v));
		v[0] = xstrdup(config_setting_get_string(s));
		*out = v;
		*n = 1;
		return true;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return false;
	len = config_setting_length(s);
	v = xcalloc((size_t)len + 1, sizeof(*v));
	for (i = 0; i < len; i++) {
		el = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(el) != CONFIG_TYPE_STRING) {
			config_section_strv_free(v);
			return false;
		}
		v[i] = xstrdup(config_setting_get_string(el));
	}
	*out = v;
	*n = (size_t)len;
	return true;
}

void
config_section_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
config_section_list(const config_setting_t *s)
{
	int type = config_setting_type(s), n = config_setting_length(s);

	if (type == CONFIG_TYPE_LIST || (type == CONFIG_TYPE_ARRAY && n == 0))
		return n;
	return -1;
}

/*
 * Reads line (1-based) of file into buf; false if it cannot.  A relative
 * file is tried as named, then under the main file's directory (where
 * @include resolves it).
 */
static bool
config_section_line(struct config_loader *ld, const char *file, int line,
    char *buf, size_t len)
{
	FILE	*f;
	char	*path = NULL;
	int	 n = 0;
	bool	 ok = false;

	if ((f = fopen(file, "r")) == NULL && file[0] != '/' &&
	    config_section_dir(ld) != NULL) {
		xasprintf(&path, "%s/%s", config_section_dir(ld), file);
		f = fopen(path, "r");
		free(path);
	}
	if (f == NULL)
		return false;
	while (fgets(buf, (int)len, f) != NULL) {
		if (strchr(buf, '\n') == NULL && !feof(f))
			continue;	/* longer than buf: not ours to parse */
		if (++n == line) {
			ok = true;
			break;
		}
	}
	fclose(f);
	return ok;
}

bool
config_section_int_wrapped(struct config_loader *ld, const config_setting_t *s,
    char *lit, size_t len, long long *value)
{
	const char	*file, *name, *p, *start;
	char		 line[4096], *end;
	size_t		 nlen, n;
	long long	 v;
	int		 no;
	bool		 found = false;

	if (config_setting_type(s) != CONFIG_TYPE_INT ||
	    (file = config_setting_source_file(s)) == NULL ||
	    (name = config_setting_name(s)) == NULL ||
	    (no = (int)config_setting_source_line(s)) <= 0 ||
	    !config_section_line(ld, file, no, line, sizeof(line)))
		return false;
	nlen = strlen(name);
	for (p = line; (p = strstr(p, name)) != NULL; p += nlen) {
		/* the name as a whole word, then "=" or ":" */
		if (p > line && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_' || p[-1] == '-' || p[-1] == '*'))
			continue;
		start = p + nlen + strspn(p + nlen, " \t");
		if (*start != '=' && *start != ':')
			continue;
		start++;
		start += strspn(start, " \t");
		n = strspn(start, "+-");
		if (start[n] == '0' && (start[n + 1] == 'x' ||
		    start[n + 1] == 'X'))
			n += 2 + strspn(start + n + 2, "0123456789abcdefABCDEF");
		else
			n += strspn(start + n, "0123456789");
		if (n == 0 || n >= len || start[n] == 'L')
			continue;
		errno = 0;
		v = strtoll(start, &end, 0);
		if (end != start + n)
			continue;
		/* one setting of that name on the line agrees: not wrapped */
		if (errno != ERANGE && v == config_setting_get_int64(s))
			return false;
		if (!found) {
			memcpy(lit, start, n);
			lit[n] = '\0';
			*value = v;
			found = true;
		}
	}
	return found;
}
