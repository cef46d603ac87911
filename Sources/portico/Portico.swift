// portico: the command line. Each command parses its options and calls one function of
// PorticoApp; nothing else happens here.
//
// Imports: PorticoApp and ArgumentParser only.

import ArgumentParser
import PorticoApp

/// The command line: each command parses its options and calls one function of the app, which
/// does the work; errors print as one line naming the option or field (exit status 1).
@main
struct Portico: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portico", abstract: "Walled-garden captive portal and billing for ISPs.",
        subcommands: [
            Serve.self, Demo.self, Migrate.self, Billing.self, Ledger.self, APIToken.self, Admin.self, Doctor.self,
            Firewall.self, Bench.self,
        ])
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var options: CommonOptions

    func run() throws {
        print(try options.installation().migrate())
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
                "Last date to run, YYYY-MM-DD; at most \(Installation.maxDaysAhead) days after today.",
                valueName: "date"),
            transform: { text in
                if let problem = Installation.dateProblem(text) { throw ValidationError(problem) }
                return text
            })
        var date: String?

        func run() throws {
            for line in try options.installation().runBilling(through: date) { print(line) }
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
            let problems = try options.installation().checkLedger()
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
        try options.installation(server).demo(walledGarden: walledGarden.flags, populateOnly: populateOnly) {
            print($0)
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
            print(try options.installation().setUpHTTPBenchmark(address: address))
        }
    }

    struct BillingBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "billing", abstract: "The daily run over N services for a month of dates, on a file database.")
        @Option(help: "Database file to create (removed first).") var database = ".portico/bench-billing.db"
        @Option(help: "Number of services.") var services = 100_000
        @Option(help: "Days to run.") var days = 30

        func run() throws {
            try BillingBenchmark.report(database: database, services: services, days: days) { print($0) }
        }
    }
}
