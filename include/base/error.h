/*
 * struct error: a caller-owned error record.  The kind decides what mail
 * needs (4xx vs 5xx, retry vs bounce); the message is one line for the log.
 * Nothing to free; every function taking `struct error *err` accepts NULL.
 */
#ifndef TRIAGED_ERROR_H
#define TRIAGED_ERROR_H

enum error_kind {
	ERR_NONE = 0,
	ERR_TEMP,	/* try again later: 4xx, EX_TEMPFAIL, retry */
	ERR_PERM,	/* will never succeed: 5xx, EX_DATAERR, give up */
	ERR_INTERNAL	/* our bug or environment; treated as temporary */
};

struct error {
	enum error_kind	kind;
	char		msg[512];
};

void		 error_clear(struct error *);
/* Fills err (if not NULL) and returns -1, so "return error_set(...)" works. */
int		 error_set(struct error *, enum error_kind, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
const char	*error_kind_name(enum error_kind);

#endif
