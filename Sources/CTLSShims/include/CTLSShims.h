#ifndef PADDOCK_TLS_SHIMS_H
#define PADDOCK_TLS_SHIMS_H
// OpenSSL's libssl configures much through macros over SSL_CTX_ctrl and
// 64-bit option bit macros, which Swift does not import: these functions
// are those macros, with the fixed choices the server makes.
#include <openssl/ssl.h>

/// The options every server context gets: no renegotiation, no
/// compression, the server's cipher order, a peer's EOF without
/// close_notify read as an end (as gunicorn's suppress_ragged_eofs), partial
/// writes from a buffer that may move between retries, and idle buffers
/// released (memory per connection), no per-process session cache (tickets
/// instead). `ktls`: SSL_OP_ENABLE_KTLS.
void paddock_tls_ctx_configure(SSL_CTX *ctx, int ktls);

/// SSL_CTX_set_min_proto_version: TLS1_2_VERSION or TLS1_3_VERSION. 1 on success.
int paddock_tls_ctx_set_min_version(SSL_CTX *ctx, int version);

/// Advertises only http/1.1 through ALPN; a client that offers ALPN
/// without http/1.1 is refused with no_application_protocol (as nginx).
void paddock_tls_ctx_set_alpn_http11(SSL_CTX *ctx);

/// SSL_CTX_set_tlsext_ticket_keys: 80 bytes (name, HMAC and AES keys)
/// shared by every worker so a session resumes whichever worker accepts.
/// 1 on success.
int paddock_tls_ctx_set_ticket_keys(SSL_CTX *ctx, const unsigned char *keys, long length);

/// BIO_get_ktls_send / BIO_get_ktls_recv on the connection's socket BIO.
int paddock_tls_ktls_send(SSL *ssl);
int paddock_tls_ktls_recv(SSL *ssl);

/// 1 when this OpenSSL was built with kernel TLS (no OPENSSL_NO_KTLS), else 0.
int paddock_tls_ktls_built(void);

/// The ALPN protocol chosen for `ssl` into `out` (at most `capacity` bytes); its length, 0 when none.
int paddock_tls_alpn_selected(const SSL *ssl, char *out, int capacity);

#endif
