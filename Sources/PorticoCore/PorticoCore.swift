// PorticoCore: the billing and walled-garden rules as pure functions of data and a date.
//
// Money in integer minor units, calendar dates, plans, services and their terms, the coverage
// engine (what to invoice or credit for each cycle), settlement, and the suspension,
// reactivation and vacation-hold rules; a few helpers every module shares (hex, percent
// encoding, `Secret`, constant-time comparison).
//
// Imports: nothing but the standard library. No project module, no C library, no Foundation:
// the core never reads the clock (dates are arguments) and does no I/O.
