// libcrypto memory hooks (CRYPTO_set_mem_functions) that Swift cannot write
// itself: C callbacks with file/line arguments; and GnuTLS's opt-out of its
// implicit initialisation (a symbol GnuTLS looks up by name).
#ifndef PADDOCK_CCRYPTOSHIMS_H
#define PADDOCK_CCRYPTOSHIMS_H
#include <stddef.h>

/// Routes libcrypto's allocations through hooks that keep one freed block of
/// at least `minimum` bytes for the next allocation of a similar size, instead
/// of returning it to the system. scrypt at Werkzeug's default cost allocates
/// and frees 32 MiB per password check: reusing the block saves 8192 page
/// faults and 32 MiB of zeroing per login. Must run before libcrypto's first
/// allocation; returns 1 when installed.
int paddock_crypto_reuse_large_blocks(size_t minimum);

/// How many large blocks were served from the kept one (for tests).
unsigned long paddock_crypto_reused_blocks(void);

/// How many times GnuTLS's library constructor asked whether to skip its
/// implicit initialisation (and was told to); 0 when GnuTLS is not loaded or
/// did not see the hook.
unsigned long paddock_gnutls_skip_consultations(void);
#endif
