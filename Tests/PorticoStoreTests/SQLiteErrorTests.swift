import PorticoStore
import Testing

@Suite("SQLiteError")
struct SQLiteErrorTests {
    @Test("a UNIQUE violation names the SQL and carries code 19 and extended code 2067")
    func uniqueViolation() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE vouchers (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE)")
        let sql = "INSERT INTO vouchers (code) VALUES (?)"
        try db.run(sql, ["ABC-123"])
        let error = #expect(throws: SQLiteError.self) { try db.run(sql, ["ABC-123"]) }
        #expect(error?.code == 19)  // SQLITE_CONSTRAINT
        #expect(error?.extendedCode == 2067)  // SQLITE_CONSTRAINT_UNIQUE
        #expect(error?.sql == sql)
        #expect(error?.message == "UNIQUE constraint failed: vouchers.code")
        #expect(error?.description.contains(sql) == true)
        // The statement is usable again after the failure.
        try db.run(sql, ["XYZ-789"])
        #expect(try db.scalarInt("SELECT count(*) FROM vouchers") == 2)
        let keyError = #expect(throws: SQLiteError.self) {
            try db.run("INSERT INTO vouchers (id, code) VALUES (1, 'N')")
        }
        #expect(keyError?.code == 19 && keyError?.extendedCode == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
    }

    @Test("a NOT NULL violation has extended code 1299")
    func notNullViolation() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (x TEXT NOT NULL)")
        let error = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO t (x) VALUES (?)", [SQLValue.null]) }
        #expect(error?.code == 19)
        #expect(error?.extendedCode == 1299)  // SQLITE_CONSTRAINT_NOTNULL
    }

    @Test("a syntax error carries the SQL and SQLite's message")
    func syntaxError() throws {
        let db = try Database(path: ":memory:")
        let error = #expect(throws: SQLiteError.self) { try db.run("SELEC 1") }
        #expect(error?.code == 1)  // SQLITE_ERROR
        #expect(error?.sql == "SELEC 1")
        #expect(error?.message.contains("syntax error") == true)
        let scriptError = #expect(throws: SQLiteError.self) { try db.execute("CREATE TABLE a (x); CREATE TABLE") }
        #expect(scriptError?.sql == "CREATE TABLE a (x); CREATE TABLE")
    }

    @Test("the wrong number of parameters is refused with SQLITE_RANGE")
    func parameterCount() throws {
        let db = try Database(path: ":memory:")
        let error = #expect(throws: SQLiteError.self) { try db.scalarInt("SELECT ? + ?", [1]) }
        #expect(error?.code == 25)
        #expect(try db.scalarInt("SELECT ? + ?", [1, 2]) == 3)
    }

    @Test("run refuses SQL holding two statements, but allows a trailing semicolon and comment")
    func oneStatementOnly() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")
        let error = #expect(throws: SQLiteError.self) {
            try db.run("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)")
        }
        #expect(error?.code == 21)  // SQLITE_MISUSE
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 0)
        try db.run("INSERT INTO t VALUES (1); -- done\n ")
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 1)
    }

    @Test("opening a missing file read-only fails with SQLITE_CANTOPEN and names the path")
    func cannotOpen() throws {
        let path = "/nonexistent-portico-dir/missing.db"
        let error = #expect(throws: SQLiteError.self) { try Database(path: path, readOnly: true) }
        #expect(error?.code == 14)  // SQLITE_CANTOPEN
        #expect(error?.message.contains(path) == true)
    }

    @Test("an error made from an extended code splits into primary and extended")
    func codes() {
        let error = SQLiteError(code: 2067, message: "m", sql: "s")
        #expect(error.code == 19 && error.extendedCode == 2067)
        #expect(error.description == "SQLite error 19 (extended 2067): m — in: s")
    }
}
