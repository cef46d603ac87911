import PorticoStore
import Testing

@Suite("Migrator")
struct SQLiteMigratorTests {
    private let migrations = [
        Migration(version: 1, name: "plans", sql: "CREATE TABLE plans (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"),
        Migration(
            version: 2, name: "customers",
            sql: """
                CREATE TABLE customers (id INTEGER PRIMARY KEY, plan_id INTEGER REFERENCES plans(id));
                CREATE INDEX customers_plan ON customers (plan_id);
                """),
        Migration(
            version: 3, name: "plan price", sql: "ALTER TABLE plans ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0"),
    ]

    private func userVersion(_ db: Database) throws -> Int64? { try db.scalarInt("PRAGMA user_version") }

    private func tableExists(_ db: Database, _ name: String) throws -> Bool {
        try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", [name]) == 1
    }

    @Test("migrations apply in order, once, and are recorded")
    func appliesInOrderOnce() throws {
        let db = try Database(path: ":memory:")
        #expect(try Migrator.migrate(db, migrations.reversed()) == [1, 2, 3])
        #expect(try userVersion(db) == 3)
        #expect(try Migrator.migrate(db, migrations) == [])
        let recorded = try db.queryAll("SELECT version, name, applied_order FROM schema_migrations ORDER BY version") {
            "\($0.int("version")) \($0.string("name")) \($0.int("applied_order"))"
        }
        #expect(recorded == ["1 plans 1", "2 customers 2", "3 plan price 3"])
        try db.run("INSERT INTO plans (name, price_cents) VALUES (?, ?)", ["Basic", 1999])
        #expect(try db.scalarInt("SELECT price_cents FROM plans") == 1999)
    }

    @Test("only the migrations above user_version apply")
    func appliesOnlyNewer() throws {
        let db = try Database(path: ":memory:")
        #expect(try Migrator.migrate(db, Array(migrations.prefix(1))) == [1])
        #expect(try Migrator.migrate(db, migrations) == [2, 3])
        #expect(
            try db.queryAll("SELECT applied_order FROM schema_migrations ORDER BY version") { $0.int(0) } == [1, 2, 3])
    }

    @Test("a failing migration leaves user_version unchanged and no partial table")
    func failingMigration() throws {
        let db = try Database(path: ":memory:")
        let broken = Migration(
            version: 4, name: "broken",
            sql: "CREATE TABLE payments (id INTEGER PRIMARY KEY); INSERT INTO no_such_table VALUES (1);")
        let error = #expect(throws: MigrationError.self) { try Migrator.migrate(db, migrations + [broken]) }
        guard case .failed(let version, let name, let sqliteError) = error else {
            Issue.record("expected MigrationError.failed, got \(String(describing: error))")
            return
        }
        #expect(version == 4 && name == "broken")
        #expect(sqliteError.message.contains("no such table"))
        #expect(try userVersion(db) == 3)
        #expect(try !tableExists(db, "payments"))
        #expect(try db.scalarInt("SELECT max(version) FROM schema_migrations") == 3)
    }

    @Test("a failing first migration leaves no schema_migrations table")
    func failingFirstMigration() throws {
        let db = try Database(path: ":memory:")
        let broken = Migration(version: 1, name: "broken", sql: "CREATE TABLE a (x); CREATE TABLE a (y);")
        #expect(throws: MigrationError.self) { try Migrator.migrate(db, [broken]) }
        #expect(try userVersion(db) == 0)
        #expect(try !tableExists(db, "a"))
        #expect(try !tableExists(db, "schema_migrations"))
    }

    @Test("a database newer than the newest known migration is refused and left alone")
    func newerDatabaseRefused() throws {
        let db = try Database(path: ":memory:")
        try db.execute("PRAGMA user_version = 7")
        let error = #expect(throws: MigrationError.self) { try Migrator.migrate(db, migrations) }
        guard case .databaseNewer(let databaseVersion, let newestKnown) = error else {
            Issue.record("expected MigrationError.databaseNewer, got \(String(describing: error))")
            return
        }
        #expect(databaseVersion == 7 && newestKnown == 3)
        #expect(try !tableExists(db, "plans"))
        #expect(try userVersion(db) == 7)
    }

    @Test("duplicate and out-of-range versions are refused before anything runs")
    func invalidLists() throws {
        let db = try Database(path: ":memory:")
        let duplicate = migrations + [Migration(version: 2, name: "again", sql: "SELECT 1")]
        #expect {
            try Migrator.migrate(db, duplicate)
        } throws: { error in
            guard case .duplicateVersion(2) = error as? MigrationError else { return false }
            return true
        }
        #expect {
            try Migrator.migrate(db, [Migration(version: 0, name: "zero", sql: "SELECT 1")])
        } throws: { error in
            guard case .invalidVersion(0) = error as? MigrationError else { return false }
            return true
        }
        #expect(try !tableExists(db, "plans"))
    }
}
