import Foundation
import PorticoCore
import PorticoStore
import PorticoTestSupport
import PorticoWebSupport
import Testing

/// SPEC §13: a crash at any point loses no confirmed payment. `portico serve` (off backend) is
/// SIGKILLed at seeded random moments while clients pay overdue invoices or reactivate through
/// the test gateway; afterwards every checkout the gateway page confirmed (a 303) is recorded
/// exactly once, the walled garden matches the database, the ledger balances and SQLite is intact.
/// `PORTICO_PROOF_KILLS` sets the number of kills (`make proof-long`); the clients grow with it.
@Suite(.serialized)
struct CrashSafetyTests {
    /// SIGKILLs at least this many times: 50, or `PORTICO_PROOF_KILLS`.
    static let minimumKills = ProofSize("PORTICO_PROOF_KILLS", default: 50)

    /// 30 suspended and 10 ended clients per 50 kills (or fewer). A client pays once (back online,
    /// the portal offers nothing more to pay) and the clients make about one attempt per kill,
    /// so with clients in proportion the payments go on through the kills however many.
    static func clientCounts(kills: Int) -> (suspended: Int, ended: Int) {
        let fifties = max(1, (kills + 49) / 50)
        return (30 * fifties, 10 * fifties)
    }

    /// Client `i`'s address: 127.0.0.10 … 127.0.0.209, then 127.0.1.10 … (all of 127/8 is loopback).
    static func address(_ i: Int) -> String { "127.0.\(i / 200).\(10 + i % 200)" }

    struct Client {
        var clientId: Int64
        var address: String
        var reactivates: Bool
        /// The checkout started and its gateway form, re-posted after a crash as a gateway retries.
        var pending: (id: String, fields: [(String, String)])?
        var confirmedForm: (id: String, fields: [(String, String)])?
        var done = false
    }

    /// The server's current ports (nil while it is down), shared with the killer thread.
    final class Shared: @unchecked Sendable {
        private let lock = NSLock()
        private var ports: (portal: UInt16, admin: UInt16)?
        private var finished = false
        private(set) var kills = 0
        var failure: String?

        func set(_ p: (portal: UInt16, admin: UInt16)?) { lock.withLock { ports = p } }
        func current() -> (portal: UInt16, admin: UInt16)? { lock.withLock { ports } }
        func killed() { lock.withLock { kills += 1 } }
        func finish() { lock.withLock { finished = true } }
        var isFinished: Bool { lock.withLock { finished } }
        var killCount: Int { lock.withLock { kills } }
        func fail(_ s: String) {
            lock.withLock {
                failure = s; finished = true
            }
        }
    }

    /// A plan, `suspendedCount` suspended clients owing overdue invoices, `endedCount` ended (paid
    /// up) clients with reactivation enabled; addresses from 127.0.0.10 (`address(_:)`).
    static func prepare(_ path: String, suspendedCount: Int, endedCount: Int) throws -> [Client] {
        let store = try Store(path: path)
        defer { store.close() }
        let today = try InstallationClock(timeZone: store.settings.billing.timeZone).today()
        let plan = try store.createPlan(Plan(name: "Home 30", monthlyPrice: 3000, billingPeriods: [1, 3]))
        try store.updateSettings([("reactivation.enabled", "true")])
        var clients: [Client] = []
        for i in 0..<(suspendedCount + endedCount) {
            let address = Self.address(i)
            let ended = i >= suspendedCount
            let client = try store.createClient(ClientRecord(name: "Client \(i)", email: "c\(i)@example.net"))
            let from = today.addingMonths(ended ? -8 : -3)
            _ = try store.createService(
                NewService(
                    clientId: client.id, planId: plan.id, activeFrom: from,
                    activeTo: ended ? today.addingMonths(-2) : nil, addresses: [address]), on: from)
            clients.append(Client(clientId: client.id, address: address, reactivates: ended))
        }
        _ = try store.runBilling(through: today.adding(days: -1))
        for c in clients where c.reactivates {
            let due = try store.client(c.clientId).balanceDue
            if due > .zero {
                _ = try store.recordPayment(
                    clientId: c.clientId, amount: due, receivedOn: today.adding(days: -1), method: "cash",
                    reference: "setup-\(c.clientId)")
            }
        }
        _ = try store.runBilling(through: today)
        let stopped = Set(try store.stoppedAddresses().map(\.description))
        guard stopped.count == clients.count else {
            throw ProofError("the prepared database stops \(stopped.sorted()), not all \(clients.count) clients")
        }
        return clients
    }

    /// One step of a client's checkout; returns the id of a checkout the gateway confirmed (303).
    static func step(_ client: inout Client, port: UInt16) throws -> String? {
        let connection = try TestConnection(port: port, source: client.address, timeoutSeconds: 5)
        if let pending = client.pending {
            let confirm = try connection.request(
                "POST", "/test-gateway/checkout/\(pending.id)",
                headers: [("Content-Type", "application/x-www-form-urlencoded")], body: formEncode(pending.fields),
                host: "127.0.0.1")
            guard confirm.status == 303 else { throw ProofError("gateway POST: \(confirm.status) \(confirm.text)") }
            client.confirmedForm = pending
            client.pending = nil
            return pending.id
        }
        let page = try connection.request("GET", "/", host: "127.0.0.1")
        guard let csrf = capture(#"name="csrf" value="([^"]+)""#, in: page.text) else {
            // Paid in a request whose answer the crash swallowed: nothing left to pay.
            if page.status == 200 && !page.text.contains("action=\"/pay\"")
                && !page.text.contains("action=\"/reactivate\"")
            {
                client.done = true
                return nil
            }
            throw ProofError("portal page without csrf: \(page.status) \(page.text.prefix(300))")
        }
        // Suspended: pay the overdue invoices; ended: reactivate for a month. Back online, the page
        // offers nothing to pay (prepayment is offered beside a suspension only) and the client is
        // done; the /prepay branch is there should the page ever offer it.
        let action: String
        var fields = [("csrf", htmlUnescape(csrf))]
        if client.reactivates && page.text.contains("action=\"/reactivate\"") {
            action = "/reactivate"
            fields.append(("months", "1"))
        } else if page.text.contains("action=\"/pay\"") {
            action = "/pay"
        } else if page.text.contains("action=\"/prepay\"") {
            action = "/prepay"
            fields.append(("months", "1"))
        } else {
            client.done = true
            return nil
        }
        let start = try connection.request(
            "POST", action, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: formEncode(fields),
            host: "127.0.0.1")
        guard start.status == 303, let location = start.header("Location"),
            let id = capture(#"/test-gateway/checkout/(chk_[0-9a-f]+)"#, in: location)
        else { throw ProofError("checkout start: \(start.status) \(start.text.prefix(300))") }
        let gateway = try connection.request("GET", "/test-gateway/checkout/\(id)", host: "127.0.0.1")
        var gatewayFields = [("outcome", "paid")]
        for name in ["amount", "currency", "signature"] {
            guard let value = capture(#"name="\#(name)" value="([^"]*)""#, in: gateway.text) else {
                throw ProofError("gateway page without \(name): \(gateway.status)")
            }
            gatewayFields.append((name, htmlUnescape(value)))
        }
        client.pending = (id, gatewayFields)
        return try step(&client, port: port)
    }

    @Test func confirmedPaymentsSurviveSIGKILLAtRandomMoments() throws {
        let started = Date()
        let minimumKills = try Self.minimumKills.value()
        let dir = try ProofDirectory("portico-crash")
        let database = dir.path + "/portico.db"
        let counts = Self.clientCounts(kills: minimumKills)
        var clients = try Self.prepare(database, suspendedCount: counts.suspended, endedCount: counts.ended)
        let serveArguments = [
            "serve", "--database", database, "--portal-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
            "--firewall", "off",
        ]
        let shared = Shared()
        let killer = Thread {
            var rng = SplitMix64(seed: 0x5EED_2026)
            var generation = 0
            while shared.killCount < minimumKills {
                generation += 1
                do {
                    let serve = try ServeProcess(serveArguments, in: dir, name: "serve-\(generation)")
                    // One kill in five lands during start-up (migrations, walled-garden rebuild).
                    if Int.random(in: 0..<5, using: &rng) == 0 {
                        usleep(UInt32.random(in: 0..<60_000, using: &rng))
                    } else {
                        shared.set(try serve.waitForBanner())
                        usleep(UInt32.random(in: 5_000..<250_000, using: &rng))
                    }
                    shared.set(nil)
                    serve.kill9()
                    shared.killed()
                } catch {
                    shared.fail("serve generation \(generation): \(error)")
                    return
                }
            }
            shared.finish()
        }
        killer.start()

        var confirmed: [String] = []
        var attempts = 0
        var failures = 0
        var next = 0
        // The clients' pace (seeded too): payments spread over the server's short lives.
        var pace = SplitMix64(seed: 0xC11E_2026)
        while !shared.isFinished {
            usleep(UInt32.random(in: 0..<200_000, using: &pace))
            guard let ports = shared.current() else {
                usleep(2_000)
                continue
            }
            let open = clients.indices.filter { !clients[$0].done }
            if open.isEmpty {
                // Everyone paid: portal pages until the kills are done.
                _ = try? TestConnection(
                    port: ports.portal, source: clients[next % clients.count].address, timeoutSeconds: 2
                )
                .request("GET", "/", host: "example.com")
                next += 1
                continue
            }
            let index = open[next % open.count]
            next += 1
            attempts += 1
            do {
                if let id = try Self.step(&clients[index], port: ports.portal) { confirmed.append(id) }
            } catch {
                failures += 1  // the server died under the request, or its CSRF key is another run's
            }
        }
        killer.cancel()
        if let failure = shared.failure { Issue.record(Comment(rawValue: failure)) }

        // Each client still pending re-posts its gateway form (a gateway's retry) on a last run.
        let token = try runCommand(
            ProofPaths.portico,
            [
                "api-token", "create", "--name", "proof", "--database", database,
                "--config", dir.path + "/empty.toml",
            ])
        try #require(token.status == 0, "\(token)")
        let bearer = token.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let last = try ServeProcess(serveArguments, in: dir, name: "serve-last")
        let ports = try last.waitForBanner()
        for index in clients.indices where clients[index].pending != nil {
            if let id = try? Self.step(&clients[index], port: ports.portal) { confirmed.append(id) }
        }
        // A confirmation replayed (the gateway's retry) is answered the same and changes nothing.
        for client in clients.prefix(5) {
            guard let form = client.confirmedForm else { continue }
            let replay = try TestConnection(port: ports.portal, source: client.address).request(
                "POST", "/test-gateway/checkout/\(form.id)",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: formEncode(form.fields), host: "127.0.0.1")
            #expect(replay.status == 303, "replay: \(replay.status) \(replay.text)")
        }

        let garden = try TestConnection(port: ports.admin).request(
            "GET", "/api/v1/walled-garden", headers: [("Authorization", "Bearer \(bearer)")], host: "127.0.0.1")
        try #require(garden.status == 200, "\(garden.status) \(garden.text)")
        let walled = Set(
            ((try JSONSerialization.jsonObject(with: Data(garden.body)) as? [String: Any])?["addresses"] as? [String]
                ?? []).map { $0.hasSuffix("/32") ? String($0.dropLast(3)) : $0 })

        // The database, read directly.
        let store = try Store(path: database)
        let paidIds = try runCommand("/usr/bin/sqlite3", [database, "SELECT id FROM checkouts WHERE status = 'paid'"])
            .output.split(separator: "\n").map(String.init)
        #expect(
            Set(confirmed).isSubset(of: Set(paidIds)), "confirmed but not paid: \(Set(confirmed).subtracting(paidIds))")
        #expect(Set(confirmed).count == confirmed.count, "a checkout confirmed twice as new")
        var paymentIds: Set<Int64> = []
        var paidClients: Set<Int64> = []
        for id in paidIds {
            let checkout = try store.checkout(id)
            #expect(checkout.status == .paid && checkout.paymentId != nil, "\(checkout)")
            if let p = checkout.paymentId {
                #expect(paymentIds.insert(p).inserted, "payment \(p) recorded for two checkouts")
            }
            paidClients.insert(checkout.clientId)
        }
        let payments = try store.payments()
        let gatewayPayments = payments.filter { !$0.reference.hasPrefix("setup-") }
        #expect(
            gatewayPayments.count == paidIds.count,
            "\(gatewayPayments.count) payments for \(paidIds.count) paid checkouts")
        let references = gatewayPayments.map(\.reference)
        #expect(Set(references).count == references.count, "duplicate gateway references: \(references)")
        let refs = try runCommand(
            "/usr/bin/sqlite3",
            [
                database,
                "SELECT COUNT(*) FROM checkouts WHERE gateway_reference IS NOT NULL GROUP BY gateway_reference HAVING COUNT(*) > 1",
            ])
        #expect(refs.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(refs.output)")

        // The walled garden is exactly the clients that have not paid; a paid client's request for a
        // foreign host goes through (no redirect to the portal).
        for client in clients {
            let paid = paidClients.contains(client.clientId)
            #expect(
                walled.contains(client.address) == !paid, "\(client.address) paid=\(paid) walled=\(walled.sorted())")
            if paid {
                #expect(try store.client(client.clientId).balanceDue == .zero || !walled.contains(client.address))
                let foreign = try TestConnection(port: ports.portal, source: client.address).request(
                    "GET", "/", host: "example.com")
                #expect(
                    foreign.status != 302 && foreign.status != 303 && foreign.status != 307,
                    "\(client.address): \(foreign.status)")
            }
        }
        store.close()
        last.kill9()

        let ledger = try runCommand(
            ProofPaths.portico, ["ledger", "check", "--database", database, "--config", dir.path + "/empty.toml"])
        #expect(ledger.status == 0, "\(ledger)")
        let integrity = try runCommand("/usr/bin/sqlite3", [database, "PRAGMA integrity_check"])
        #expect(integrity.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(integrity)")

        #expect(shared.killCount >= minimumKills)
        #expect(!confirmed.isEmpty)
        print(
            String(
                format:
                    "crash safety: %d kills, %d clients, %d confirmations (%d checkouts paid in the database), %d attempts, %d interrupted, %.1f s",
                shared.killCount, clients.count, confirmed.count, paidIds.count, attempts, failures,
                Date().timeIntervalSince(started))
        )
    }
}
