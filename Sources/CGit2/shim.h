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
// Bounds libgit2's pack windows: each `size` bytes, `limit` bytes mapped at most (64-bit defaults
// are 1 GiB and 8 GiB, which let one large pack's pages all count in the process's RSS).
static inline int trail_git_set_pack_windows(size_t size, size_t limit) {
    int rc = git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, size);
    return rc < 0 ? rc : git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, limit);
}
#endif
