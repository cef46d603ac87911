// PorticoMail: the outbox delivered over SMTP.
//
// Messages built from the outbox's rows, sent through libcurl (STARTTLS, AUTH) with retries
// and back-off; what was sent, deferred or failed goes back to the store.
//
// Imports: PorticoCore, PorticoStore, CCurl, Logging (and Foundation).
