#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

/* libcurl's option setters are variadic, which Swift cannot call. These typed
 * wrappers, one per argument type, are the only way the package reaches them. */
#include <curl/curl.h>

typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*ccurl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                       curl_off_t ultotal, curl_off_t ulnow);
typedef int (*ccurl_sockopt_callback)(void *userdata, curl_socket_t fd, curlsocktype purpose);

static inline CURLcode ccurl_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_setopt_write_function(CURL *h, ccurl_data_callback cb) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb);
}
static inline CURLcode ccurl_easy_setopt_header_function(CURL *h, ccurl_data_callback cb) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb);
}
static inline CURLcode ccurl_easy_setopt_xferinfo_function(CURL *h, ccurl_xferinfo_callback cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}
static inline CURLcode ccurl_easy_setopt_sockopt_function(CURL *h, ccurl_sockopt_callback cb) {
    return curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, cb);
}
static inline CURLMcode ccurl_multi_setopt_long(CURLM *h, CURLMoption o, long v) {
    return curl_multi_setopt(h, o, v);
}
static inline CURLcode ccurl_easy_getinfo_long(CURL *h, CURLINFO i, long *out) {
    return curl_easy_getinfo(h, i, out);
}
static inline CURLcode ccurl_easy_getinfo_double(CURL *h, CURLINFO i, double *out) {
    return curl_easy_getinfo(h, i, out);
}
static inline CURLcode ccurl_easy_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *out) {
    return curl_easy_getinfo(h, i, out);
}

#endif
