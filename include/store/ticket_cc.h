/*
 * ticket_cc: the customer-side addresses a request copies (the ticket_cc
 * table): the Cc of the customer's mail, the rules' and the agents'
 * #cc.  Relays to the customer carry them.  Addresses are stored as
 * given (callers lowercase them); calls run in the caller's
 * transaction, if any; errors are the database's (ERR_TEMP).
 */
#ifndef TRIAGED_TICKET_CC_H
#define TRIAGED_TICKET_CC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct store;
struct ticket_cc;	/* ticket.h: address and name */

/*
 * Adds address (with name, may be NULL) to ticket's Cc; *added_out (may
 * be NULL) false if it was there already (its name stays).  0, or -1 +
 * err.
 */
int	ticket_cc_add(struct store *, int64_t ticket, const char *address,
	    const char *name, bool *added_out, struct error *err);
/*
 * ticket's Cc by address, into a new array of copies (free with
 * ticket_cc_free); 0, or -1 + err and nothing to free.
 */
int	ticket_cc_list(struct store *, int64_t ticket, struct ticket_cc **cc_out,
	    size_t *n_out, struct error *err);
void	ticket_cc_free(struct ticket_cc *, size_t n);
/*
 * The Cc of from joins into's (a merge; an address into has keeps its
 * name), and from has none left.  0, or -1 + err.
 */
int	ticket_cc_move(struct store *, int64_t from, int64_t into,
	    struct error *err);

#endif
