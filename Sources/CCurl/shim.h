#ifndef TRAIL_CCURL_SHIM_H
#define TRAIL_CCURL_SHIM_H
// libcurl's curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: these
// typed wrappers are the whole of what the S3 module uses.
#include <curl/curl.h>
#include <stdint.h>

typedef size_t (*trail_curl_data_fn)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode trail_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode trail_curl_set_off(CURL *h, CURLoption o, int64_t v) { return curl_easy_setopt(h, o, (curl_off_t)v); }
static inline CURLcode trail_curl_set_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode trail_curl_set_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode trail_curl_set_list(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode trail_curl_set_data_fn(CURL *h, CURLoption o, trail_curl_data_fn f) { return curl_easy_setopt(h, o, f); }

static inline long trail_curl_response_code(CURL *h) {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
#endif
