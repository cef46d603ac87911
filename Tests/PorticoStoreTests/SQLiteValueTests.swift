import PorticoStore
import Testing

@Suite("SQLValue and SQLBindable")
struct SQLiteValueTests {
    @Test("every storage class round-trips, including NULL, empty text, unicode, blobs and Int64 extremes")
    func roundTrip() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, value ANY) STRICT")
        let values: [SQLValue] = [
            .null,
            .integer(0), .integer(Int64.max), .integer(Int64.min), .integer(-1),
            .real(0.1), .real(-2.5e300), .real(Double.leastNonzeroMagnitude),
            .text(""), .text("plain"), .text("Ünïcødé ✓ 日本語 🇩🇪"), .text("a\u{0}b"),
            .blob([]), .blob([0, 1, 2, 255, 0]), .blob(Array(repeating: 0xAB, count: 100_000)),
        ]
        for value in values {
            try db.run("INSERT INTO v (value) VALUES (?)", [value])
        }
        let read = try db.queryAll("SELECT value FROM v ORDER BY id") { $0.value(0) }
        #expect(read == values)
        // The empty string and the empty blob are not NULL.
        #expect(try db.scalarInt("SELECT count(*) FROM v WHERE value IS NULL") == 1)
    }

    @Test("each bindable Swift type stores the value SQLite should see")
    func bindableTypes() throws {
        let db = try Database(path: ":memory:")
        let none: String? = nil
        let some: Int? = 7
        let row = try db.queryOne(
            "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?",
            [Int(42), Int64.max, Int32.min, "text", true, false, 1.5, [UInt8]([9, 8]), none, some, SQLValue.null]
        ) { row in (0..<row.columnCount).map { row.value($0) } }
        #expect(
            row == [
                .integer(42), .integer(Int64.max), .integer(Int64(Int32.min)), .text("text"), .integer(1),
                .integer(0), .real(1.5), .blob([9, 8]), .null, .integer(7), .null,
            ])
    }
}
