#ifndef PORTICO_CCURL_SHIM_H
#define PORTICO_CCURL_SHIM_H
#include <stddef.h>
#include <curl/curl.h>

// Swift cannot call C variadic functions, and libcurl's curl_easy_setopt and curl_easy_getinfo
// are variadic (the value's type depends on the option). Each wrapper below forwards one
// fixed-type call, so the Swift side passes exactly the type libcurl documents for the option.

/// curl_easy_setopt for options that take a `long` (timeouts, flags, sizes).
static inline CURLcode portico_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for options that take a C string (libcurl copies it, except
/// CURLOPT_POSTFIELDS: use CURLOPT_COPYPOSTFIELDS).
static inline CURLcode portico_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for options that take a data pointer (CURLOPT_WRITEDATA).
static inline CURLcode portico_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt(CURLOPT_HTTPHEADER): the list must outlive the transfer.
static inline CURLcode portico_curl_setopt_headers(CURL *handle, struct curl_slist *headers) {
    return curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
}

/// The body callback's type (curl_write_callback).
typedef size_t (*portico_curl_write_callback)(char *data, size_t size, size_t count, void *context);

/// curl_easy_setopt(CURLOPT_WRITEFUNCTION): a function pointer cannot go through `void *`.
static inline CURLcode portico_curl_setopt_write_function(CURL *handle, portico_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

/// curl_easy_getinfo for `long` results (CURLINFO_RESPONSE_CODE).
static inline CURLcode portico_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
