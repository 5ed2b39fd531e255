/*
 * rating: customer satisfaction.  After a request is resolved the
 * customer may be asked (reports.survey, off by default) to rate it from
 * 1 to 5, by replying with the digit on the first line or by clicking one
 * of five mailto: links.  Each link carries a signed address, made with
 * reply_address.h's HMAC under reports.rating_key for the pseudo-agent
 * "rate<N>":
 *
 *	support+r42.arate4.<mac>@example.test	request 42, rating 4
 *
 * so a rating cannot be forged for another request or another score.
 * A rating is a customer message like any other: it is stored (nothing
 * accepted is lost), then the request gets rating and rated_at and an
 * event "rated".  The latest rating wins.
 */
#ifndef TRIAGED_RATING_H
#define TRIAGED_RATING_H

#include <stdint.h>
#include <time.h>

struct config;
struct error;
struct pipeline_result;
struct pipeline_view;
struct store;
struct subject_token;

/*
 * The signed address rating request ticket with score (1-5), under the
 * first support address.  New string, or NULL + err (no key, bad score).
 */
char	*rating_address(const struct config *, int64_t ticket, int score,
	    struct error *err);

/*
 * An intake stage (pipeline.c, before agent mail): is this message a
 * rating?  It is when a recipient is a valid rating address, or when it
 * answers our survey (In-Reply-To or References) and its first non-blank
 * line is a digit 1-5.  Automatic mail never rates.  Returns 1 when it
 * was (the message stored on the request, the rating recorded, *res
 * filled: stored, how "rating"), 0 when it was not (nothing done), -1 +
 * err for database trouble.  Runs in the caller's transaction.
 */
int	rating_ingest(struct store *, struct pipeline_view *,
	    struct pipeline_result *res, struct error *err);

/*
 * Queues the survey for every request resolved since now - 7 days that
 * has no rating and was not asked yet (survey_sent_at), in the caller's
 * transaction; *queued gets how many.  No-op when the survey is off.
 * 0, or -1 + err.
 */
int	rating_survey_queue(struct store *, const struct config *,
	    const struct subject_token *, time_t now, int *queued,
	    struct error *err);

/*
 * The score of a reply's body: its first non-blank line is "1".."5"
 * alone, or followed by punctuation ("4.", "5!") or "/5"; else 0 (the
 * reply is a customer's message).
 */
int	rating_parse_reply(const char *body);

#endif
