#ifndef TRAIL_CZLIB_SHIM_H
#define TRAIL_CZLIB_SHIM_H
#include <zlib.h>
// deflateInit2 is a macro over deflateInit2_, which Swift cannot import.
static inline int trail_deflate_init(z_stream *s, int level, int mem_level) {
    return deflateInit2(s, level, Z_DEFLATED, 15, mem_level, Z_DEFAULT_STRATEGY);
}
#endif
