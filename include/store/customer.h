/*
 * customer: who wrote to us.  Each sender address belongs to one customer
 * record (name from From, more addresses attachable); the customer's
 * requests are found through tickets.customer_id.
 */
#ifndef TRIAGED_CUSTOMER_H
#define TRIAGED_CUSTOMER_H

#include <stdint.h>
#include <time.h>

struct error;
struct store;

/*
 * The customer owning addr (any case), created with name if new; a
 * customer whose name is still empty gets name.  *id_out set.
 */
int	customer_find_or_create(struct store *, const char *addr,
	    const char *name, time_t now, int64_t *id_out, struct error *err);
/* Attaches another address to customer id (fails if it belongs to another). */
int	customer_add_address(struct store *, int64_t id, const char *addr,
	    time_t now, struct error *err);
/*
 * Attaches addr to the customer owning existing, in a transaction of its
 * own: ERR_PERM if existing has no customer, addr is not an address, or
 * addr belongs to another customer; attaching an address the customer
 * already has is a no-op.  *id_out gets the customer.
 */
int	customer_attach(struct store *, const char *existing, const char *addr,
	    time_t now, int64_t *id_out, struct error *err);
/* Lowercased copy of an address, caller frees; NULL if addr is NULL. */
char	*customer_normalize_address(const char *addr);

#endif
