/*
 * config_language: the `language` group and the template directory (see
 * config_language.h).  Files are read at load time, like every template,
 * so a broken one keeps the old config in force (SIGHUP) or the daemon
 * from starting, with "file:line: language.templates: FILE:LINE: ...".
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "config_language.h"
#include "config_section.h"
#include "error.h"
#include "langdetect.h"
#include "template.h"
#include "xmalloc.h"

#define CONFIG_LANGUAGE_FILE_MAX	(256 * 1024)

struct config_language_set {
	char		*lang;
	struct template	*subject[CONFIG_LANGUAGE_NKINDS];
	struct template	*body[CONFIG_LANGUAGE_NKINDS];
};

struct config_language {
	char				*def;
	char				*detect;	/* NULL: off */
	char				*templates;	/* NULL: none */
	struct config_language_set	*sets;
	size_t				 nsets;
	char				*list;
	struct langdetect		*detector;
};

static const char *const config_language_kinds[CONFIG_LANGUAGE_NKINDS] = {
	"acknowledgement", "out_of_hours"
};

static const char *const config_language_ooh_vars[] = {
	"id", "token", "subject", "customer_name", "customer_email",
	"original_text", "quoted_text", "support_address", "support_name",
	"clock_starts", NULL
};

static void	config_language_dir(struct config_loader *,
		    config_setting_t *, struct config_language *);
static void	config_language_file(struct config_loader *,
		    config_setting_t *, struct config_language_set *,
		    const char *path, int kind);
static int	config_language_cmp(const void *, const void *);

void
config_language_init(struct config *c)
{
	c->language = xcalloc(1, sizeof(*c->language));
	c->language->def = xstrdup("en");
	c->language->detect = xstrdup("/usr/share/libexttextcat");
	c->language->list = xstrdup("");
	c->language->detector = langdetect_new(c->language->detect);
}

void
config_language_load(struct config_loader *ld, config_setting_t *s)
{
	struct config_language *l = config_section_config(ld)->language;
	config_setting_t *t;
	const char *str;

	/* The schema engine checked the keys and the code's shape. */
	if (config_section_string(s, "default", &str) &&
	    config_language_code_ok(str)) {
		free(l->def);
		l->def = xstrdup(str);
	}
	if (config_section_string(s, "detect", &str)) {
		free(l->detect);
		l->detect = *str != '\0' ? xstrdup(str) : NULL;
		langdetect_free(l->detector);
		l->detector = langdetect_new(l->detect);
	}
	if (config_section_string(s, "templates", &str) && *str != '\0') {
		l->templates = xstrdup(str);
		t = config_setting_get_member(s, "templates");
		config_language_dir(ld, t, l);
	}
}

void
config_language_free(struct config *c)
{
	struct config_language *l = c->language;
	size_t i;
	int k;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsets; i++) {
		free(l->sets[i].lang);
		for (k = 0; k < CONFIG_LANGUAGE_NKINDS; k++) {
			template_free(l->sets[i].subject[k]);
			template_free(l->sets[i].body[k]);
		}
	}
	free(l->sets);
	free(l->def);
	free(l->detect);
	free(l->templates);
	free(l->list);
	langdetect_free(l->detector);
	free(l);
}

const char *
config_language_default(const struct config *c)
{
	return c->language->def;
}

const char *
config_language_detect_dir(const struct config *c)
{
	return c->language->detect;
}

struct langdetect *
config_language_detector(const struct config *c)
{
	return c->language->detector;
}

const char *
config_language_list(const struct config *c)
{
	return c->language->list;
}

int
config_language_template(const struct config *c, const char *lang,
    enum config_language_kind kind, const struct template **subject,
    const struct template **body)
{
	const struct config_language *l = c->language;
	size_t i;

	*subject = *body = NULL;
	if (lang == NULL)
		return 0;
	for (i = 0; i < l->nsets; i++) {
		if (strcmp(l->sets[i].lang, lang) != 0)
			continue;
		*subject = l->sets[i].subject[kind];
		*body = l->sets[i].body[kind];
		return *body != NULL;
	}
	return 0;
}

/* Every DIR/LANG/KIND.txt; folders that are not language codes are not ours. */
static void
config_language_dir(struct config_loader *ld, config_setting_t *s,
    struct config_language *l)
{
	char path[4096];
	struct dirent *de;
	struct stat sb;
	struct buf list;
	DIR *d;
	size_t i;
	int k;

	if ((d = opendir(l->templates)) == NULL) {
		config_section_error(ld, s, "language.templates",
		    "cannot open %s: %s", l->templates, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!config_language_code_ok(de->d_name))
			continue;
		l->sets = xreallocarray(l->sets, l->nsets + 1,
		    sizeof(*l->sets));
		memset(&l->sets[l->nsets], 0, sizeof(l->sets[0]));
		l->sets[l->nsets].lang = xstrdup(de->d_name);
		for (k = 0; k < CONFIG_LANGUAGE_NKINDS; k++) {
			(void)snprintf(path, sizeof(path), "%s/%s/%s.txt",
			    l->templates, de->d_name,
			    config_language_kinds[k]);
			if (stat(path, &sb) == -1 && errno == ENOENT)
				continue;
			config_language_file(ld, s, &l->sets[l->nsets], path,
			    k);
		}
		l->nsets++;
	}
	closedir(d);
	qsort(l->sets, l->nsets, sizeof(*l->sets), config_language_cmp);
	buf_init(&list);
	for (i = 0; i < l->nsets; i++) {
		if (i > 0)
			buf_append_char(&list, ' ');
		buf_append_str(&list, l->sets[i].lang);
	}
	free(l->list);
	l->list = buf_steal(&list, NULL);
	if (l->list == NULL)
		l->list = xstrdup("");
}

/* "Subject: ...", an empty line, the body. */
static void
config_language_file(struct config_loader *ld, config_setting_t *s,
    struct config_language_set *set, const char *path, int kind)
{
	const char *const *vars = kind == CONFIG_LANGUAGE_OUT_OF_HOURS ?
	    config_language_ooh_vars : template_ack_vars;
	char chunk[8192], *text, *nl, *body, *subject;
	struct error err;
	struct buf b;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		config_section_error(ld, s, "language.templates",
		    "cannot read %s: %s", path, strerror(errno));
		return;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    b.len < CONFIG_LANGUAGE_FILE_MAX)
		buf_append(&b, chunk, n);
	fclose(f);
	text = buf_steal(&b, NULL);
	if (text == NULL)
		text = xstrdup("");
	if (strncmp(text, "Subject:", 8) != 0 ||
	    (nl = strchr(text, '\n')) == NULL || nl[1] != '\n') {
		config_section_error(ld, s, "language.templates",
		    "%s:1: must start with a \"Subject: ...\" line and an "
		    "empty line", path);
		free(text);
		return;
	}
	*nl = '\0';
	body = nl + 2;
	subject = text + 8;
	subject += strspn(subject, " \t");
	if ((set->subject[kind] = template_compile(subject, vars,
	    &err)) == NULL)
		config_section_error(ld, s, "language.templates", "%s:1: %s",
		    path, err.msg);
	else if ((set->body[kind] = template_compile(body, vars,
	    &err)) == NULL)
		config_section_error(ld, s, "language.templates", "%s:3: %s",
		    path, err.msg);
	free(text);
}

bool
config_language_code_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < 'a' || s[i] > 'z' || i >= 3)
			return false;
	return i >= 2;
}

static int
config_language_cmp(const void *a, const void *b)
{
	const struct config_language_set *x = a, *y = b;

	return strcmp(x->lang, y->lang);
}
