#ifndef TRAIL_CGIT2_SHIM_H
#define TRAIL_CGIT2_SHIM_H
#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
// git_libgit2_opts is variadic, which Swift cannot call.
static inline int trail_git_disable_read_verification(void) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}
static inline int trail_git_set_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}
#endif
