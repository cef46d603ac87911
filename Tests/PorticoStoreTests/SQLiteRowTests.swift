import PorticoStore
import Testing

@Suite("Row")
struct SQLiteRowTests {
    @Test("columns read by index and by name agree, with NULL as nil for the optional accessors")
    func accessors() throws {
        let db = try Database(path: ":memory:")
        try db.execute(
            "CREATE TABLE c (id INTEGER PRIMARY KEY, name TEXT, balance REAL, active INTEGER, photo BLOB, note TEXT)")
        try db.run(
            "INSERT INTO c (name, balance, active, photo, note) VALUES (?, ?, ?, ?, ?)",
            ["Ana", 12.5, true, [UInt8]([1, 2]), String?.none])
        try db.query("SELECT id, name, balance, active, photo, note FROM c") { row in
            #expect(row.columnNames == ["id", "name", "balance", "active", "photo", "note"])
            #expect(row.int(0) == 1 && row.int("id") == 1)
            #expect(row.string(1) == "Ana" && row.string("name") == "Ana")
            #expect(row.double(2) == 12.5 && row.double("balance") == 12.5)
            #expect(row.bool(3) && row.bool("active"))
            #expect(row.blob(4) == [1, 2] && row.blob("photo") == [1, 2])
            #expect(row.isNull(5) && row.isNull("note") && !row.isNull("name"))
            #expect(row.optionalString("note") == nil && row.optionalString(1) == "Ana")
            #expect(row.optionalInt("note") == nil && row.optionalInt("id") == 1)
            #expect(row.optionalDouble("note") == nil && row.optionalBool("note") == nil)
            #expect(row.optionalBlob("note") == nil && row.optionalBlob("photo") == [1, 2])
            // SQLite's conversions for NULL.
            #expect(row.string("note") == "" && row.int("note") == 0 && row.blob("note") == [])
            #expect(row.value("note") == .null && row.value("name") == .text("Ana"))
        }
    }

    @Test("aliases name columns, and a cached name lookup follows a schema change")
    func namesAfterSchemaChange() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (a INTEGER, b INTEGER); INSERT INTO t VALUES (1, 2)")
        let sql = "SELECT * FROM t"
        #expect(try db.queryOne(sql) { [$0.int("a"), $0.int("b")] } == [1, 2])
        // Same SQL text, columns in the other order: SQLite re-prepares the cached statement.
        try db.execute("DROP TABLE t; CREATE TABLE t (b INTEGER, a INTEGER); INSERT INTO t VALUES (20, 10)")
        #expect(try db.queryOne(sql) { [$0.int("a"), $0.int("b")] } == [10, 20])
        #expect(try db.queryOne("SELECT a AS first, b AS second FROM t") { $0.int("second") } == 20)
    }

    @Test("large integers are exact")
    func exactIntegers() throws {
        let db = try Database(path: ":memory:")
        let values: [Int64] = [Int64.max, Int64.min, 9_007_199_254_740_993]  // the last is 2^53 + 1
        for value in values {
            #expect(try db.queryOne("SELECT ?", [value]) { $0.int(0) } == value)
        }
    }

    @Test("using a Row after its closure returns stops the program")
    func escapedRow() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let db = try! Database(path: ":memory:")
            let escaped = try! db.queryOne("SELECT 1 AS x") { $0 }
            _ = escaped?.int(0)
        }
        let stderr = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(stderr.contains("Row used outside its query's row closure; SQL: SELECT 1 AS x"))
    }

    @Test("an unknown column name stops the program")
    func unknownColumn() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let db = try! Database(path: ":memory:")
            _ = try! db.queryOne("SELECT 1 AS x") { $0.int("y") }
        }
        let stderr = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(stderr.contains("no result column named \"y\" (columns: [\"x\"])"))
    }
}
