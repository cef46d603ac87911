// PorticoCurl: the one libcurl wrapper. HTTP(S) requests (`HTTPClient`: buffered or streamed,
// basic auth, pinned keys, per-request time-outs, cancellation) and SMTP submission
// (`SMTPSubmission`), blocking the calling thread. Every libcurl call is made by `CurlEasy`
// and checked by `CurlError.check`.
//
// Imports only CCurl (libcurl's easy interface) and the standard library (Synchronization). Mail, the payment
// gateways and the walled-garden targets use it; none of them imports CCurl.
