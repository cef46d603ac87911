import Foundation
import PorticoCore
import PorticoStore
import PorticoTestSupport
import PorticoWebSupport
import Testing

/// The end-to-end lab: the `portico` binary this test run built, serving inside the router
/// namespace of a `Topology` with `--firewall nftables`.
///
/// Addresses: client namespace 10.10.0.2 (suspended) and 10.10.0.3 (active) on `c0`; router
/// 10.10.0.1 (portal on :8080, admin on its own 127.0.0.1:8081); internet host 10.20.0.2 (HTTP
/// on :80, marker INTERNET) and 10.20.0.53 (a tiny DNS responder answering every A query with
/// 10.20.0.2), the only resolver suspended clients may use.
enum ServeLab {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `.build/<triple>/debug/portico`: next to this test binary, or under the package's `.build/debug`.
    static let binary: URL? = {
        var candidates: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("portico"))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/portico"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static let templates = packageRoot.appendingPathComponent("templates")

    static let unavailableReason: String? = {
        if let reason = Lab.trafficUnavailableReason { return reason }
        guard binary != nil else {
            return
                "the portico binary is not built (run `swift build --build-tests`, which builds .build/debug/portico)"
        }
        guard FileManager.default.fileExists(atPath: templates.appendingPathComponent("portal/page.mustache").path)
        else {
            return "templates/ not found at \(templates.path)"
        }
        return nil
    }()
    static var available: Bool { unavailableReason == nil }
    static var skipComment: Comment { Comment(rawValue: unavailableReason ?? "") }

    static let suspendedAddress = "10.10.0.2"
    static let activeAddress = "10.10.0.3"
    static let dnsAddress = "10.20.0.53"
    /// Where the DNS responder sends `pay.example` (the dnsmasq test serves a page there).
    static let paymentHost = "10.20.0.80"

    static let dnsmasqUnavailableReason: String? = {
        if let reason = unavailableReason { return reason }
        guard (try? Lab.run("sh", "-c", "command -v dnsmasq"))?.status == 0 else {
            return "dnsmasq is not installed (make deps installs dnsmasq-base)"
        }
        return nil
    }()

    /// The flags `serve` and `firewall status|sync` share in this lab.
    static let walledGardenFlags = [
        "--portal-listen", "10.10.0.1:8080", "--client-interface", "r0", "--dns-server", dnsAddress,
    ]

    struct Database {
        let path: String
        let suspendedServiceId: Int64
        let activeServiceId: Int64
    }

    /// A database with one client suspended for unpaid invoices (10.10.0.2) and one paying
    /// client (10.10.0.3), billed through today.
    static func prepareDatabase(in directory: URL) throws -> Database {
        let path = directory.appendingPathComponent("portico.db").path
        let store = try Store(path: path)
        defer { store.close() }
        let today = try InstallationClock(timeZone: store.settings.billing.timeZone).today()
        let plan = try store.createPlan(Plan(name: "Home 30", monthlyPrice: 3000, billingPeriods: [1, 3]))
        let start = today.addingMonths(-3)
        let owing = try store.createClient(ClientRecord(name: "Sam Suspended", email: "sam@example.net"))
        let suspended = try store.createService(
            NewService(clientId: owing.id, planId: plan.id, activeFrom: start, addresses: [suspendedAddress]),
            on: start)
        let paying = try store.createClient(ClientRecord(name: "Ana Active", email: "ana@example.net"))
        let active = try store.createService(
            NewService(clientId: paying.id, planId: plan.id, activeFrom: start, addresses: [activeAddress]),
            on: start)
        _ = try store.runBilling(through: today.adding(days: -1))
        let due = try store.client(paying.id).balanceDue
        if due > .zero {
            _ = try store.recordPayment(
                clientId: paying.id, amount: due + 3000, receivedOn: today.adding(days: -1), method: "cash",
                reference: "lab")
        }
        _ = try store.runBilling(through: today)
        let stopped = try store.stoppedAddresses()
        guard stopped == [try IPPrefix(suspendedAddress)] else {
            throw LabError("the prepared database stops \(stopped), not only \(suspendedAddress)")
        }
        return Database(path: path, suspendedServiceId: suspended.id, activeServiceId: active.id)
    }

    /// Builds the internet side (HTTP server, DNS responder), the active client's address and the
    /// client's resolver, then starts `portico serve` in the router and waits for the portal.
    /// Returns the serve log's path.
    static func start(
        _ lab: inout Topology, database: Database, reconcileInterval: Int = 60, adminListen: String = "127.0.0.1:8081",
        clientResolver: String = dnsAddress, extraFlags: [String] = []
    ) throws -> URL {
        try lab.addAddress("\(activeAddress)/24", in: lab.client)
        try lab.addAddress("\(dnsAddress)/24", in: lab.internet)
        try lab.setResolver(clientResolver, for: lab.client)
        try lab.startHTTPServer(in: lab.internet, address: "10.20.0.2", port: 80, marker: "INTERNET")
        try lab.startBackground(
            in: lab.internet, ["python3", dnsResponder.path, dnsAddress, "10.20.0.2", "pay.example=\(paymentHost)"])
        try lab.waitForUDP(dnsAddress, port: 53, in: lab.internet)
        let log = try lab.temporaryDirectory("serve-log").appendingPathComponent("serve.log")
        let serve = try lab.startBackground(
            in: lab.router,
            [
                binary!.path, "serve", "--database", database.path, "--admin-listen", adminListen,
                "--firewall", "nftables", "--templates", templates.path, "--reconcile-interval",
                String(reconcileInterval),
            ] + walledGardenFlags + extraFlags, log: log)
        for _ in 0..<100 {
            if try lab.fetch("http://10.10.0.1:8080/api/captive").body.contains("captive") { return log }
            guard serve.isRunning else { break }
            usleep(100_000)
        }
        throw LabError("portico serve did not come up: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// `serve` flags for the portal's HTTPS listener on 10.10.0.1:8443 with a self-signed
    /// certificate made in `directory` (issue 12 item 10: the lab runs with both listeners).
    static func tlsFlags(in directory: URL) throws -> [String] {
        let key = directory.appendingPathComponent("portal.key").path
        let certificate = directory.appendingPathComponent("portal.pem").path
        let made = try Lab.run(
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=10.10.0.1")
        guard made.status == 0 else { throw LabError("openssl failed: \(made.output)") }
        return [
            "--set", "portal.tlsCertificate=\(certificate)", "--set", "portal.tlsKey=\(key)", "--set",
            "portal.tlsListen=10.10.0.1:8443",
        ]
    }

    /// `portico firewall …` run from the host's namespace against the router's (`--netns`).
    static func firewall(_ command: String, _ lab: Topology, database: Database) throws -> (
        status: Int32, output: String
    ) {
        try Lab.run(
            [binary!.path, "firewall", command, "--database", database.path, "--netns", lab.router] + walledGardenFlags,
            stderr: true)
    }

    /// The lab's DNS responder (every A query answered with one address): deploy/lab/dns-responder.py.
    static let dnsResponder = packageRoot.appendingPathComponent("deploy/lab/dns-responder.py")

    /// The router-sync recipe's script (deploy/router-sync).
    static let routerSync = packageRoot.appendingPathComponent("deploy/router-sync/portico-walled-garden-sync")

    /// A client connection opened now through the DNAT (to 10.20.0.2:80, so to the portal) and
    /// kept alive: two requests on it, each answer's status line and Location written to `out`;
    /// then it waits until `go` exists, sends a third request on the same connection, and appends
    /// what happened: the status line, RESET, CLOSED or TIMEOUT.
    static func keepAliveScript(out: String, go: String) -> String {
        """
        import os, socket, time
        s = socket.create_connection(('10.20.0.2', 80), timeout=3)
        req = b'GET / HTTP/1.1\\r\\nHost: news.example\\r\\n\\r\\n'
        def ask():
            s.settimeout(3)
            s.sendall(req)
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                return 'RESET'
            except socket.timeout:
                return 'TIMEOUT'
            if not data:
                return 'CLOSED'
            # The rest of this answer (a body sent apart from the head), so it is not read as the next one.
            s.settimeout(0.3)
            try:
                while s.recv(65536):
                    pass
            except (socket.timeout, ConnectionResetError):
                pass
            lines = data.split(b'\\r\\n')
            return b' '.join([lines[0]] + [l for l in lines if l.lower().startswith(b'location')]).decode()
        with open('\(out)', 'w') as f:
            f.write(ask() + '\\n')
            f.write(ask() + '\\n')
        while not os.path.exists('\(go)'):
            time.sleep(0.05)
        with open('\(out)', 'a') as f:
            f.write(ask() + '\\n')
        """
    }

    /// The first match of `pattern`'s first group in `text`.
    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }
}
