/*
 * tls_verify: full verification of a server certificate received over a
 * libetpan stream.  Debian's libetpan is built with GnuTLS, whose
 * ssl-context callback cannot load trust anchors, so the chain GnuTLS
 * received is checked with OpenSSL instead, right after the handshake
 * and before a single protocol command (or password) is sent.  Used by
 * the IMAP pollers and by the smarthost client (smtp_client.c).
 */
#ifndef TRIAGED_TLS_VERIFY_H
#define TRIAGED_TLS_VERIFY_H

#include <libetpan/libetpan.h>

struct error;

/*
 * Verifies stream's peer chain against ca_file (NULL: the system store)
 * with host checked as a DNS name or, if it is one, an IP address.
 * 0 if trusted; -1 + err (ERR_TEMP, message prefixed with "label: ")
 * otherwise.
 */
int	tls_verify_stream(mailstream *stream, const char *host,
	    const char *ca_file, const char *label, struct error *err);

/*
 * libetpan's TLS setup callback (mailstream_ssl_open_with_callback...,
 * mailimap/mailsmtp ..._starttls_with_callback): sends SNI for host (a
 * char *), except for address literals (RFC 6066 section 3).
 */
void	tls_verify_sni(struct mailstream_ssl_context *ctx, void *host);

#endif
