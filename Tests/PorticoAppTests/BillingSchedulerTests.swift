import Foundation
import Logging
import PorticoApp
import PorticoCore
import PorticoStore
import PorticoTestSupport
import Synchronization
import Testing

@Suite struct BillingSchedulerTests {
    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func dueThroughIsTodayOnceRunAtHasPassedInTheInstallationsZone() {
        let utc = TimeZone(identifier: "UTC")!
        #expect(
            BillingScheduler.dueThrough(Self.instant("2027-03-10T00:04:59Z"), runAt: "00:05", timeZone: utc)
                == d("2027-03-09"))
        #expect(
            BillingScheduler.dueThrough(Self.instant("2027-03-10T00:05:00Z"), runAt: "00:05", timeZone: utc)
                == d("2027-03-10"))
        // 03:00 UTC is 22:00 the day before in Bogotá (UTC-5).
        let bogota = TimeZone(identifier: "America/Bogota")!
        #expect(
            BillingScheduler.dueThrough(Self.instant("2027-03-10T03:00:00Z"), runAt: "00:05", timeZone: bogota)
                == d("2027-03-09"))
        #expect(
            BillingScheduler.dueThrough(Self.instant("2027-03-10T03:00:00Z"), runAt: "23:00", timeZone: bogota)
                == d("2027-03-08"))
    }

    @Test func catchesUpThreeMissedDaysInOrder() throws {
        let dir = try TempDirectory("portico-scheduler")
        let store = try Store(path: dir.path + "/p.db")
        try addClient(store, name: "Ana", address: "10.0.0.1", from: d("2027-03-01"))
        _ = try store.runBilling(through: d("2027-03-07"))
        // Down from the 8th's run to the 10th at 06:00: the 8th, 9th and 10th are missed.
        let scheduler = BillingScheduler(
            store: store, now: { Self.instant("2027-03-10T06:00:00Z") }, logger: Logger(label: "test"))
        let report = try scheduler.tick()
        #expect(report.dates == [d("2027-03-08"), d("2027-03-09"), d("2027-03-10")])
        #expect(try store.lastRunDate() == d("2027-03-10"))
        // Nothing more is due the same day.
        #expect(try scheduler.tick().dates.isEmpty)
    }

    @Test func aClockJumpForwardIsCaughtUpDateByDate() throws {
        let dir = try TempDirectory("portico-scheduler")
        let store = try Store(path: dir.path + "/p.db")
        try addClient(store, name: "Ana", address: "10.0.0.1", from: d("2027-03-01"))
        let offset = Atomic<Int>(0)
        let base = Self.instant("2027-03-10T06:00:00Z")
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "portico") { label in
            LogfmtLogHandler(label: label, level: SharedLogLevel(.info), journald: false) { line in
                lines.withLock { $0.append(line) }
            }
        }
        let applied = Mutex<[WalledGardenDelta]>([])
        let scheduler = BillingScheduler(
            store: store, now: { base.addingTimeInterval(Double(offset.load(ordering: .relaxed))) },
            logger: logger, apply: { delta in applied.withLock { $0.append(delta) } })
        #expect(try scheduler.tick().dates.last == d("2027-03-10"))
        offset.store(3 * 86_400, ordering: .relaxed)
        let report = try scheduler.tick()
        #expect(report.dates == [d("2027-03-11"), d("2027-03-12"), d("2027-03-13")])
        #expect(lines.withLock { $0 }.contains { $0.contains("msg=\"clock jump\"") && $0.contains("seconds=2591") })
        #expect(
            lines.withLock { $0 }.contains {
                $0.contains("msg=\"billing run\"") && $0.contains("first=2027-03-11") && $0.contains("dates=3")
            })
        #expect(applied.withLock { $0.count } == 2)
    }

    /// Another process holds the write lock longer than SQLite's busy timeout (5 s): the tick
    /// waits for it instead of failing or running around it, then runs each date once.
    @Test(.timeLimit(.minutes(1))) func waitsWhileAnotherProcessHoldsTheLock() throws {
        let dir = try TempDirectory("portico-lock")
        let path = dir.path + "/p.db"
        let store = try Store(path: path)
        try addClient(store, name: "Ana", address: "10.0.0.1", from: d("2027-03-01"))
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "portico") { label in
            LogfmtLogHandler(label: label, level: SharedLogLevel(.info), journald: false) { line in
                lines.withLock { $0.append(line) }
            }
        }
        let scheduler = BillingScheduler(store: store, now: { Self.instant("2027-03-05T06:00:00Z") }, logger: logger)
        // sqlite3 takes the write lock, keeps it 7 s, then commits.
        let holder = try ChildProcess(
            ["sqlite3", path, "BEGIN IMMEDIATE;", ".shell echo locked", ".shell sleep 7", "COMMIT;"], output: .pipe)
        #expect(holder.readOutput(until: "locked").contains("locked"))
        let start = Date()
        let report = try scheduler.tick()
        #expect(Date().timeIntervalSince(start) > 5)
        holder.waitUntilExit()
        #expect(report.dates == (1...5).map { d("2027-03-0\($0)") })
        #expect(lines.withLock { $0 }.contains { $0.contains("msg=\"waiting for another process's daily run\"") })
        #expect(try store.lastRunDate() == d("2027-03-05"))
    }

    /// Two `portico serve` processes start on one database that is 1,000 days behind: every date
    /// is run exactly once between them, and the documents are those of a single run.
    @Test(.timeLimit(.minutes(5))) func aSecondProcessDoesNotRunADateTwice() throws {
        let dir = try TempDirectory("portico-two")
        let path = dir.path + "/p.db"
        let today = BillingScheduler.dueThrough(Date(), runAt: "00:00", timeZone: TimeZone(identifier: "UTC")!)
        let first = today.adding(days: -1000)
        do {
            let store = try Store(path: path)
            try store.updateSettings([("billing.runAt", "00:00")])
            for i in 0..<100 {
                try addClient(
                    store, name: "Client \(i)", address: "10.1.\(i / 200).\(i % 200 + 1)",
                    from: first.adding(days: i * 3))
            }
            store.close()
        }
        try FileManager.default.copyItem(atPath: path, toPath: dir.path + "/reference.db")
        let reference = try Store(path: dir.path + "/reference.db")
        let single = try reference.runBilling(through: today)
        #expect(single.dates.count == 1001)

        let args = ["serve", "--database", path, "--portal-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"]
        let a = try PorticoProcess(args, in: dir, name: "a")
        // The second starts once the first is running dates, as a restart overlap would.
        let watcher = try Database(path: path, readOnly: true)
        let deadline = Date().addingTimeInterval(60)
        while (try? watcher.scalarInt("SELECT count(*) FROM billing_runs")) ?? 0 == 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        watcher.close()
        let b = try PorticoProcess(args, in: dir, name: "b")
        _ = try a.waitForBanner(seconds: 240)
        _ = try b.waitForBanner(seconds: 240)
        a.signal(SIGTERM)
        b.signal(SIGTERM)
        #expect(a.waitForExit() == 0)
        #expect(b.waitForExit() == 0)

        func datesRun(_ log: String) -> Int {
            log.split(separator: "\n").filter { $0.contains("msg=\"billing run\"") }.compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("dates=") }.flatMap { Int($0.dropFirst(6)) }
            }.reduce(0, +)
        }
        let ranA = datesRun(a.stderr)
        let ranB = datesRun(b.stderr)
        #expect(ranA + ranB == 1001, "a ran \(ranA), b ran \(ranB)")
        // Usually both run some of the dates, alternating; which one runs which is the race's.
        print("two processes: a ran \(ranA) dates, b ran \(ranB)")
        let store = try Store(path: path)
        #expect(try store.lastRunDate() == today)
        let db = try Database(path: path, readOnly: true)
        let refDB = try Database(path: dir.path + "/reference.db", readOnly: true)
        for sql in [
            "SELECT count(*) FROM billing_runs", "SELECT count(*) FROM documents",
            "SELECT coalesce(sum(total), 0) FROM documents", "SELECT count(*) FROM document_lines",
        ] {
            #expect(try db.scalarInt(sql) == refDB.scalarInt(sql), "\(sql)")
        }
        #expect(try store.ledgerCheck().isEmpty)
    }
}
