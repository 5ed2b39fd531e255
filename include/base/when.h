/*
 * when: the due times people write for tasks (issue 19), turned into
 * instants.  The forms, case-insensitive:
 *	today 15:00		today's date in the zone, at that wall time
 *	tomorrow 10:00		the next date in the zone
 *	2026-12-01 09:30	a date and wall time in the zone
 *	+30m  +2h  +1d		real minutes, hours, days from now
 *	+3bh			business hours of the business calendar
 * Times are H:MM or HH:MM, 00:00 to 23:59, and 24:00 (the end of that
 * date, so "today 24:00" is the coming midnight).  A wall time that a
 * spring-forward skips is the transition instant, a repeated one its
 * first occurrence (calendar_from_local).  A due time before now is
 * refused rather than fired at once: "today 09:00" written at 11:00 is
 * a slip the writer wants to hear about.  Nothing here logs or reads
 * the clock.
 */
#ifndef TRIAGED_WHEN_H
#define TRIAGED_WHEN_H

#include <stddef.h>
#include <time.h>

struct calendar;
struct error;

/*
 * Parses the WHEN at the start of s (leading blanks skipped), as seen at
 * now by someone in zone's time zone (NULL: UTC); "+Nbh" counts on
 * business (NULL: every hour counts).  A WHEN ends at the end of s or at
 * a blank.  Returns 1 with *out the instant and *len_out the bytes of s
 * it took (blanks after it included); 0 when s does not start like a
 * WHEN (no "today", "tomorrow", "+digit" or "digit...-"), *len_out 0;
 * -1 + err (ERR_PERM, a sentence for the writer) when it starts like one
 * but is not one, or names a time before now.
 */
int	when_parse(const char *s, time_t now, const struct calendar *zone,
	    const struct calendar *business, time_t *out, size_t *len_out,
	    struct error *err);

#endif
