/*
 * config_reports: the "reports" config section (config_reports.c),
 * loaded through the config_section table; read with the functions
 * below while holding a config reference.
 */
#ifndef TRIAGED_CONFIG_REPORTS_H
#define TRIAGED_CONFIG_REPORTS_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct config_loader;
struct config_setting_t;
struct template;

/* A digest schedule: sent once per period, at minute of the day. */
struct report_digest {
	char		*name;
	bool		 weekly;	/* else daily */
	int		 weekday;	/* weekly: 0 = Sunday; default Monday */
	int		 minute;	/* local minutes after midnight */
	char		**to;		/* NULL-terminated */
	size_t		 nto;
};

/*
 * Variables of the survey templates (NULL-terminated): link1..link5 are
 * at 8..12; opened and resolved are dates and took the time between
 * them, in the customer's language (language.h).
 */
extern const char *const config_reports_survey_vars[];

void		 config_reports_init(struct config *);
void		 config_reports_load(struct config_loader *,
		    struct config_setting_t *);
void		 config_reports_check(struct config_loader *);
void		 config_reports_free(struct config *);
/* "HH:MM" as minutes after midnight; -1 if malformed. */
int		 config_reports_time(const char *);

/* Is the survey on (and a rating key set)? */
bool		 config_reports_survey(const struct config *);
const struct template *config_reports_survey_subject(const struct config *);
const struct template *config_reports_survey_body(const struct config *);
/* The rating addresses' signing key, or NULL. */
const char	*config_reports_key(const struct config *);
/* The calendar reports use: a name, or NULL for the default one. */
const char	*config_reports_calendar(const struct config *);
size_t		 config_reports_ndigests(const struct config *);
const struct report_digest *config_reports_digest_at(const struct config *,
		    size_t i);

#endif
