/*
 * thread_id: every Message-ID we received or sent (the message_ids
 * table) and the request it belongs to, so that an answer's In-Reply-To
 * or References finds its request (threading.c).  Message-IDs are kept
 * without <> and compared exactly.  All calls run in the caller's
 * transaction, if any; errors are the database's (ERR_TEMP).
 */
#ifndef TRIAGED_THREAD_ID_H
#define TRIAGED_THREAD_ID_H

#include <stdint.h>

struct error;
struct store;

/*
 * Records that message_id belongs to ticket; an id already known keeps
 * its first request (a Message-ID names one message).  0, or -1 + err.
 */
int	thread_id_remember(struct store *, const char *message_id,
	    int64_t ticket, struct error *err);
/* The request of message_id in *ticket_out, 0 if unknown; 0, or -1 + err. */
int	thread_id_find(struct store *, const char *message_id,
	    int64_t *ticket_out, struct error *err);
/* Every id of request from now belongs to into (a merge); 0, or -1 + err. */
int	thread_id_move(struct store *, int64_t from, int64_t into,
	    struct error *err);

#endif
