#include "CCryptoShims.h"

/* libpq needs libldap, and libldap needs GnuTLS, so every worker loads GnuTLS
 * although Paddock never calls it. GnuTLS initialises itself from a library
 * constructor unless the program defines this weak hook to return 1 (the
 * GNUTLS_SKIP_GLOBAL_INIT macro of <gnutls/gnutls.h>): its crypto backends,
 * priority strings and PKCS#11 setup cost about 1 MiB of resident pages per
 * process. libldap calls gnutls_global_init() itself before it uses TLS, so
 * skipping the implicit call changes nothing for an LDAP lookup. */
static unsigned long gnutls_consultations;

__attribute__((visibility("default"), used))
int _gnutls_global_init_skip(void) {
    gnutls_consultations++;
    return 1;
}

unsigned long paddock_gnutls_skip_consultations(void) { return gnutls_consultations; }
