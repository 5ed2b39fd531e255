/*
 * mime: one raw RFC 5322 message in, one plain struct out (libetpan does
 * the parsing).  Every string in struct parsed_message is valid UTF-8,
 * whatever the charsets of the message; nothing here fails on bad input:
 * what cannot be parsed is left empty and noted in `warning`.
 */
#ifndef TRIAGED_MIME_H
#define TRIAGED_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct mime_address {
	char	*name;		/* display name, decoded; NULL if none */
	char	*addr;		/* local@domain as written (not lowercased); NULL if unparseable */
};

struct mime_header {
	char	*name;		/* as written, e.g. "Auto-Submitted" */
	char	*value;		/* unfolded, RFC 2047 decoded, UTF-8 */
};

struct mime_attachment {
	char	*filename;	/* decoded (RFC 2231/2047); NULL if none */
	char	*content_type;	/* "application/pdf", lowercased */
	size_t	 size;		/* decoded size in bytes */
};

struct parsed_message {
	struct mime_header	*headers;	/* top-level headers, in order */
	size_t			 nheaders;

	char			*message_id;	/* without <>; NULL if none */
	char			*in_reply_to;	/* first id, without <>; NULL */
	char			**references;	/* ids without <>, oldest first */
	size_t			 nreferences;
	char			*subject;	/* decoded; "" if none */
	struct mime_address	 from;		/* first From mailbox */
	struct mime_address	 reply_to;	/* first Reply-To mailbox, or empty */
	struct mime_address	*to;
	size_t			 nto;
	struct mime_address	*cc;
	size_t			 ncc;
	time_t			 date;		/* 0 if missing or unparseable */
	char			*content_type;	/* top level, lowercased "multipart/report" */

	char			*body;		/* chosen text: text/plain, else text from text/html; "" if none */
	bool			 body_from_html;
	struct mime_attachment	*attachments;
	size_t			 nattachments;

	char			*warning;	/* NULL, or one line on what was odd */
};

/*
 * Parses len bytes at raw (need not be NUL-terminated; may hold NULs and
 * 8-bit junk).  Always returns a new parsed_message (never NULL); free it
 * with mime_free().
 */
struct parsed_message	*mime_parse(const char *raw, size_t len);
void			 mime_free(struct parsed_message *);
/* First header named name (case-insensitive), or NULL; borrowed. */
const char		*mime_header_get(const struct parsed_message *,
			    const char *name);

#endif
