#ifndef PORTICO_CCURL_SHIM_H
#define PORTICO_CCURL_SHIM_H
#include <stddef.h>
#include <curl/curl.h>

// Swift cannot call C variadic functions, and libcurl's curl_easy_setopt and curl_easy_getinfo
// are variadic (the value's type depends on the option). Each wrapper below forwards one
// fixed-type call, so the Swift side passes exactly the type libcurl documents for the option.
// Only PorticoCurl calls these (its `CurlEasy` is the one place that sets options).

/// curl_easy_setopt for options that take a `long` (timeouts, flags, sizes).
static inline CURLcode portico_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for options that take a C string (libcurl copies it, except
/// CURLOPT_POSTFIELDS: use CURLOPT_COPYPOSTFIELDS).
static inline CURLcode portico_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// curl_easy_setopt for options that take a data pointer (CURLOPT_WRITEDATA, CURLOPT_HEADERDATA,
/// CURLOPT_READDATA, CURLOPT_XFERINFODATA, CURLOPT_ERRORBUFFER) or a `curl_slist *`
/// (CURLOPT_HTTPHEADER, CURLOPT_MAIL_RCPT); the list must outlive the transfer.
static inline CURLcode portico_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// The body and header callbacks' type (curl_write_callback).
typedef size_t (*portico_curl_write_callback)(char *data, size_t size, size_t count, void *context);

/// curl_easy_setopt(CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION): a function pointer cannot
/// go through `void *`.
static inline CURLcode portico_curl_setopt_write_function(
    CURL *handle, CURLoption option, portico_curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

/// The upload callback's type (curl_read_callback).
typedef size_t (*portico_curl_read_callback)(char *buffer, size_t size, size_t count, void *context);

/// curl_easy_setopt(CURLOPT_READFUNCTION).
static inline CURLcode portico_curl_setopt_read_function(CURL *handle, portico_curl_read_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

/// The progress callback's type (curl_xferinfo_callback); `curl_off_t` is a 64-bit integer here.
typedef int (*portico_curl_xferinfo_callback)(
    void *context, curl_off_t download_total, curl_off_t download_now, curl_off_t upload_total,
    curl_off_t upload_now);

/// curl_easy_setopt(CURLOPT_XFERINFOFUNCTION): called about once a second while a transfer waits
/// and more often while data moves; a non-zero return aborts it (CURLE_ABORTED_BY_CALLBACK).
static inline CURLcode portico_curl_setopt_xferinfo_function(
    CURL *handle, portico_curl_xferinfo_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

/// curl_easy_getinfo for `long` results (CURLINFO_RESPONSE_CODE).
static inline CURLcode portico_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// CURLAUTH_BASIC is a cast-and-shift macro, which Swift does not import.
static const unsigned long portico_curlauth_basic = CURLAUTH_BASIC;

#endif
