/*
 * language: the customer's language (issue 19), for the mail we write to
 * them, and dates written in it.  The order of trust:
 *   1. the language remembered on the customer (an admin's
 *      `triagectl customer ADDR --language xx`, or what an earlier
 *      message told);
 *   2. the message's Content-Language, if it names one language;
 *   3. the language of its text by libexttextcat, only for a text long
 *      enough with one clear winner (langdetect.h);
 *   4. the config's language.default.
 * What 2 or 3 found is remembered on the customer (if none was), in the
 * caller's transaction: their next mail, short or not, gets the same.
 * Automatic mail (bounces, vacation replies) teaches nothing: it is in
 * the language of a server or of a template.
 */
#ifndef TRIAGED_LANGUAGE_H
#define TRIAGED_LANGUAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "langdetect.h"

struct calendar;
struct config;
struct error;
struct parsed_message;
struct store;

/*
 * What message pm says of its language, without the store (so on any
 * thread, before the writer's turn): its Content-Language (*how
 * "content-language"), else its text's (langdetect_text, "detected"),
 * into out; else *how NULL.  The text is not classified when sender
 * (the customer address, customer_normalize_address's; may be NULL) is
 * settled (language_settle): its remembered language wins anyway.
 */
void	language_detect(const struct config *, const struct parsed_message *pm,
	    const char *sender, char out[LANGDETECT_CODE_MAX],
	    const char **how);
/*
 * After language_choose for sender's customer gave how: tells the
 * detector whether later messages of sender need classifying (not when
 * the customer had a language: how "customer").
 */
void	language_settle(const struct config *, const char *sender,
	    const char *how);
/*
 * The language for mail to customer (0: none) into out, and where it
 * came from into *how ("customer", found_how, "default"): known is the
 * customer's remembered language as the caller read it in this
 * transaction (NULL: none; customer_find_or_create gives it), found
 * what a message said (language_detect; NULL: nothing).  learn:
 * remember found on the customer.  0, or -1 + err.
 */
int	language_choose(struct store *, const struct config *,
	    int64_t customer, const char *known, const char *found,
	    const char *found_how, int learn, char out[LANGDETECT_CODE_MAX],
	    const char **how, struct error *err);
/*
 * language_choose with no message to read: the customer's remembered
 * language (read here), else the default.
 */
int	language_of_customer(struct store *, const struct config *,
	    int64_t customer, char out[LANGDETECT_CODE_MAX], const char **how,
	    struct error *err);
/*
 * t as a date and time in lang, in cal's zone (NULL: UTC): month and day
 * names of en, pl and ru from our own tables (no locale needed); other
 * languages get the English form.
 */
void	language_format_time(const char *lang, const struct calendar *cal,
	    time_t t, char *buf, size_t len);

enum language_unit {
	LANGUAGE_MINUTES,
	LANGUAGE_HOURS,
	LANGUAGE_DAYS
};

/*
 * n and unit's noun in the form lang counts with (its plural rule, in
 * the nominative): "1 day", "2 days"; "1 dzień", "2 dni", "5 dni",
 * "22 dni"; "1 день", "2 дня", "5 дней", "21 день".  en, pl and ru
 * have their rules; other languages get the English form.
 */
void	language_format_count(const char *lang, long n, enum language_unit,
	    char *buf, size_t len);
/*
 * A span of secs (>= 0) in its largest unit, rounded to the nearest
 * whole one and at least 1: under an hour in minutes, under a day in
 * hours, else in days ("3 godziny", "2 дня"), as language_format_count.
 */
void	language_format_span(const char *lang, time_t secs, char *buf,
	    size_t len);
/*
 * The sentence {{suggestions}} opens with in the acknowledgement, for n
 * articles (n >= 1), in lang: en, pl and ru have theirs, other
 * languages the English one.  A constant string.
 */
const char *language_suggestions_intro(const char *lang, size_t n);

#endif
