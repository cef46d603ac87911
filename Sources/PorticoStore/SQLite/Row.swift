import CSQLite

/// The current row of a query, read column by column.
///
/// A `Row` is valid only inside the closure it is passed to: the statement moves on to the next
/// row (or is reset) afterwards, and using an escaped `Row` stops the program with a message.
///
/// Columns are addressed by zero-based index or by name, the name being the result column's name
/// exactly as SQLite reports it (the alias after `AS`, or the column name). Name lookups are
/// cached per statement. An index out of range or an unknown name is a programming error and
/// stops the program with a message naming the column and the SQL.
///
/// The non-optional accessors follow SQLite's conversions (`sqlite3_column_*`): NULL reads as 0,
/// 0.0, an empty string or an empty blob. Use the `optional…` accessors where NULL means something.
public struct Row {
    let statement: Statement
    private let generation: UInt64

    init(_ statement: Statement) {
        self.statement = statement
        self.generation = statement.generation
    }

    /// The number of columns (`sqlite3_column_count`).
    public var columnCount: Int { Int(statement.columnCount) }

    /// The result columns' names, in order (`sqlite3_column_name`).
    public var columnNames: [String] { statement.columnNames }

    // MARK: By index

    /// Whether the column is NULL (`sqlite3_column_type`).
    public func isNull(_ i: Int) -> Bool {
        sqlite3_column_type(handle(i), Int32(i)) == SQLITE_NULL
    }

    /// The column as an integer (`sqlite3_column_int64`); NULL reads as 0.
    public func int(_ i: Int) -> Int64 {
        sqlite3_column_int64(handle(i), Int32(i))
    }

    /// The column as an integer (`sqlite3_column_int64`), or nil if it is NULL.
    public func optionalInt(_ i: Int) -> Int64? {
        isNull(i) ? nil : int(i)
    }

    /// The column as a real number (`sqlite3_column_double`); NULL reads as 0.
    public func double(_ i: Int) -> Double {
        sqlite3_column_double(handle(i), Int32(i))
    }

    /// The column as a real number (`sqlite3_column_double`), or nil if it is NULL.
    public func optionalDouble(_ i: Int) -> Double? {
        isNull(i) ? nil : double(i)
    }

    /// The column as a boolean: any integer other than 0 is true (`sqlite3_column_int64`).
    public func bool(_ i: Int) -> Bool {
        int(i) != 0
    }

    /// The column as a boolean (`sqlite3_column_int64`), or nil if it is NULL.
    public func optionalBool(_ i: Int) -> Bool? {
        isNull(i) ? nil : bool(i)
    }

    /// The column as UTF-8 text (`sqlite3_column_text` and `sqlite3_column_bytes`, so embedded
    /// NUL characters are kept); NULL reads as "".
    public func string(_ i: Int) -> String {
        let handle = handle(i)
        // sqlite3_column_text must come before sqlite3_column_bytes: it may convert the value.
        guard let text = sqlite3_column_text(handle, Int32(i)) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, Int32(i)))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The column as UTF-8 text (`sqlite3_column_text`), or nil if it is NULL.
    public func optionalString(_ i: Int) -> String? {
        isNull(i) ? nil : string(i)
    }

    /// The column's bytes (`sqlite3_column_blob` and `sqlite3_column_bytes`); NULL reads as [].
    public func blob(_ i: Int) -> [UInt8] {
        let handle = handle(i)
        guard let bytes = sqlite3_column_blob(handle, Int32(i)) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, Int32(i)))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// The column's bytes (`sqlite3_column_blob`), or nil if it is NULL.
    public func optionalBlob(_ i: Int) -> [UInt8]? {
        isNull(i) ? nil : blob(i)
    }

    /// The column as stored, by its storage class (`sqlite3_column_type`).
    public func value(_ i: Int) -> SQLValue {
        switch sqlite3_column_type(handle(i), Int32(i)) {
        case SQLITE_INTEGER: .integer(int(i))
        case SQLITE_FLOAT: .real(double(i))
        case SQLITE_TEXT: .text(string(i))
        case SQLITE_BLOB: .blob(blob(i))
        default: .null
        }
    }

    // MARK: By name

    /// Whether the named column is NULL (`sqlite3_column_type`).
    public func isNull(_ name: String) -> Bool { isNull(index(name)) }
    /// The named column as an integer (`sqlite3_column_int64`); NULL reads as 0.
    public func int(_ name: String) -> Int64 { int(index(name)) }
    /// The named column as an integer (`sqlite3_column_int64`), or nil if it is NULL.
    public func optionalInt(_ name: String) -> Int64? { optionalInt(index(name)) }
    /// The named column as a real number (`sqlite3_column_double`); NULL reads as 0.
    public func double(_ name: String) -> Double { double(index(name)) }
    /// The named column as a real number (`sqlite3_column_double`), or nil if it is NULL.
    public func optionalDouble(_ name: String) -> Double? { optionalDouble(index(name)) }
    /// The named column as a boolean (`sqlite3_column_int64`, not 0).
    public func bool(_ name: String) -> Bool { bool(index(name)) }
    /// The named column as a boolean (`sqlite3_column_int64`), or nil if it is NULL.
    public func optionalBool(_ name: String) -> Bool? { optionalBool(index(name)) }
    /// The named column as UTF-8 text (`sqlite3_column_text`); NULL reads as "".
    public func string(_ name: String) -> String { string(index(name)) }
    /// The named column as UTF-8 text (`sqlite3_column_text`), or nil if it is NULL.
    public func optionalString(_ name: String) -> String? { optionalString(index(name)) }
    /// The named column's bytes (`sqlite3_column_blob`); NULL reads as [].
    public func blob(_ name: String) -> [UInt8] { blob(index(name)) }
    /// The named column's bytes (`sqlite3_column_blob`), or nil if it is NULL.
    public func optionalBlob(_ name: String) -> [UInt8]? { optionalBlob(index(name)) }
    /// The named column as stored, by its storage class (`sqlite3_column_type`).
    public func value(_ name: String) -> SQLValue { value(index(name)) }

    // MARK: Checks

    /// The statement handle, after checking the row is current and `i` is a column.
    private func handle(_ i: Int) -> OpaquePointer {
        precondition(
            statement.generation == generation,
            "Row used outside its query's row closure; SQL: \(statement.sql)")
        precondition(
            i >= 0 && i < Int(statement.columnCount),
            "column index \(i) out of range 0..<\(statement.columnCount); SQL: \(statement.sql)")
        return statement.handle
    }

    private func index(_ name: String) -> Int {
        guard let index = statement.columnIndex(name) else {
            preconditionFailure(
                "no result column named \"\(name)\" (columns: \(statement.columnNames)); SQL: \(statement.sql)")
        }
        return Int(index)
    }
}
