/// One step of the schema: SQL that moves a database from the previous version to `version`.
public struct Migration: Sendable {
    /// The schema version after this migration, from 1 up; stored in `PRAGMA user_version`.
    public let version: Int
    /// A short human name, recorded in `schema_migrations`.
    public let name: String
    /// One or more statements, run with ``Database/execute(_:)`` inside the migration's
    /// transaction. It must not contain `BEGIN`, `COMMIT` or `ROLLBACK`.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Why ``Migrator/migrate(_:_:)`` refused or stopped.
public enum MigrationError: Error, CustomStringConvertible, Sendable {
    /// The database's `user_version` is above every known migration: it was written by a newer
    /// Portico, and this one must not touch it.
    case databaseNewer(databaseVersion: Int, newestKnown: Int)
    /// A migration's version is not in 1...Int32.max (`user_version` is a 32-bit integer).
    case invalidVersion(Int)
    /// Two migrations share a version.
    case duplicateVersion(Int)
    /// A migration's SQL failed; the migration's transaction was rolled back.
    case failed(version: Int, name: String, error: SQLiteError)

    public var description: String {
        switch self {
        case .databaseNewer(let databaseVersion, let newestKnown):
            "the database has schema version \(databaseVersion), newer than this program's newest (\(newestKnown))"
        case .invalidVersion(let version):
            "migration version \(version) is not between 1 and \(Int32.max)"
        case .duplicateVersion(let version):
            "two migrations have version \(version)"
        case .failed(let version, let name, let error):
            "migration \(version) (\(name)) failed: \(error)"
        }
    }
}
