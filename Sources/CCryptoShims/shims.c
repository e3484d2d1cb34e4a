#include "CCryptoShims.h"
#include <openssl/crypto.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Outstanding large blocks (few at a time: scrypt holds one per call). */
#define TRACKED 16
static struct { void *ptr; size_t size; } live[TRACKED];
static void *kept;          /* a freed large block kept for reuse */
static size_t kept_size;
static size_t threshold;
static unsigned long reused;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int track(void *p, size_t n) {
    for (int i = 0; i < TRACKED; i++) if (!live[i].ptr) { live[i].ptr = p; live[i].size = n; return 1; }
    return 0;
}

static size_t untrack(void *p) {
    for (int i = 0; i < TRACKED; i++) if (live[i].ptr == p) { size_t n = live[i].size; live[i].ptr = NULL; return n; }
    return 0;
}

static void *hook_malloc(size_t n, const char *file, int line) {
    (void)file; (void)line;
    if (n < threshold) return malloc(n);
    pthread_mutex_lock(&lock);
    void *p = NULL;
    size_t size = n;
    /* Reuse the kept block if it fits and is not wastefully larger. */
    if (kept && kept_size >= n && kept_size - n < kept_size / 4) {
        p = kept; size = kept_size; kept = NULL; reused++;
    } else {
        p = malloc(n);
    }
    if (p && !track(p, size)) {
        /* Table full: hand it out untracked; free() will release it normally. */
    }
    pthread_mutex_unlock(&lock);
    return p;
}

static void hook_free(void *p, const char *file, int line) {
    (void)file; (void)line;
    if (!p) return;
    pthread_mutex_lock(&lock);
    size_t n = untrack(p);
    if (n && !kept) { kept = p; kept_size = n; p = NULL; }
    pthread_mutex_unlock(&lock);
    free(p);
}

static void *hook_realloc(void *p, size_t n, const char *file, int line) {
    if (!p) return hook_malloc(n, file, line);
    pthread_mutex_lock(&lock);
    size_t old = 0;
    for (int i = 0; i < TRACKED; i++) if (live[i].ptr == p) { old = live[i].size; break; }
    pthread_mutex_unlock(&lock);
    if (old == 0) {
        if (n < threshold) return realloc(p, n);
        /* Growing a small block into a large one: copy into a tracked block. */
        void *q = hook_malloc(n, file, line);
        if (!q) return NULL;
        size_t have = malloc_usable_size(p);
        memcpy(q, p, have < n ? have : n);
        free(p);
        return q;
    }
    if (n <= old) return p;
    void *q = hook_malloc(n, file, line);
    if (!q) return NULL;
    memcpy(q, p, old);
    hook_free(p, file, line);
    return q;
}

int paddock_crypto_reuse_large_blocks(size_t minimum) {
    threshold = minimum;
    return CRYPTO_set_mem_functions(hook_malloc, hook_realloc, hook_free);
}

unsigned long paddock_crypto_reused_blocks(void) { return reused; }
