import Foundation
import PorticoCore
import Synchronization

/// Portico's data: one SQLite database (WAL) behind one lock. Every state change is one
/// transaction; each method that changes state says what it did to the walled garden.
///
/// The store never reads the clock: operations take the date they happen on.
public final class Store: @unchecked Sendable {
    struct Inner {
        var db: Database
        var settings: Settings
        /// Renders the outbox messages that changes queue (see `Store+Outbox.swift`).
        var composer: (any MessageComposer)?
    }

    // Safe to share: `inner` (a connection, which SQLite's NOMUTEX mode does not guard, and the
    // settings) is only touched under `lock`, through `locked`.
    private let lock = NSLock()
    private var inner: Inner
    public let path: String
    private let writes = Atomic<UInt64>(0)

    /// Counts committed write transactions: a value read before and after a computation tells
    /// whether anything it read may have changed (the portal's page cache uses it).
    public var generation: UInt64 { writes.load(ordering: .acquiring) }

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String) throws {
        let db = try Database(path: path)
        // A 32 MiB page cache (SQLite's default is 2 MiB): the daily run touches every table per
        // client step; at 100,000 services the default cache misses dominate the run.
        try db.execute("PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY")
        _ = try Migrator.migrate(db, Schema.migrations)
        let settings = try Self.loadSettings(db)
        self.path = path
        inner = Inner(db: db, settings: settings)
    }

    /// Runs `body` with the connection, under the lock. Internal helpers take the `Database`
    /// explicitly so they never take the lock twice.
    func locked<T>(_ body: (inout Inner) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&inner)
    }

    /// Runs `body` in one IMMEDIATE transaction.
    func write<T>(_ body: (Database, Settings) throws -> T) throws -> T {
        try locked { inner in
            let settings = inner.settings
            defer { writes.add(1, ordering: .releasing) }
            let outbox = inner.composer.map { OutboxContext(composer: $0, settings: settings) }
            return try Self.$outboxContext.withValue(outbox) {
                try inner.db.transaction { try body(inner.db, settings) }
            }
        }
    }

    func read<T>(_ body: (Database, Settings) throws -> T) throws -> T {
        try locked { inner in try body(inner.db, inner.settings) }
    }

    public func close() {
        locked { $0.db.close() }
    }

    // MARK: Settings

    public var settings: Settings { locked { $0.settings } }

    /// Applies `changes` (setting name → text), validates the result, and saves it; nothing is
    /// saved when any value is wrong.
    @discardableResult
    public func updateSettings(_ changes: [(key: String, value: String)]) throws -> Settings {
        try locked { inner in
            var next = inner.settings
            for (k, v) in changes { try next.set(k, text: v) }
            try next.validate()
            let db = inner.db
            try db.transaction {
                for (k, _) in changes {
                    try db.run(
                        "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [k, next.text(forKey: k)!])
                }
                // Settings that change what is billable make every client worth a fresh look.
                try db.run("UPDATE clients SET dirty = 1")
            }
            inner.settings = next
            writes.add(1, ordering: .releasing)
            return next
        }
    }

    static func loadSettings(_ db: Database) throws -> Settings {
        var s = Settings()
        try db.query("SELECT key, value FROM settings") { row in
            try s.set(row.string(0), text: row.string(1))
        }
        try s.validate()
        return s
    }

    /// The last date the daily run has completed, if any.
    public func lastRunDate() throws -> LocalDate? {
        try read { db, _ in try Self.lastRun(db) }
    }

    static func lastRun(_ db: Database) throws -> LocalDate? {
        try db.queryOne("SELECT max(run_date) FROM billing_runs") { try $0.optionalDate("max(run_date)") } ?? nil
    }
}
