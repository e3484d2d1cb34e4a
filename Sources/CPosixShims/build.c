#include "CPosixShims.h"

// Swift's -D defines conditions, not values, so the commit a release build
// embeds comes in through the C compiler: a bare token, stringified here so
// the build command needs no nested shell quoting.
#define PADDOCK_STRINGIFY2(x) #x
#define PADDOCK_STRINGIFY(x) PADDOCK_STRINGIFY2(x)

const char *paddock_build_commit(void) {
#ifdef PADDOCK_COMMIT
    return PADDOCK_STRINGIFY(PADDOCK_COMMIT);
#else
    return "unknown";
#endif
}
