import Foundation
import PorticoStore
import Testing

private struct Refused: Error {}

@Suite("Database.transaction")
struct SQLiteTransactionTests {
    private func ledger() throws -> Database {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)")
        return db
    }

    @Test("a committed transaction keeps its rows and returns the body's value")
    func commit() throws {
        let db = try ledger()
        let id = try db.transaction {
            try db.run("INSERT INTO ledger (amount) VALUES (?)", [100])
            return db.lastInsertRowID
        }
        #expect(id == 1)
        #expect(try db.scalarInt("SELECT sum(amount) FROM ledger") == 100)
    }

    @Test("a transaction whose body throws leaves nothing written")
    func rollbackOnThrow() throws {
        let db = try ledger()
        #expect(throws: Refused.self) {
            try db.transaction {
                try db.run("INSERT INTO ledger (amount) VALUES (?)", [100])
                try db.run("INSERT INTO ledger (amount) VALUES (?)", [200])
                throw Refused()
            }
        }
        #expect(try db.scalarInt("SELECT count(*) FROM ledger") == 0)
        // The connection is usable and out of the transaction.
        try db.transaction { try db.run("INSERT INTO ledger (amount) VALUES (?)", [5]) }
        #expect(try db.scalarInt("SELECT count(*) FROM ledger") == 1)
    }

    @Test("a transaction failing on a constraint leaves nothing written")
    func rollbackOnSQLiteError() throws {
        let db = try ledger()
        let error = #expect(throws: SQLiteError.self) {
            try db.transaction {
                try db.run("INSERT INTO ledger (amount) VALUES (?)", [100])
                try db.run("INSERT INTO ledger (amount) VALUES (?)", [SQLValue.null])
            }
        }
        #expect(error?.extendedCode == 1299)
        #expect(try db.scalarInt("SELECT count(*) FROM ledger") == 0)
    }

    @Test("a nested failure rolls back only the savepoint; the outer work commits")
    func nestedSavepoint() throws {
        let db = try ledger()
        try db.transaction {
            try db.run("INSERT INTO ledger (amount) VALUES (?)", [1])
            #expect(throws: Refused.self) {
                try db.transaction {
                    try db.run("INSERT INTO ledger (amount) VALUES (?)", [10])
                    try db.transaction { try db.run("INSERT INTO ledger (amount) VALUES (?)", [100]) }
                    throw Refused()
                }
            }
            try db.transaction { try db.run("INSERT INTO ledger (amount) VALUES (?)", [1000]) }
        }
        #expect(try db.queryAll("SELECT amount FROM ledger ORDER BY id") { $0.int(0) } == [1, 1000])
    }

    @Test("a failure after a nested success rolls back both")
    func outerFailureUndoesNested() throws {
        let db = try ledger()
        #expect(throws: Refused.self) {
            try db.transaction {
                try db.transaction { try db.run("INSERT INTO ledger (amount) VALUES (?)", [10]) }
                throw Refused()
            }
        }
        #expect(try db.scalarInt("SELECT count(*) FROM ledger") == 0)
    }

    @Test("while one connection holds BEGIN IMMEDIATE, another's transaction waits, then proceeds")
    func writersWait() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("two.db")
        let db = try Database(path: path)
        try db.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)")

        let locked = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let holder = HolderOutcome()
        let thread = Thread {
            do {
                let other = try Database(path: path)
                try other.transaction {
                    try other.run("INSERT INTO ledger (amount) VALUES (?)", [1])
                    locked.signal()
                    Thread.sleep(forTimeInterval: 0.3)
                    holder.set("committing")
                }
                holder.set("committed")
            } catch {
                locked.signal()
                holder.set("failed: \(error)")
            }
            finished.signal()
        }
        thread.start()
        locked.wait()

        let clock = ContinuousClock()
        let start = clock.now
        let seenInside = try db.transaction {
            // BEGIN IMMEDIATE returned, so the other connection has committed: its row is here.
            let count = try db.scalarInt("SELECT count(*) FROM ledger")
            try db.run("INSERT INTO ledger (amount) VALUES (?)", [2])
            return count
        }
        let waited = clock.now - start
        finished.wait()
        print("second writer waited \(waited) for the first")
        #expect(holder.value == "committed")
        #expect(seenInside == 1)
        #expect(try db.queryAll("SELECT amount FROM ledger ORDER BY id") { $0.int(0) } == [1, 2])
    }
}

/// The other thread's last step, read after it has signalled. The lock makes the handoff safe,
/// hence `@unchecked Sendable`.
private final class HolderOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var state = "not started"
    func set(_ value: String) { lock.withLock { state = value } }
    var value: String { lock.withLock { state } }
}
