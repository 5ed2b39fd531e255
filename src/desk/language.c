/*
 * language: choosing the customer's language and writing dates in it
 * (see language.h).  Day and month names are ours, not the C library's:
 * a daemon cannot count on locales being installed (Debian installs
 * none by default), and Polish and Russian need the genitive month in a
 * date ("7 grudnia", "7 декабря").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "config_language.h"
#include "customer.h"
#include "error.h"
#include "language.h"
#include "mime.h"
#include "sla.h"

struct language_names {
	const char	*lang;
	const char	*days[7];	/* Sunday first, as tm_wday */
	const char	*months[12];	/* the form used in a date */
};

static const struct language_names language_names[] = {
	{ "pl",
	  { "niedziela", "poniedziałek", "wtorek", "środa", "czwartek",
	    "piątek", "sobota" },
	  { "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
	    "lipca", "sierpnia", "września", "października", "listopada",
	    "grudnia" } },
	{ "ru",
	  { "воскресенье", "понедельник", "вторник", "среда", "четверг",
	    "пятница", "суббота" },
	  { "января", "февраля", "марта", "апреля", "мая", "июня", "июля",
	    "августа", "сентября", "октября", "ноября", "декабря" } },
};

int
language_choose(struct store *st, const struct config *cfg, int64_t customer,
    const struct parsed_message *pm, int learn,
    char out[LANGDETECT_CODE_MAX], const char **how, struct error *err)
{
	char *known = NULL;
	const char *def = config_language_default(cfg);

	if (customer != 0 && customer_language(st, customer, &known,
	    err) == -1)
		return -1;
	if (known != NULL) {
		(void)snprintf(out, LANGDETECT_CODE_MAX, "%s", known);
		free(known);
		*how = "customer";
		return 0;
	}
	*how = NULL;
	if (pm != NULL && langdetect_header(mime_header_get(pm,
	    "Content-Language"), out))
		*how = "content-language";
	else if (pm != NULL && pm->body != NULL &&
	    langdetect_text(config_language_detector(cfg), pm->body,
	    strlen(pm->body), out))
		*how = "detected";
	if (*how != NULL) {
		if (learn && customer != 0 && customer_set_language(st,
		    customer, out, true, err) == -1)
			return -1;
		return 0;
	}
	(void)snprintf(out, LANGDETECT_CODE_MAX, "%s", def);
	*how = "default";
	return 0;
}

void
language_format_time(const char *lang, const struct calendar *cal, time_t t,
    char *buf, size_t len)
{
	const struct language_names *n = NULL;
	char zone[64];
	struct tm tm;
	size_t i;

	for (i = 0; lang != NULL &&
	    i < sizeof(language_names) / sizeof(language_names[0]); i++)
		if (strcmp(language_names[i].lang, lang) == 0)
			n = &language_names[i];
	if (n == NULL) {
		sla_format_time(cal, t, buf, len);
		return;
	}
	if (cal != NULL)
		calendar_localtime(cal, t, &tm);
	else
		(void)gmtime_r(&t, &tm);
	if (cal == NULL || strftime(zone, sizeof(zone), "%Z", &tm) == 0)
		(void)snprintf(zone, sizeof(zone), "UTC");
	(void)snprintf(buf, len, "%s, %d %s %d, %02d:%02d %s",
	    n->days[tm.tm_wday], tm.tm_mday, n->months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, zone);
}
