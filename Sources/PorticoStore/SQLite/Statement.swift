import CSQLite

/// `SQLITE_TRANSIENT` is a cast macro (`((sqlite3_destructor_type)-1)`), which Swift does not
/// import. It tells SQLite to copy a bound text or blob before the bind call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One prepared statement (`sqlite3_stmt`), owned by its ``Database``.
///
/// Statements in the database's cache live until the connection closes; the others are finalized
/// as soon as their single use ends.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    /// Whether the database's cache owns this statement (otherwise it is finalized after one use).
    var isCached: Bool
    /// Set while a `run` or `query` is using the statement, so a nested use of the same SQL (a
    /// query inside another query's row closure) prepares its own statement instead.
    var isInUse = false
    /// Advanced at every step and reset; a ``Row`` remembers the value it was made with and so
    /// detects being used after its row is gone.
    private(set) var generation: UInt64 = 0
    /// Column name → index, built on the first lookup by name.
    private var columnIndexes: [String: Int32] = [:]

    init(handle: OpaquePointer, sql: String, isCached: Bool) {
        self.handle = handle
        self.sql = sql
        self.isCached = isCached
    }

    /// Binds `params` to the positional parameters, after checking there is one value for each.
    func bind(_ params: [any SQLBindable]) throws(SQLiteError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard params.count == expected else {
            throw SQLiteError(
                code: SQLITE_RANGE,
                message: "the statement has \(expected) parameter(s) but \(params.count) value(s) were given",
                sql: sql)
        }
        for (offset, param) in params.enumerated() {
            try bind(param.sqlValue, at: Int32(offset + 1))
        }
    }

    /// Binds one value with the `sqlite3_bind_*` function for its storage class.
    func bind(_ value: SQLValue, at index: Int32) throws(SQLiteError) {
        let resultCode: Int32
        switch value {
        case .null:
            resultCode = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            resultCode = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            resultCode = sqlite3_bind_double(handle, index, real)
        case .text(var text):
            resultCode = text.withUTF8 { bytes in
                // A nil pointer would bind NULL, so the empty string gets a real (empty) one.
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    return sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
                }
                let chars = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
                return sqlite3_bind_text64(
                    handle, index, chars, sqlite3_uint64(bytes.count), sqliteTransient, UInt8(SQLITE_UTF8))
            }
        case .blob(let blob):
            resultCode = blob.withUnsafeBytes { bytes in
                // As for text: a nil pointer would bind NULL, and an empty blob is not NULL.
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    return sqlite3_bind_zeroblob(handle, index, 0)
                }
                return sqlite3_bind_blob64(handle, index, base, sqlite3_uint64(bytes.count), sqliteTransient)
            }
        }
        try SQLiteError.check(resultCode, sqlite3_db_handle(handle), sql: sql)
    }

    /// Advances to the next row with `sqlite3_step`: `true` for a row, `false` when done.
    func step() throws(SQLiteError) -> Bool {
        generation &+= 1
        let resultCode = sqlite3_step(handle)
        if resultCode == SQLITE_ROW { return true }
        try SQLiteError.check(resultCode, sqlite3_db_handle(handle), sql: sql)
        return false
    }

    /// Readies the statement for its next use: `sqlite3_reset`, then `sqlite3_clear_bindings`.
    ///
    /// The result codes are not checked: after a failed step, `sqlite3_reset` returns that same
    /// failure, which `step()` has already thrown; `sqlite3_clear_bindings` always succeeds.
    func reset() {
        generation &+= 1
        _ = sqlite3_reset(handle)
        _ = sqlite3_clear_bindings(handle)
    }

    /// `sqlite3_finalize`. Its result code repeats the last step's failure, already reported.
    func finalize() {
        _ = sqlite3_finalize(handle)
    }

    var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The index of the result column called `name` (exactly, as SQLite names it), or nil.
    func columnIndex(_ name: String) -> Int32? {
        // SQLite re-prepares a statement by itself after a schema change, which can change its
        // columns, so a cached index is trusted only if the column there still has this name.
        if let index = columnIndexes[name], columnName(at: index, is: name) { return index }
        columnIndexes.removeAll(keepingCapacity: true)
        for index in 0..<columnCount {
            if let cName = sqlite3_column_name(handle, index) {
                let columnName = String(cString: cName)
                if columnIndexes[columnName] == nil { columnIndexes[columnName] = index }
            }
        }
        return columnIndexes[name]
    }

    var columnNames: [String] {
        (0..<columnCount).map { sqlite3_column_name(handle, $0).map { String(cString: $0) } ?? "" }
    }

    /// Compares `sqlite3_column_name` with `name` without making a String.
    private func columnName(at index: Int32, is name: String) -> Bool {
        guard index < columnCount, let cName = sqlite3_column_name(handle, index) else { return false }
        var byte = UnsafeRawPointer(cName).assumingMemoryBound(to: UInt8.self)
        for expected in name.utf8 {
            guard byte.pointee == expected else { return false }
            byte += 1
        }
        return byte.pointee == 0
    }
}
