import Foundation
import PorticoCore
import PorticoStore
import PorticoWebSupport
import Testing

/// `portico billing run --date` takes the API's limit on effective dates (`DateLimits`): more
/// than 366 days after today is an error naming the option, and nothing is run.
@Suite struct BillingRunCommandTests {
    @Test func aDateMoreThan366DaysAheadIsRefusedNamingTheOptionAndRunsNothing() throws {
        let dir = try TempDirectory("portico-billing-run")
        let database = dir.path + "/p.db"
        let today: LocalDate
        let client: Int64
        do {
            let store = try Store(path: database)
            defer { store.close() }
            today = try InstallationClock(timeZone: store.settings.billing.timeZone).today()
            client = try addClient(store, name: "Ana", address: "198.51.100.7", from: today)
        }
        let latest = today.adding(days: 366)
        let refused = try PorticoProcess(
            ["billing", "run", "--database", database, "--date", latest.adding(days: 1).description], in: dir,
            name: "refused")
        #expect(refused.waitForExit() == 1)
        #expect(
            refused.stderr.contains("--date: must be at most 366 days after today (\(latest))"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty, "\(refused.stdout)")
        do {
            let store = try Store(path: database)
            defer { store.close() }
            #expect(try store.lastRunDate() == nil)
            #expect(try store.documents(clientId: client).isEmpty)
        }

        // 366 days ahead is still a run (simulations replay histories ahead of the clock).
        let ran = try PorticoProcess(
            ["billing", "run", "--database", database, "--date", latest.description], in: dir, name: "ran")
        #expect(ran.waitForExit() == 0, "\(ran.stderr)")
        let store = try Store(path: database)
        defer { store.close() }
        #expect(try store.lastRunDate() == latest)
        #expect(try !store.documents(clientId: client).isEmpty)
    }
}
