import CSQLite

/// One SQLite connection (`sqlite3`), with a cache of prepared statements.
///
/// A `Database` is **not** `Sendable` and must have one owner at a time: the connection is opened
/// with `SQLITE_OPEN_NOMUTEX`, so SQLite does no locking of its own, and the statement cache and
/// transaction depth are plain stored properties. Share work between threads by giving each its
/// own `Database` on the same file (WAL lets readers run beside one writer; writers wait for each
/// other up to the busy timeout).
///
/// Every connection has extended result codes, `foreign_keys=ON`, `synchronous=NORMAL`, a busy
/// timeout of 5,000 ms, double-quoted string literals turned off (so a misspelt `"column"` is an
/// error, not a string), and, for a writable file database, `journal_mode=WAL`.
public final class Database {
    /// The connection, nil once closed.
    private(set) var connection: OpaquePointer?
    /// Prepared statements by SQL text, finalized by ``close()``.
    var statementCache: [String: Statement] = [:]
    /// How many ``transaction(_:)`` calls are running: 0 outside, 1 in the outer transaction,
    /// more inside savepoints.
    var transactionDepth = 0

    /// The most distinct SQL texts kept prepared. SQL built with values spliced in would otherwise
    /// grow the cache without end; beyond the limit, statements are prepared for one use.
    static let statementCacheLimit = 512
    /// Milliseconds a connection waits for another connection's lock before reporting SQLITE_BUSY.
    static let busyTimeoutMilliseconds: Int32 = 5000

    /// Opens (and, unless `readOnly`, creates) the database at `path`; `":memory:"` opens a private
    /// in-memory database.
    ///
    /// Wraps `sqlite3_open_v2` (with `SQLITE_OPEN_NOMUTEX` and `SQLITE_OPEN_EXRESCODE`), then
    /// `sqlite3_extended_result_codes`, `sqlite3_busy_timeout`, `sqlite3_db_config` and the
    /// connection's pragmas.
    public init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        var handle: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let resultCode = sqlite3_open_v2(path, &handle, flags, nil)
        do {
            try SQLiteError.check(resultCode, handle, sql: nil)
        } catch {
            // sqlite3_open_v2 returns a handle even on failure; it holds the message, then must go.
            _ = sqlite3_close_v2(handle)
            throw SQLiteError(code: error.extendedCode, message: "\(error.message) (opening \(path))", sql: nil)
        }
        connection = handle
        do {
            try configure(handle, readOnly: readOnly)
        } catch {
            close()
            throw error
        }
    }

    private func configure(_ handle: OpaquePointer?, readOnly: Bool) throws(SQLiteError) {
        try SQLiteError.check(sqlite3_extended_result_codes(handle, 1), handle, sql: nil)
        try SQLiteError.check(sqlite3_busy_timeout(handle, Self.busyTimeoutMilliseconds), handle, sql: nil)
        for option in [SQLITE_DBCONFIG_DQS_DML, SQLITE_DBCONFIG_DQS_DDL] {
            try SQLiteError.check(csqlite_db_config_flag(handle, option, 0), handle, sql: nil)
        }
        try execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
        if !readOnly {
            // An in-memory database keeps journal_mode=memory; the pragma says so and does no harm.
            try execute("PRAGMA journal_mode = WAL")
        }
    }

    deinit {
        close()
    }

    /// Finalizes every cached statement and closes the connection (`sqlite3_finalize`,
    /// `sqlite3_close_v2`). Later calls throw `SQLITE_MISUSE`; closing twice does nothing.
    public func close() {
        guard let connection else { return }
        for statement in statementCache.values {
            if statement.isInUse {
                // Closed from inside a row closure: the query finalizes it when it ends, and
                // sqlite3_close_v2 keeps the connection's memory until then.
                statement.isCached = false
            } else {
                statement.finalize()
            }
        }
        statementCache.removeAll()
        // sqlite3_close_v2 returns SQLITE_OK for any valid handle, deferring the close while
        // statements remain; there is no failure to report.
        _ = sqlite3_close_v2(connection)
        self.connection = nil
    }

    /// Runs one or more SQL statements separated by semicolons, without parameters, discarding
    /// any rows (`sqlite3_exec`). For schema scripts and pragmas.
    public func execute(_ sql: String) throws(SQLiteError) {
        let connection = try openConnection(sql)
        try SQLiteError.check(sqlite3_exec(connection, sql, nil, nil, nil), connection, sql: sql)
    }

    /// The rowid of the most recent successful INSERT on this connection
    /// (`sqlite3_last_insert_rowid`); 0 if none, or once closed.
    public var lastInsertRowID: Int64 {
        connection.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// The number of rows the most recent INSERT, UPDATE or DELETE changed (`sqlite3_changes64`);
    /// 0 once closed.
    public var changes: Int {
        connection.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    /// Whether a transaction is open on this connection (`sqlite3_get_autocommit` is 0).
    var isInTransaction: Bool {
        connection.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }

    /// The connection, or `SQLITE_MISUSE` if it has been closed.
    func openConnection(_ sql: String?) throws(SQLiteError) -> OpaquePointer {
        guard let connection else { throw SQLiteError.misuse("the database is closed", sql: sql) }
        return connection
    }
}

/// A `Database` has one owner; see its documentation.
@available(*, unavailable)
extension Database: Sendable {}
