/*
 * threading: which request does a message belong to?  First the subject
 * token ("[#123]") of an existing request, then In-Reply-To, then
 * References (newest first) against every Message-ID we received or sent.
 * Conversation threading, not OS threads.
 */
#ifndef TRIAGED_THREADING_H
#define TRIAGED_THREADING_H

#include <stdint.h>

struct error;
struct parsed_message;
struct store;
struct subject_token;

enum threading_how {
	THREADING_NONE,		/* a new request */
	THREADING_TOKEN,
	THREADING_IN_REPLY_TO,
	THREADING_REFERENCES
};

/*
 * Sets *ticket_out to the request pm belongs to (0: none) and *how_out to
 * what matched.  -1 + err only on database errors.
 */
int		 threading_find(struct store *, const struct subject_token *,
		    const struct parsed_message *pm, int64_t *ticket_out,
		    enum threading_how *how_out, struct error *err);
const char	*threading_how_name(enum threading_how);
/* Records that message_id (without <>) belongs to ticket (received or sent). */
int		 threading_remember(struct store *, const char *message_id,
		    int64_t ticket, struct error *err);

#endif
