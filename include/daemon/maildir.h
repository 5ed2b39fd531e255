/*
 * maildir: deliver one message into a Maildir (tmp/, fsync, link into
 * new/, fsync the directory), creating the folders as needed.  Used for
 * outgoing mail when no smarthost is configured, so a newcomer can read it.
 */
#ifndef TRIAGED_MAILDIR_H
#define TRIAGED_MAILDIR_H

#include <stddef.h>

struct error;

/*
 * Delivers len bytes (CRLF or LF line ends; written with LF) as one new
 * file in dir/new.  Returns 0 once the file and the directory entry are
 * on disk; -1 + err (ERR_TEMP with strerror text) otherwise, leaving
 * nothing behind in new/.  Thread-safe.
 */
int	maildir_deliver(const char *dir, const char *data, size_t len,
	    struct error *err);

#endif
