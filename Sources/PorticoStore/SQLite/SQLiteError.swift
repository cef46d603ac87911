import CSQLite

/// An error reported by SQLite, or a misuse of this layer detected before SQLite was called.
///
/// Every `sqlite3_*` result code in PorticoStore passes through ``check(_:_:sql:)``, the one place
/// that turns a code into this error, so each error carries the connection's message and the SQL
/// that failed.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The primary result code (`SQLITE_CONSTRAINT` is 19), the low byte of ``extendedCode``.
    public let code: Int32
    /// The extended result code as SQLite returned it (`SQLITE_CONSTRAINT_UNIQUE` is 2067).
    /// Connections enable extended codes, so this is more precise than ``code``.
    public let extendedCode: Int32
    /// `sqlite3_errmsg` at the time of the failure, or this layer's explanation of a misuse.
    public let message: String
    /// The SQL being prepared or run, when there was one.
    public let sql: String?

    /// Makes an error from a result code as SQLite returns it, primary or extended.
    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code & 0xFF
        self.extendedCode = code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(code)"
        if extendedCode != code { text += " (extended \(extendedCode))" }
        text += ": \(message)"
        if let sql { text += " — in: \(sql)" }
        return text
    }

    /// Returns if `resultCode` reports success (`SQLITE_OK`, `SQLITE_ROW` or `SQLITE_DONE`), and
    /// otherwise throws the error it reports, with `sqlite3_errmsg(connection)` (or
    /// `sqlite3_errstr` when there is no connection) as the message.
    static func check(_ resultCode: Int32, _ connection: OpaquePointer?, sql: String?) throws(SQLiteError) {
        switch resultCode {
        case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
            return
        default:
            throw SQLiteError(code: resultCode, message: errorMessage(resultCode, connection), sql: sql)
        }
    }

    /// A misuse this layer refuses before (or instead of) calling SQLite.
    static func misuse(_ message: String, sql: String?) -> SQLiteError {
        SQLiteError(code: SQLITE_MISUSE, message: message, sql: sql)
    }

    private static func errorMessage(_ resultCode: Int32, _ connection: OpaquePointer?) -> String {
        // sqlite3_errmsg describes the connection's most recent failure; it is the one the caller
        // just saw only when that failure set it, which holds for every call routed here.
        if let connection, let text = sqlite3_errmsg(connection) { return String(cString: text) }
        if let text = sqlite3_errstr(resultCode) { return String(cString: text) }
        return "unknown error"
    }
}
