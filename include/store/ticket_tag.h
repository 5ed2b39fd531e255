/*
 * ticket_tag: the tags a request carries (the ticket_tags table): one
 * word each, set by a mailbox's defaults, the rules and the agents.
 * Calls run in the caller's transaction, if any; errors are the
 * database's (ERR_TEMP).  A tag is stored as given: callers check words.
 */
#ifndef TRIAGED_TICKET_TAG_H
#define TRIAGED_TICKET_TAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;
struct store;

/*
 * Adds tag to ticket; *added_out (may be NULL) false if it was there
 * already.  0, or -1 + err.
 */
int	ticket_tag_add(struct store *, int64_t ticket, const char *tag,
	    bool *added_out, struct error *err);
/*
 * Takes tag off ticket; *removed_out (may be NULL) false if it was not
 * there.  0, or -1 + err.
 */
int	ticket_tag_remove(struct store *, int64_t ticket, const char *tag,
	    bool *removed_out, struct error *err);
/*
 * The tags of ticket in byte order, into a new array of copies (free
 * with ticket_tag_list_free); 0, or -1 + err and nothing to free.
 */
int	ticket_tag_list(struct store *, int64_t ticket, char ***tags_out,
	    size_t *n_out, struct error *err);
void	ticket_tag_list_free(char **, size_t n);
/*
 * The tags of from join into's (a merge), and from has none left.
 * 0, or -1 + err.
 */
int	ticket_tag_move(struct store *, int64_t from, int64_t into,
	    struct error *err);

#endif
