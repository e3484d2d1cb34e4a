/* Does this kernel and libssl put a TLS connection into the kernel?
   A loopback TLS 1.3 handshake with SSL_OP_ENABLE_KTLS on both ends, then
   BIO_get_ktls_send/recv on the server's socket BIO. */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <pthread.h>
static int port;
static void *client(void *arg) {
    (void)arg;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, (struct sockaddr *)&a, sizeof a);
    SSL *s = SSL_new(ctx); SSL_set_fd(s, fd);
    if (SSL_connect(s) != 1) ERR_print_errors_fp(stderr);
    char b[5]; SSL_read(s, b, sizeof b); SSL_write(s, "pong", 4);
    SSL_shutdown(s); close(fd);
    return NULL;
}
int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s cert.pem key.pem\n", argv[0]); return 2; }
#ifdef OPENSSL_NO_KTLS
    printf("libssl: built without KTLS (OPENSSL_NO_KTLS)\n");
#else
    printf("libssl: built with KTLS support\n");
#endif
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
    if (SSL_CTX_use_certificate_file(ctx, argv[1], SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) != 1) { ERR_print_errors_fp(stderr); return 1; }
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    bind(l, (struct sockaddr *)&a, sizeof a); listen(l, 1);
    getsockname(l, (struct sockaddr *)&a, &n); port = ntohs(a.sin_port);
    pthread_t t; pthread_create(&t, NULL, client, NULL);
    int fd = accept(l, NULL, NULL);
    SSL *s = SSL_new(ctx); SSL_set_fd(s, fd);
    if (SSL_accept(s) != 1) { ERR_print_errors_fp(stderr); return 1; }
    SSL_write(s, "ping", 4); char b[5]; SSL_read(s, b, sizeof b);
    printf("%s, cipher %s: kTLS send %s, receive %s\n", SSL_get_version(s), SSL_get_cipher(s),
           BIO_get_ktls_send(SSL_get_wbio(s)) ? "on" : "off", BIO_get_ktls_recv(SSL_get_rbio(s)) ? "on" : "off");
    SSL_shutdown(s); pthread_join(t, NULL);
    return 0;
}
