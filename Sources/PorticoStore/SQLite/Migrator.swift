/// Brings a database's schema up to date from a list of ``Migration``s.
public enum Migrator {
    /// Applies, in one transaction each, every migration whose version is above the database's
    /// `PRAGMA user_version`, in order; records each (version, name, applied order) in a
    /// `schema_migrations` table; refuses (``MigrationError/databaseNewer(databaseVersion:newestKnown:)``)
    /// a database whose user_version is newer than the newest migration known; returns the
    /// versions applied.
    ///
    /// The list may be in any order. Each migration's transaction re-reads `user_version` after
    /// taking the write lock, so two processes migrating at once apply each migration once.
    /// A failing migration throws ``MigrationError/failed(version:name:error:)`` and leaves the
    /// database as the previous migration left it. Runs SQL with `sqlite3_exec` and
    /// `sqlite3_prepare_v3`/`sqlite3_step`.
    public static func migrate(_ db: Database, _ migrations: [Migration]) throws -> [Int] {
        let ordered = try validated(migrations)
        let newestKnown = ordered.last?.version ?? 0
        let databaseVersion = try userVersion(db)
        guard databaseVersion <= newestKnown else {
            throw MigrationError.databaseNewer(databaseVersion: databaseVersion, newestKnown: newestKnown)
        }
        var applied: [Int] = []
        for migration in ordered where migration.version > databaseVersion {
            if try apply(migration, to: db) { applied.append(migration.version) }
        }
        return applied
    }

    /// Applies one migration unless another connection already has; returns whether it did.
    private static func apply(_ migration: Migration, to db: Database) throws -> Bool {
        try db.transaction {
            guard try userVersion(db) < migration.version else { return false }
            do throws(SQLiteError) {
                try db.execute(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        applied_order INTEGER NOT NULL UNIQUE
                    )
                    """)
                try db.execute(migration.sql)
                try db.run(
                    """
                    INSERT INTO schema_migrations (version, name, applied_order)
                    VALUES (?, ?, (SELECT coalesce(max(applied_order), 0) + 1 FROM schema_migrations))
                    """,
                    [migration.version, migration.name])
                // The version is an integer checked by validated(_:), so splicing it in is safe;
                // pragmas take no parameters.
                try db.execute("PRAGMA user_version = \(migration.version)")
            } catch {
                throw MigrationError.failed(version: migration.version, name: migration.name, error: error)
            }
            return true
        }
    }

    /// `PRAGMA user_version`.
    private static func userVersion(_ db: Database) throws(SQLiteError) -> Int {
        Int(try db.scalarInt("PRAGMA user_version") ?? 0)
    }

    /// The migrations sorted by version, after checking the versions are valid and distinct.
    private static func validated(_ migrations: [Migration]) throws(MigrationError) -> [Migration] {
        let ordered = migrations.sorted { $0.version < $1.version }
        var previous: Int?
        for migration in ordered {
            guard migration.version >= 1 && migration.version <= Int(Int32.max) else {
                throw .invalidVersion(migration.version)
            }
            if migration.version == previous { throw .duplicateVersion(migration.version) }
            previous = migration.version
        }
        return ordered
    }
}
