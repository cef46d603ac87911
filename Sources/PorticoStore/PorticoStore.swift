// PorticoStore: the database, SQLite in WAL mode, and every change as one transaction.
//
// The connection and statements (one C-call funnel, `SQLiteError`), migrations, the records,
// and `Store`: the operations of the core's rules on stored facts (services, documents,
// payments, checkouts, suspensions, holds, the daily run, the ledger check, the outbox, the
// admins' users and texts), each returning what it did to the walled garden
// (`WalledGardenDelta`) for the caller to carry out.
//
// Imports: PorticoCore and CSQLite (and Foundation, Synchronization). Nothing of HTTP, the
// firewall or the web modules.
