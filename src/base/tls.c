/*
 * tls: OpenSSL server contexts for STARTTLS.  A context is built once from
 * the configured PEM files and shared (borrowed) by every session; a bad
 * certificate or key is a configuration error, reported with OpenSSL's own
 * reason so the admin sees which file and why.
 *
 * Protocol floor is TLS 1.2: mail clients old enough to need less are
 * better served in plain text than with a broken cipher.
 */
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "error.h"
#include "tls.h"

static int	tls_error(struct error *, const char *, const char *);

SSL_CTX *
tls_server_ctx_new(const char *cert, const char *key, struct error *err)
{
	SSL_CTX *ctx;

	if (cert == NULL || key == NULL) {
		error_set(err, ERR_PERM, "tls: both a certificate and a key "
		    "are required");
		return NULL;
	}
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_error(err, "cannot create a TLS context", NULL);
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		tls_error(err, "cannot set the protocol floor", NULL);
		goto fail;
	}
	/* Renegotiation only helps attackers; compression is CRIME. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		tls_error(err, "cannot load certificate chain", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		/* OpenSSL 3 already compares the key with the certificate. */
		tls_error(err, ERR_GET_REASON(ERR_peek_last_error()) ==
		    X509_R_KEY_VALUES_MISMATCH ? "private key does not match "
		    "the certificate" : "cannot load private key", key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_error(err, "private key does not match the certificate",
		    key);
		goto fail;
	}
	return ctx;

fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * Fills err with what, the file (if any) and OpenSSL's first queued reason,
 * and empties the queue so the next caller starts clean.
 */
static int
tls_error(struct error *err, const char *what, const char *file)
{
	char reason[256];
	unsigned long code;

	code = ERR_get_error();
	if (code != 0)
		ERR_error_string_n(code, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "unknown error");
	ERR_clear_error();
	if (file != NULL)
		return error_set(err, ERR_PERM, "tls: %s: %s: %s", file, what,
		    reason);
	return error_set(err, ERR_PERM, "tls: %s: %s", what, reason);
}
