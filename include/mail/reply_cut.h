/*
 * reply_cut: what an agent wrote in a reply, without the notification it
 * quotes.  Cuts at our own reply marker line and at the quote headers of
 * common mail clients (English, German, Polish, Russian, French, Spanish),
 * and drops trailing "> " quote blocks.  See src/reply_cut.c for every
 * rule and what it deliberately leaves alone.
 */
#ifndef TRIAGED_REPLY_CUT_H
#define TRIAGED_REPLY_CUT_H

/* Where the text was cut, for the log. */
enum reply_cut_reason {
	REPLY_CUT_NONE,		/* nothing was quoted: text kept whole */
	REPLY_CUT_MARKER,	/* our "reply above this line" marker */
	REPLY_CUT_ATTRIBUTION,	/* "On ... wrote:", "... пишет:", ... */
	REPLY_CUT_HEADERS,	/* Outlook "From: / Sent: / To: / Subject:" */
	REPLY_CUT_SEPARATOR,	/* "-----Original Message-----" and kin */
	REPLY_CUT_QUOTE		/* a trailing block of "> " lines */
};

/* Flag: also drop a trailing "-- " signature and "Sent from my iPhone". */
#define REPLY_CUT_SIGNATURE	0x01

/*
 * The new part of reply text (UTF-8, LF or CRLF lines; NULL taken as ""):
 * everything above the first quote header found, trailing quote blocks
 * removed, leading and trailing blank lines removed, lines joined with
 * "\n" and no final line break.  marker is the line our notifications
 * carry ("##- Please type your reply above this line -##"), matched
 * anywhere in a line, ignoring ASCII case and blank runs; NULL or "" for
 * none.  With REPLY_CUT_SIGNATURE in flags, a trailing signature is
 * dropped as well (use it to decide "was this reply only commands?";
 * relay without it, so the agent's signature reaches the customer).
 * When the agent wrote below the quote (bottom or inline posting), the
 * unquoted lines below it are returned.  Returns a new string (possibly
 * "") the caller frees; *why_out (if not NULL) says what was cut.
 */
char		*reply_cut(const char *text, const char *marker, int flags,
		    enum reply_cut_reason *why_out);
/* "none", "marker", "attribution", ...: constant strings for logs. */
const char	*reply_cut_reason_name(enum reply_cut_reason);

#endif
