/*
 * tls: OpenSSL contexts.
 */
#ifndef TRIAGED_TLS_H
#define TRIAGED_TLS_H

#include <openssl/ssl.h>

struct error;

/* A server context from PEM cert and key files; NULL + err on failure. */
SSL_CTX	*tls_server_ctx_new(const char *cert, const char *key, struct error *err);

#endif
