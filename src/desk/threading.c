/*
 * threading: finds the request a message belongs to (DESIGN "Thread").
 * The token wins because it survives clients that drop In-Reply-To; the
 * message-id table covers clients that drop the subject token.  A token
 * naming a request that does not exist is ignored (a typo, or another
 * system's ticket number), and threading falls through to the headers.
 */
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "mime.h"
#include "subject_token.h"
#include "thread_id.h"
#include "threading.h"
#include "ticket.h"

int
threading_find(struct store *st, const struct subject_token *tok,
    const struct parsed_message *pm, int64_t *ticket_out,
    enum threading_how *how_out, struct error *err)
{
	uint64_t id;
	bool exists = false;
	size_t i;

	*ticket_out = 0;
	*how_out = THREADING_NONE;
	if (tok != NULL && subject_token_find(tok, pm->subject, &id) &&
	    id <= INT64_MAX) {
		if (ticket_exists(st, (int64_t)id, &exists, err) == -1)
			return -1;
		if (exists) {
			*ticket_out = (int64_t)id;
			*how_out = THREADING_TOKEN;
			return 0;
		}
	}
	if (pm->in_reply_to != NULL) {
		if (thread_id_find(st, pm->in_reply_to, ticket_out, err) == -1)
			return -1;
		if (*ticket_out != 0) {
			*how_out = THREADING_IN_REPLY_TO;
			return 0;
		}
	}
	/* Newest reference first: the most specific message in the thread. */
	for (i = pm->nreferences; i > 0; i--) {
		if (thread_id_find(st, pm->references[i - 1], ticket_out,
		    err) == -1)
			return -1;
		if (*ticket_out != 0) {
			*how_out = THREADING_REFERENCES;
			return 0;
		}
	}
	return 0;
}

const char *
threading_how_name(enum threading_how how)
{
	switch (how) {
	case THREADING_NONE:
		return "new";
	case THREADING_TOKEN:
		return "token";
	case THREADING_IN_REPLY_TO:
		return "in-reply-to";
	case THREADING_REFERENCES:
		return "references";
	}
	return "unknown";
}

int
threading_remember(struct store *st, const char *message_id, int64_t ticket,
    struct error *err)
{
	if (message_id == NULL || *message_id == '\0')
		return 0;
	return thread_id_remember(st, message_id, ticket, err);
}
