import Foundation
import PorticoStore
import Testing

/// A fresh directory under the system's temporary directory, for tests that need a file database.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("portico-sqlite-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Database")
struct SQLiteDatabaseTests {
    @Test("a file database is in WAL mode with foreign keys on and synchronous=NORMAL")
    func fileDatabaseSettings() throws {
        let directory = try TemporaryDirectory()
        let db = try Database(path: directory.file("wal.db"))
        #expect(try db.queryOne("PRAGMA journal_mode") { $0.string(0) } == "wal")
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.scalarInt("PRAGMA synchronous") == 1)  // NORMAL
        #expect(FileManager.default.fileExists(atPath: directory.file("wal.db")))
    }

    @Test("an in-memory database opens and keeps journal_mode=memory")
    func memoryDatabase() throws {
        let db = try Database(path: ":memory:")
        #expect(try db.queryOne("PRAGMA journal_mode") { $0.string(0) } == "memory")
    }

    @Test("foreign keys are enforced")
    func foreignKeys() throws {
        let db = try Database(path: ":memory:")
        try db.execute(
            """
            CREATE TABLE plans (id INTEGER PRIMARY KEY);
            CREATE TABLE customers (id INTEGER PRIMARY KEY, plan_id INTEGER NOT NULL REFERENCES plans(id));
            INSERT INTO plans (id) VALUES (1);
            """)
        try db.run("INSERT INTO customers (plan_id) VALUES (?)", [1])
        let error = #expect(throws: SQLiteError.self) {
            try db.run("INSERT INTO customers (plan_id) VALUES (?)", [2])
        }
        #expect(error?.code == 19)
        #expect(error?.extendedCode == 787)  // SQLITE_CONSTRAINT_FOREIGNKEY
        #expect(try db.scalarInt("SELECT count(*) FROM customers") == 1)
    }

    @Test("lastInsertRowID and changes report the latest statement")
    func rowIDAndChanges() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER)")
        try db.run("INSERT INTO t (id, x) VALUES (?, ?)", [Int64.max - 1, 1])
        #expect(db.lastInsertRowID == Int64.max - 1)
        try db.run("INSERT INTO t (x) VALUES (?)", [2])
        #expect(db.lastInsertRowID == Int64.max)
        try db.run("UPDATE t SET x = x + 10")
        #expect(db.changes == 2)
        #expect(try db.queryAll("SELECT x FROM t ORDER BY id") { $0.int(0) } == [11, 12])
    }

    @Test("a cached statement is reused with new parameters, and a nested use of the same SQL works")
    func statementReuse() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")
        for x in 1...3 { try db.run("INSERT INTO t (x) VALUES (?)", [x]) }
        let sql = "SELECT x FROM t WHERE x >= ? ORDER BY x"
        var pairs: [[Int64]] = []
        try db.query(sql, [2]) { outer in
            let x = outer.int(0)
            pairs.append([x] + (try db.queryAll(sql, [x]) { $0.int(0) }))
        }
        #expect(pairs == [[2, 2, 3], [3, 3]])
        #expect(try db.queryAll(sql, [1]) { $0.int(0) } == [1, 2, 3])
        #expect(try db.queryOne(sql, [4]) { $0.int(0) } == nil)
        #expect(try db.scalarInt("SELECT max(x) FROM t WHERE x > ?", [10]) == nil)
    }

    @Test("a read-only connection reads and refuses writes")
    func readOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ro.db")
        let writer = try Database(path: path)
        try writer.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (5)")
        let reader = try Database(path: path, readOnly: true)
        #expect(try reader.scalarInt("SELECT x FROM t") == 5)
        let error = #expect(throws: SQLiteError.self) { try reader.run("INSERT INTO t VALUES (6)") }
        #expect(error?.code == 8)  // SQLITE_READONLY
    }

    @Test("a double-quoted string is an identifier, never a string literal")
    func doubleQuotedStringsOff() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (status TEXT)")
        let error = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO t VALUES (\"active\")") }
        #expect(error?.message.contains("no such column") == true)
    }

    @Test("100,000 inserts in one transaction on a file database")
    func hundredThousandInserts() throws {
        let directory = try TemporaryDirectory()
        let db = try Database(path: directory.file("bulk.db"))
        try db.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, mac TEXT NOT NULL, bytes INTEGER NOT NULL)")
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            try db.transaction {
                for i in 0..<100_000 {
                    try db.run("INSERT INTO sessions (mac, bytes) VALUES (?, ?)", ["02:00:00:00:\(i % 256):01", i])
                }
            }
        }
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        print("100,000 inserts in one transaction (WAL, synchronous=NORMAL): \(milliseconds) ms")
        #expect(try db.scalarInt("SELECT count(*) FROM sessions") == 100_000)
        #expect(try db.scalarInt("SELECT sum(bytes) FROM sessions") == 4_999_950_000)
    }

    @Test("after close, calls fail with SQLITE_MISUSE; closing twice is harmless")
    func close() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")
        try db.run("INSERT INTO t VALUES (1)")
        db.close()
        db.close()
        let error = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO t VALUES (1)") }
        #expect(error?.code == 21)
        #expect(db.lastInsertRowID == 0)
    }
}
