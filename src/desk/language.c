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

/*
 * Plural forms, CLDR's categories for counting nouns: "one", "few",
 * "many" (English has only one and other, written in both last
 * columns).  The nominative, so a template writes "Czas: {{took}}" or
 * "Срок: {{took}}" and never needs a case the number would change.
 */
struct language_plural {
	const char	*lang;
	int		 (*form)(long);	/* 0 one, 1 few, 2 many */
	const char	*nouns[3][3];	/* [unit][form], enum language_unit */
};

/* {{suggestions}}' first line: one article, several. */
static const struct {
	const char	*lang;
	const char	*one, *more;
} language_intros[] = {
	{ "en", "This article may already answer your question:",
	  "These articles may already answer your question:" },
	{ "pl", "Być może odpowiedź na Pani/Pana pytanie jest już w tym "
	  "artykule:", "Być może odpowiedź na Pani/Pana pytanie jest już "
	  "w tych artykułach:" },
	{ "ru", "Возможно, ответ на ваш вопрос уже есть в этой статье:",
	  "Возможно, ответ на ваш вопрос уже есть в этих статьях:" },
};

static int	language_plural_en(long);
static int	language_plural_pl(long);
static int	language_plural_ru(long);
static const struct language_names *language_names_of(const char *);

static const struct language_plural language_plurals[] = {
	{ "en", language_plural_en,
	  { { "minute", "minutes", "minutes" },
	    { "hour", "hours", "hours" },
	    { "day", "days", "days" } } },
	{ "pl", language_plural_pl,
	  { { "minuta", "minuty", "minut" },
	    { "godzina", "godziny", "godzin" },
	    { "dzień", "dni", "dni" } } },
	{ "ru", language_plural_ru,
	  { { "минута", "минуты", "минут" },
	    { "час", "часа", "часов" },
	    { "день", "дня", "дней" } } },
};

void
language_detect(const struct config *cfg, const struct parsed_message *pm,
    const char *sender, char out[LANGDETECT_CODE_MAX], const char **how)
{
	struct langdetect *ld = config_language_detector(cfg);

	*how = NULL;
	out[0] = '\0';
	if (pm == NULL)
		return;
	if (langdetect_header(mime_header_get(pm, "Content-Language"), out))
		*how = "content-language";
	else if (pm->body != NULL && !langdetect_settled(ld, sender) &&
	    langdetect_text(ld, pm->body, strlen(pm->body), out))
		*how = "detected";
}

/*
 * Settled on what the store said ("customer"), not on what this message
 * taught it, which is not committed yet: the customer's next message
 * settles it.  When the memo is wrong all the same (an admin cleared
 * the language, or the language read was an earlier message's of a
 * batch that then rolled back), one message goes unclassified and gets
 * the default language; its "default" unsettles the sender, so the next
 * one is classified again.
 */
void
language_settle(const struct config *cfg, const char *sender,
    const char *how)
{
	langdetect_settle(config_language_detector(cfg), sender,
	    how != NULL && strcmp(how, "customer") == 0);
}

int
language_choose(struct store *st, const struct config *cfg, int64_t customer,
    const char *known, const char *found, const char *found_how, int learn,
    char out[LANGDETECT_CODE_MAX], const char **how, struct error *err)
{
	const char *def = config_language_default(cfg);

	if (customer != 0 && known != NULL) {
		(void)snprintf(out, LANGDETECT_CODE_MAX, "%s", known);
		*how = "customer";
		return 0;
	}
	if (found != NULL && found[0] != '\0') {
		(void)snprintf(out, LANGDETECT_CODE_MAX, "%s", found);
		*how = found_how;
		if (learn && customer != 0 && customer_set_language(st,
		    customer, out, true, err) == -1)
			return -1;
		return 0;
	}
	(void)snprintf(out, LANGDETECT_CODE_MAX, "%s", def);
	*how = "default";
	return 0;
}

int
language_of_customer(struct store *st, const struct config *cfg,
    int64_t customer, char out[LANGDETECT_CODE_MAX], const char **how,
    struct error *err)
{
	char *known = NULL;
	int rc;

	if (customer != 0 && customer_language(st, customer, &known,
	    err) == -1)
		return -1;
	rc = language_choose(st, cfg, customer, known, NULL, NULL, 0, out, how,
	    err);
	free(known);
	return rc;
}

void
language_format_time(const char *lang, const struct calendar *cal, time_t t,
    char *buf, size_t len)
{
	const struct language_names *n;
	char zone[64];
	struct tm tm;

	if ((n = language_names_of(lang)) == NULL) {
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

void
language_format_count(const char *lang, long n, enum language_unit unit,
    char *buf, size_t len)
{
	const struct language_plural *p = &language_plurals[0];
	size_t i;

	for (i = 0; lang != NULL &&
	    i < sizeof(language_plurals) / sizeof(language_plurals[0]); i++)
		if (strcmp(language_plurals[i].lang, lang) == 0)
			p = &language_plurals[i];
	(void)snprintf(buf, len, "%ld %s", n, p->nouns[unit][p->form(n)]);
}

void
language_format_span(const char *lang, time_t secs, char *buf, size_t len)
{
	long n;
	enum language_unit unit;

	if (secs < 0)
		secs = 0;
	/* rounded first, so 59.6 minutes reads "1 hour", not "60 minutes" */
	if ((secs + 30) / 60 < 60) {
		unit = LANGUAGE_MINUTES;
		n = (long)((secs + 30) / 60);
	} else if ((secs + 1800) / 3600 < 24) {
		unit = LANGUAGE_HOURS;
		n = (long)((secs + 1800) / 3600);
	} else {
		unit = LANGUAGE_DAYS;
		n = (long)((secs + 43200) / 86400);
	}
	language_format_count(lang, n > 0 ? n : 1, unit, buf, len);
}

const char *
language_suggestions_intro(const char *lang, size_t n)
{
	size_t i, k = 0;

	for (i = 0; lang != NULL &&
	    i < sizeof(language_intros) / sizeof(language_intros[0]); i++)
		if (strcmp(language_intros[i].lang, lang) == 0)
			k = i;
	return n == 1 ? language_intros[k].one : language_intros[k].more;
}

static const struct language_names *
language_names_of(const char *lang)
{
	size_t i;

	for (i = 0; lang != NULL &&
	    i < sizeof(language_names) / sizeof(language_names[0]); i++)
		if (strcmp(language_names[i].lang, lang) == 0)
			return &language_names[i];
	return NULL;
}

static int
language_plural_en(long n)
{
	return n == 1 ? 0 : 2;
}

/* 1 dzień; 2-4, 22-24, ... dni (few); 0, 5-21, 25-31, ... dni (many). */
static int
language_plural_pl(long n)
{
	if (n < 0)
		n = -n;
	if (n == 1)
		return 0;
	if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14))
		return 1;
	return 2;
}

/* 1, 21, 31 день; 2-4, 22-24 дня; 0, 5-20, 25-30, 11-14 дней. */
static int
language_plural_ru(long n)
{
	if (n < 0)
		n = -n;
	if (n % 10 == 1 && n % 100 != 11)
		return 0;
	if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14))
		return 1;
	return 2;
}
