import Foundation
import PorticoCore
import PorticoFirewall
import PorticoStore

// `bench http-setup|billing|firewall`: what `make bench` measures.
extension Installation {
    /// `portico bench http-setup`: a database whose client at `address` is suspended with overdue
    /// invoices (for wrk, which cannot pick its source address).
    public func setUpHTTPBenchmark(address: String) throws -> String {
        let store = try openStore()
        let today = try today(store)
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
        return
            "suspended \(run.delta.suspend.map(\.description).joined(separator: " ")), \(run.documentsIssued) invoices"
    }
}

extension BillingBenchmark {
    /// `portico bench billing`: `services` services on a new file database at `database`, the
    /// daily run over `days` dates, and the ledger checked; the setup line, then the table.
    public static func report(database: String, services: Int, days: Int, output: (String) -> Void) throws {
        for suffix in ["", "-wal", "-shm"] { unlink(database + suffix) }
        let store = try Store(path: database)
        let first = try LocalDate("2026-01-01")
        let setup = try setUp(store, count: services, first: first)
        output(String(format: "setup: %d services in %.1f s", setup.services, setup.seconds))
        let result = try run(store, through: first.adding(days: days - 1))
        let problems = try store.ledgerCheck()
        output("| services | dates | documents | suspended | run seconds | peak memory MiB | ledger |")
        output("|---:|---:|---:|---:|---:|---:|---|")
        output(
            String(
                format: "| %d | %d | %d | %d | %.2f | %.0f | %@ |", services, result.dates, result.documents,
                result.suspended, result.seconds, peakMemoryMiB(),
                problems.isEmpty ? "ok" : "\(problems.count) problems"))
    }
}

/// `portico bench firewall`: the nftables backend's netlink work in a scratch network namespace
/// (never the host's own): a rebuild of N addresses against `nft -f`, and single releases.
public enum FirewallBenchmarkCommand {
    /// The table of figures; `netns` names an existing scratch namespace, else one is created
    /// and deleted here.
    public static func run(addresses: Int, releases: Int, netns: String?) throws -> [String] {
        guard addresses >= 1, releases >= 1, releases <= addresses else {
            throw CommandError("releases: must be between 1 and --addresses")
        }
        let namespace = netns ?? "portico-bench-\(getpid())"
        if netns == nil {
            guard ip(["netns", "add", namespace]) == 0 else {
                throw CommandError("netns: `ip netns add \(namespace)` failed (needs root and iproute2)")
            }
        }
        defer { if netns == nil { _ = ip(["netns", "delete", namespace]) } }
        let rows = try FirewallBenchmark.run(namespace: namespace, addresses: addresses, releases: releases)
        var lines = ["| figure | value |", "|---|---:|"]
        for row in rows {
            let v = row.value >= 100 ? String(Int(row.value.rounded())) : String(format: "%.3f", row.value)
            lines.append("| \(row.name.trimmingCharacters(in: .whitespaces)) | \(v) \(row.unit) |")
        }
        return lines
    }

    static func ip(_ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ip"] + arguments
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
