extension Database {
    /// Runs `body` in a transaction and returns its result.
    ///
    /// The outermost call runs `BEGIN IMMEDIATE`, which takes the write lock at once (waiting up
    /// to the busy timeout for another connection's writer), so a transaction never fails halfway
    /// for want of the lock. It ends with `COMMIT`, or `ROLLBACK` if `body` or the commit throws;
    /// the error is then rethrown. Calls inside `body` use `SAVEPOINT`s: a nested failure rolls
    /// back only the nested work, and the outer `body` may catch it and carry on.
    /// Statements run with ``run(_:_:)`` (`sqlite3_prepare_v3`, `sqlite3_step`).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try savepoint(body) }
        try run("BEGIN IMMEDIATE")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        let result: T
        do {
            result = try body()
            try run("COMMIT")
        } catch {
            rollBack("ROLLBACK")
            throw error
        }
        return result
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        let name = "portico_savepoint_\(transactionDepth)"
        try run("SAVEPOINT \(name)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        let result: T
        do {
            result = try body()
        } catch {
            rollBack("ROLLBACK TO \(name)", "RELEASE \(name)")
            throw error
        }
        try run("RELEASE \(name)")
        return result
    }

    /// Rolls back while a transaction is still open (some errors, such as SQLITE_FULL, already
    /// rolled it back). A failure here is not thrown: the caller rethrows the error that caused
    /// the rollback, which is the one a person needs to see.
    private func rollBack(_ statements: String...) {
        for sql in statements where isInTransaction {
            do { try run(sql) } catch { return }
        }
    }
}
