/*
 * config_language: the `language` group (issue 19): the default language
 * of the mail we write to customers, where libexttextcat's language
 * models are (detection), and a directory of templates per language:
 *
 *	language = { default = "en"; detect = "/usr/share/libexttextcat";
 *	    templates = "/etc/triaged/templates"; };
 *
 * The directory holds one folder per language code (ISO 639-1, "pl"),
 * each with any of the files KIND.txt, KIND one of "acknowledgement",
 * "out_of_hours": a "Subject: ..." line, an empty line and the body, the
 * same variables as the settings they stand in for.  They are read and
 * compiled when the config loads: an unknown variable is an error naming
 * the file and its line.  A language without a file for a kind uses the
 * settings (acknowledgement.subject/body, sla.out_of_hours_ack).
 */
#ifndef TRIAGED_CONFIG_LANGUAGE_H
#define TRIAGED_CONFIG_LANGUAGE_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct config_loader;
struct config_setting_t;
struct langdetect;
struct template;

enum config_language_kind {
	CONFIG_LANGUAGE_ACK,
	CONFIG_LANGUAGE_OUT_OF_HOURS,
	CONFIG_LANGUAGE_NKINDS
};

/* The section's hooks (config_section.c). */
void		 config_language_init(struct config *);
void		 config_language_load(struct config_loader *,
		    struct config_setting_t *);
void		 config_language_free(struct config *);

/* 2 or 3 lowercase letters (ISO 639): "en", "pl", "ru". */
bool		 config_language_code_ok(const char *);

/* The default language code ("en"). */
const char	*config_language_default(const struct config *);
/* The directory of libexttextcat's models; NULL: no detection. */
const char	*config_language_detect_dir(const struct config *);
/*
 * The config's detector (langdetect.h; it loads its models on first use
 * and is safe from any thread), never NULL.
 */
struct langdetect *config_language_detector(const struct config *);
/*
 * lang's templates for kind into *subject and *body (borrowed), or 0 and
 * NULLs if lang has none for kind: the caller uses its setting.
 */
int		 config_language_template(const struct config *,
		    const char *lang, enum config_language_kind kind,
		    const struct template **subject,
		    const struct template **body);
/* The languages with templates, as a list "en pl ru" (borrowed). */
const char	*config_language_list(const struct config *);

#endif
