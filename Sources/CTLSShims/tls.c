#include "CTLSShims.h"
#include <string.h>

void paddock_tls_ctx_configure(SSL_CTX *ctx, int ktls) {
    uint64_t options = SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE
        | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_SSLv3;
#ifdef SSL_OP_ENABLE_KTLS
    if (ktls) options |= SSL_OP_ENABLE_KTLS;
#endif
    SSL_CTX_set_options(ctx, options);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // Resumption is by session tickets, whose keys every worker shares: a
    // per-process session cache would only grow and never be hit by a
    // client that reconnects to another worker.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

int paddock_tls_ctx_set_min_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static const unsigned char http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, http11, sizeof http11, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

void paddock_tls_ctx_set_alpn_http11(SSL_CTX *ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
}

int paddock_tls_ctx_set_ticket_keys(SSL_CTX *ctx, const unsigned char *keys, long length) {
    return (int)SSL_CTX_set_tlsext_ticket_keys(ctx, (void *)keys, length);
}

int paddock_tls_ktls_send(SSL *ssl) {
#ifdef BIO_get_ktls_send
    return (int)BIO_get_ktls_send(SSL_get_wbio(ssl));
#else
    (void)ssl; return 0;
#endif
}

int paddock_tls_ktls_recv(SSL *ssl) {
#ifdef BIO_get_ktls_recv
    return (int)BIO_get_ktls_recv(SSL_get_rbio(ssl));
#else
    (void)ssl; return 0;
#endif
}

int paddock_tls_alpn_selected(const SSL *ssl, char *out, int capacity) {
    const unsigned char *data = NULL;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl, &data, &length);
    if (data == NULL || (int)length > capacity) return 0;
    memcpy(out, data, length);
    return (int)length;
}

int paddock_tls_ktls_built(void) {
#if defined(OPENSSL_NO_KTLS) || !defined(SSL_OP_ENABLE_KTLS)
    return 0;
#else
    return 1;
#endif
}
