// PorticoHTTP: an HTTP/1.1 server over libmicrohttpd, and the request and response values.
//
// `HTTPServer` (thread pool, limits, TLS, a fast path for answers decided from the raw Host
// header and peer), `HTTPRequest`, `HTTPResponse` (prepared responses built once), form and
// query decoding, cookies. It knows nothing of Portico's domain.
//
// Imports: CMicroHTTPD, Logging (and Synchronization). No project module.
