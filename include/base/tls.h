/*
 * tls: OpenSSL contexts.
 */
#ifndef TRIAGED_TLS_H
#define TRIAGED_TLS_H

#include <openssl/ssl.h>

struct error;

/*
 * A server context (TLS 1.2 and up) from a PEM certificate chain file and
 * a PEM key file, checked to belong together; free it with SSL_CTX_free.
 * NULL on failure, err (ERR_PERM) naming the file and OpenSSL's reason.
 */
SSL_CTX	*tls_server_ctx_new(const char *cert, const char *key, struct error *err);

#endif
