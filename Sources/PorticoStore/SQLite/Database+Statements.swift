import CSQLite

extension Database {
    /// Runs one statement with positional parameters (`?`), discarding any rows.
    ///
    /// The statement is prepared once per SQL text with `sqlite3_prepare_v3` and
    /// `SQLITE_PREPARE_PERSISTENT`, then kept; each use binds (`sqlite3_bind_*`), steps
    /// (`sqlite3_step`), and ends with `sqlite3_reset` and `sqlite3_clear_bindings`.
    /// SQL holding more than one statement is refused with `SQLITE_MISUSE`: use ``execute(_:)``.
    public func run(_ sql: String, _ params: [any SQLBindable] = []) throws(SQLiteError) {
        let statement = try acquireStatement(sql)
        defer { releaseStatement(statement) }
        try statement.bind(params)
        while try statement.step() {}
    }

    /// Runs one query and calls `row` for each result row, in order (`sqlite3_step`).
    ///
    /// The ``Row`` is valid only during its call. Errors thrown by `row` stop the query and are
    /// rethrown; SQLite's errors are ``SQLiteError``s. Statements are cached as for ``run(_:_:)``.
    public func query(_ sql: String, _ params: [any SQLBindable] = [], _ row: (Row) throws -> Void) throws {
        let statement = try acquireStatement(sql)
        defer { releaseStatement(statement) }
        try statement.bind(params)
        while try statement.step() {
            try row(Row(statement))
        }
    }

    /// Runs one query and returns every row mapped by `map` (`sqlite3_step`).
    public func queryAll<T>(_ sql: String, _ params: [any SQLBindable] = [], _ map: (Row) throws -> T) throws -> [T] {
        var results: [T] = []
        try query(sql, params) { row in results.append(try map(row)) }
        return results
    }

    /// Runs one query and returns its first row mapped by `map`, or nil if there is no row; later
    /// rows are not read (`sqlite3_step`, once).
    public func queryOne<T>(_ sql: String, _ params: [any SQLBindable] = [], _ map: (Row) throws -> T) throws -> T? {
        let statement = try acquireStatement(sql)
        defer { releaseStatement(statement) }
        try statement.bind(params)
        guard try statement.step() else { return nil }
        return try map(Row(statement))
    }

    /// The first column of the first row as an integer (`sqlite3_column_int64`); nil if there is
    /// no row or the value is NULL. For `SELECT count(*)`, `PRAGMA user_version` and the like.
    public func scalarInt(_ sql: String, _ params: [any SQLBindable] = []) throws(SQLiteError) -> Int64? {
        let statement = try acquireStatement(sql)
        defer { releaseStatement(statement) }
        try statement.bind(params)
        guard try statement.step(), statement.columnCount > 0,
            sqlite3_column_type(statement.handle, 0) != SQLITE_NULL
        else { return nil }
        return sqlite3_column_int64(statement.handle, 0)
    }

    // MARK: The statement cache

    /// The cached statement for `sql` if it is free, or a newly prepared one: cached if there is
    /// room and none is cached yet, otherwise for this use only (a nested use of the same SQL, or
    /// a full cache).
    func acquireStatement(_ sql: String) throws(SQLiteError) -> Statement {
        let cached = statementCache[sql]
        if let cached, !cached.isInUse {
            cached.isInUse = true
            return cached
        }
        let keep = cached == nil && statementCache.count < Self.statementCacheLimit
        let statement = Statement(handle: try prepare(sql, persistent: keep), sql: sql, isCached: keep)
        if keep { statementCache[sql] = statement }
        statement.isInUse = true
        return statement
    }

    /// Readies a statement for its next use, or finalizes it if it was for one use only.
    func releaseStatement(_ statement: Statement) {
        statement.reset()
        statement.isInUse = false
        if !statement.isCached { statement.finalize() }
    }

    /// Compiles exactly one statement (`sqlite3_prepare_v3`).
    private func prepare(_ sql: String, persistent: Bool) throws(SQLiteError) -> OpaquePointer {
        let connection = try openConnection(sql)
        let flags = UInt32(persistent ? SQLITE_PREPARE_PERSISTENT : 0)
        var handle: OpaquePointer?
        var hasMoreStatements = false
        let resultCode = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let resultCode = sqlite3_prepare_v3(connection, text, -1, flags, &handle, &tail)
            if resultCode == SQLITE_OK, let tail, tail.pointee != 0 {
                // Only whitespace, semicolons and comments may follow; preparing the rest tells.
                var next: OpaquePointer?
                if sqlite3_prepare_v3(connection, tail, -1, 0, &next, nil) != SQLITE_OK || next != nil {
                    hasMoreStatements = true
                }
                // A statement prepared only to be looked at: finalizing it cannot fail.
                _ = sqlite3_finalize(next)
            }
            return resultCode
        }
        try SQLiteError.check(resultCode, connection, sql: sql)
        guard let handle else {
            throw SQLiteError.misuse("the SQL holds no statement", sql: sql)
        }
        if hasMoreStatements {
            _ = sqlite3_finalize(handle)  // never stepped, so nothing to report
            throw SQLiteError.misuse("the SQL holds more than one statement; use execute(_:)", sql: sql)
        }
        return handle
    }
}
