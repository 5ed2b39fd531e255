/*
 * customer: who wrote to us.  Each sender address belongs to one customer
 * record (name from From, more addresses attachable); the customer's
 * requests are found through tickets.customer_id.
 */
#ifndef TRIAGED_CUSTOMER_H
#define TRIAGED_CUSTOMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct error;
struct store;
struct ticket_reserve;

/*
 * A customer as the intake looks it up by address: read is false until
 * a look-up filled it; id 0: nobody has the address yet.  language is a
 * copy (customer_seen_clear), NULL: none.
 */
struct customer_seen {
	bool	 read;
	int64_t	 id;
	char	*language;
	bool	 named;		/* its name is not empty */
};

/*
 * What the intake reads first, in one statement (one round trip on
 * PostgreSQL where there were two): the request holding a message of
 * dedupe key `key` (NULL: none asked) into *dup_out (0: none; promise 2),
 * and the customer owning addr (lowercased; NULL: no look-up) into
 * *seen.  With reserve (NULL: not asked) on PostgreSQL, for a message
 * expected to open a request, a number drawn for it unless it is a
 * duplicate (ticket.h; ticket_reserve_clear).  0, or -1 + err.
 */
int	customer_seen_with_duplicate(struct store *, const char *key,
	    const char *addr, int64_t *dup_out, struct customer_seen *seen,
	    struct ticket_reserve *reserve, struct error *err);
void	customer_seen_clear(struct customer_seen *);
/*
 * The customer owning addr (any case), created with name if new; a
 * customer whose name is still empty gets name.  seen: what a look-up
 * of addr in this transaction found (NULL, or not read: looked up
 * here).  *id_out set; with lang_out, *lang_out the customer's language
 * (a copy the caller frees; NULL: none, or a new customer).
 */
int	customer_find_or_create(struct store *, const char *addr,
	    const char *name, time_t now, const struct customer_seen *seen,
	    int64_t *id_out, char **lang_out, struct error *err);
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
/* A customer record as the desk reads it (copies: customer_clear). */
struct customer {
	int64_t	 id;		/* 0: no such customer */
	char	*name;		/* "" when none was ever given */
	char	*company;	/* NULL: none */
	time_t	 created_at;
	char	**addresses;	/* lowercased, the first one first */
	size_t	 naddresses;
};

/*
 * Reads customer id and its addresses (oldest first) into *c.  An id
 * that names no customer (0 included) reads as c->id 0, no name and no
 * addresses: a request whose customer row is missing is nobody's.
 * 0, or -1 + err (the database); on -1 *c needs no customer_clear.
 */
int	customer_load(struct store *, int64_t id, struct customer *c,
	    struct error *err);
/* Frees c's copies and zeroes it; a zeroed customer is fine. */
void	customer_clear(struct customer *c);
/*
 * The customer's remembered language (a lowercase ISO 639-1 code, see
 * customer_language_valid) into *lang_out, a new string, or NULL when not
 * known (or no such customer).  0, or -1 + err.
 */
int	customer_language(struct store *, int64_t id, char **lang_out,
	    struct error *err);
/*
 * Remembers lang (NULL: forget) for customer id, in the caller's
 * transaction.  only_if_unknown: an admin's or an earlier choice stays.
 * lang must pass customer_language_valid.  0, or -1 + err.
 */
int	customer_set_language(struct store *, int64_t id, const char *lang,
	    bool only_if_unknown, struct error *err);
/*
 * triagectl's: sets the language of the customer owning addr, in a
 * transaction of its own; ERR_PERM if there is none or lang is not a
 * code ("-" forgets it).  *id_out gets the customer.
 */
int	customer_set_language_of(struct store *, const char *addr,
	    const char *lang, int64_t *id_out, struct error *err);
/* True if s is two or three lowercase ASCII letters (ISO 639). */
bool	customer_language_valid(const char *s);
/* Lowercased copy of an address, caller frees; NULL if addr is NULL. */
char	*customer_normalize_address(const char *addr);

#endif
