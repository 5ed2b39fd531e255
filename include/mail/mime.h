/*
 * mime: one raw RFC 5322 message in, one plain struct out (libetpan does
 * the parsing).  Every string in struct parsed_message is valid UTF-8,
 * whatever the charsets of the message; nothing here fails on bad input:
 * what cannot be parsed is left empty and noted in `warning`.
 */
#ifndef TRIAGED_MIME_H
#define TRIAGED_MIME_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>

struct buf;

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
	/*
	 * A file the sender attached, rather than a picture an HTML body
	 * shows: Content-Disposition attachment, or a named part outside a
	 * multipart/related.
	 */
	bool	 file;
	/*
	 * The whole entity, its MIME header and its body as sent, is the
	 * entity_len bytes at entity_off in the raw message parsed, so it
	 * can be passed on unchanged.  entity_len is 0 when the part is
	 * the message itself (a message that is only a file).
	 */
	size_t	 entity_off;
	size_t	 entity_len;
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

	char			*body;		/* chosen text: text/plain, else text from text/html; "" if none;
						   at most MIME_TEXT_MAX bytes (see below) */
	bool			 body_from_html;
	struct mime_attachment	*attachments;
	size_t			 nattachments;

	char			*warning;	/* NULL, or one line on what was odd */
};

/*
 * The most text kept as the body.  The body is what rules match, what
 * notices, acknowledgements and the history show: a longer text (a log
 * pasted into a mail) is cut there at a character boundary, one line
 * MIME_TEXT_CUT_NOTE follows, and the warning says so.  The raw message
 * is stored whole anyway; the cap keeps the memory one message takes
 * bounded (README "Memory").
 */
#define MIME_TEXT_MAX		(1024 * 1024)
#define MIME_TEXT_CUT_NOTE	"[text cut at 1 MiB; the whole message is stored]"

/*
 * Parses len bytes at raw (need not be NUL-terminated; may hold NULs and
 * 8-bit junk).  Always returns a new parsed_message (never NULL); free it
 * with mime_free().  raw is only read, and must stay unchanged during the
 * call; the memory taken besides it is at most about three times len
 * (less for most mail), see mime.c.
 */
struct parsed_message	*mime_parse(const char *raw, size_t len);
void			 mime_free(struct parsed_message *);
/*
 * The decoded bytes of attachment a of the len-byte raw message that
 * mime_parse gave a for, appended to out: what the sender attached, byte
 * for byte.  -1 if its entity cannot be found or decoded.
 */
int			 mime_attachment_decode(const char *raw, size_t len,
			    const struct mime_attachment *a, struct buf *out);
/*
 * The name a file without one is saved under: "attachment-ID", and
 * ".eml" for an attached message so that a mail client opens it.
 */
void			 mime_attachment_fallback_name(const char *content_type,
			    int64_t id, char *out, size_t size);
/* First header named name (case-insensitive), or NULL; borrowed. */
const char		*mime_header_get(const struct parsed_message *,
			    const char *name);

#endif
