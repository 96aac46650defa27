#ifndef TRAIL_CCRYPTO_SHIM_H
#define TRAIL_CCRYPTO_SHIM_H
// OpenSSL 3 marks the low-level SHA1_* calls deprecated in favour of EVP, whose per-call
// fetch costs more than hashing a 300-byte record; Trail hashes millions of small objects.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <stddef.h>

/// SHA-1 of `prefix` followed by `data`: a git object id is SHA-1("<type> <size>\0" + data).
static inline void trail_sha1_two(const void *prefix, size_t prefix_len,
                                  const void *data, size_t data_len, unsigned char out[20]) {
    SHA_CTX ctx;
    SHA1_Init(&ctx);
    SHA1_Update(&ctx, prefix, prefix_len);
    SHA1_Update(&ctx, data, data_len);
    SHA1_Final(out, &ctx);
}

/// An incremental SHA-1, for pack and index checksums.
typedef struct { SHA_CTX ctx; } trail_sha1_ctx;
static inline void trail_sha1_init(trail_sha1_ctx *c) { SHA1_Init(&c->ctx); }
static inline void trail_sha1_update(trail_sha1_ctx *c, const void *p, size_t n) { SHA1_Update(&c->ctx, p, n); }
static inline void trail_sha1_final(trail_sha1_ctx *c, unsigned char out[20]) { SHA1_Final(out, &c->ctx); }
#endif
