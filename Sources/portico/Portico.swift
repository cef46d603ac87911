import ArgumentParser
import Foundation
import PorticoApp
import PorticoCore
import PorticoStore
import PorticoWebSupport

@main
struct Portico: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portico", abstract: "Walled-garden captive portal and billing for ISPs.",
        subcommands: [
            Serve.self, Demo.self, Migrate.self, Billing.self, Ledger.self, APIToken.self, Admin.self, Doctor.self,
            Firewall.self, Bench.self,
        ])
}

/// An error printed as `error: <message>` with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension LocalDate: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(argument) }
    public static var defaultCompletionKind: CompletionKind { .default }
}

/// Runs `body`, printing domain errors as one line naming the field, exit status 1.
func reporting<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as BillingError {
        throw CLIError(e.description)
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var options: CommonOptions

    func run() throws {
        let store = try options.openStore()
        print("database \(store.path) is at schema version \(Schema.migrations.last!.version)")
    }
}

struct Billing: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Billing commands.", subcommands: [Run.self])

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daily billing job for every date up to --date (default: today).")
        @OptionGroup var options: CommonOptions
        @Option(
            help: ArgumentHelp(
                "Last date to run, YYYY-MM-DD; at most \(DateLimits.maxDaysAhead) days after today.", valueName: "date"),
            transform: { text in
                do { return try LocalDate(text) } catch { throw ValidationError("date: \(error)") }
            })
        var date: LocalDate?

        func run() throws {
            let store = try options.openStore()
            let today = try options.clock(store).today()
            // The API's and the admin UI's limit; a refusal runs nothing.
            let through = try reporting {
                try date.map { try DateLimits.effectiveDate($0, field: "--date", today: today) } ?? today
            }
            let report = try reporting { try store.runBilling(through: through) }
            if let first = report.dates.first, let last = report.dates.last {
                print(
                    "ran \(first) … \(last): \(report.dates.count) dates, \(report.clientsStepped) client steps, \(report.documentsIssued) documents"
                )
            } else {
                print("nothing to run: billing is up to date through \(through)")
            }
            if !report.delta.isEmpty {
                print(
                    "walled garden: +\(report.delta.suspend.count) suspended, -\(report.delta.release.count) released")
            }
        }
    }
}

struct Ledger: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ledger commands.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every client's balance and every cycle's prorated total; exit 1 on any mismatch.")
        @OptionGroup var options: CommonOptions

        func run() throws {
            let problems = try options.openStore().ledgerCheck()
            for p in problems { print(p) }
            if !problems.isEmpty { throw ExitCode(1) }
            print("ledger ok")
        }
    }
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A demo installation: plans, clients and services in every state and the test gateway; then serve it."
    )
    @OptionGroup var options: CommonOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var walledGarden: FirewallOptions  // issue 4
    @Flag(help: "Only create the demo data and run billing; do not start the servers.") var populateOnly = false

    func run() throws {
        let store = try options.openStore()
        let today = try options.clock(store).today()
        let summary = try reporting { try PorticoApp.Demo.populate(store, today: today) }
        store.close()
        print("demo database \(store.path), billing run through \(today): \(summary.documents) documents")
        if populateOnly {
            for c in summary.clients { print("  \(c.name.padding(14)) \(c.address.padding(12)) \(c.status.rawValue)") }
            return
        }
        let loaded = try options.load(server: server)
        var c = loaded.configuration
        try walledGarden.apply(to: &c)
        if loaded.origins["isp.name"] == nil { c.ispName = "Demo ISP" }
        if loaded.origins["isp.contact"] == nil { c.contact = "support@demo-isp.example · +1 555 0100" }
        try serve(c, loaded: loaded) { [c] s in
            let portal = "http://\(c.portalListen.host):\(s.portalPort)/"
            print("portal  \(portal)")
            print("admin   http://\(c.adminListen.host):\(s.adminPort)/api/v1/")
            print("clients (try: curl --interface ADDRESS \(portal)):")
            for client in summary.clients {
                print("  \(client.address.padding(12)) \(client.name.padding(14)) \(client.status.rawValue)")
            }
            print("Ctrl-C stops.")
        }
    }
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks.", subcommands: [BillingBench.self, HTTPSetup.self, FirewallBench.self])

    struct HTTPSetup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "http-setup",
            abstract:
                "A database whose client at --address is suspended with overdue invoices (for wrk, which cannot pick its source address)."
        )
        @OptionGroup var options: CommonOptions
        @Option(help: "The suspended client's address.") var address = "127.0.0.1"

        func run() throws {
            let store = try options.openStore()
            let today = try options.clock(store).today()
            let plan = try store.createPlan(
                Plan(
                    name: "Home 30", monthlyPrice: 3000, billingPeriods: [1, 3, 12],
                    periodPrices: [3: 8500]))
            try store.updateSettings([("reactivation.enabled", "true")])
            let client = try store.createClient(ClientRecord(name: "Bench Client", email: "bench@example.net"))
            _ = try store.createService(
                NewService(
                    clientId: client.id, planId: plan.id, activeFrom: today.addingMonths(-3),
                    addresses: [address]), on: today)
            let run = try store.runBilling(through: today)
            print(
                "suspended \(run.delta.suspend.map(\.description).joined(separator: " ")), \(run.documentsIssued) invoices"
            )
        }
    }

    struct BillingBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "billing", abstract: "The daily run over N services for a month of dates, on a file database.")
        @Option(help: "Database file to create (removed first).") var database = ".portico/bench-billing.db"
        @Option(help: "Number of services.") var services = 100_000
        @Option(help: "Days to run.") var days = 30

        func run() throws {
            for suffix in ["", "-wal", "-shm"] { unlink(database + suffix) }
            let store = try Store(path: database)
            let first = try LocalDate("2026-01-01")
            let setup = try BillingBenchmark.setUp(store, count: services, first: first)
            print(String(format: "setup: %d services in %.1f s", setup.services, setup.seconds))
            let result = try BillingBenchmark.run(store, through: first.adding(days: days - 1))
            let problems = try store.ledgerCheck()
            print("| services | dates | documents | suspended | run seconds | peak memory MiB | ledger |")
            print("|---:|---:|---:|---:|---:|---:|---|")
            print(
                String(
                    format: "| %d | %d | %d | %d | %.2f | %.0f | %@ |", services, result.dates, result.documents,
                    result.suspended, result.seconds, BillingBenchmark.peakMemoryMiB(),
                    problems.isEmpty ? "ok" : "\(problems.count) problems"))
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
