import Foundation
import PorticoApp
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoTestSupport
import Synchronization
import Testing

/// The built `portico serve` as a subprocess: SIGTERM while a request is being handled.
@Suite struct LifecycleTests {
    /// A stand-in for Stripe's API that takes 2 s to refuse, so a checkout request is still in
    /// its handler when SIGTERM arrives.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    final class SlowStripe: Sendable {
        let server: HTTPServer
        let calls = Counter()
        var arrived: Int { calls.value.load(ordering: .relaxed) }

        init() throws {
            let calls = calls
            server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0)) { _ in
                calls.value.add(1, ordering: .relaxed)
                Thread.sleep(forTimeInterval: 2)
                return .json(#"{"error":{"type":"api_error","message":"slow and failing"}}"#, status: 400)
            }
            try server.start()
        }

        deinit { server.stop() }
    }

    @Test(.timeLimit(.minutes(2))) func sigtermMidRequestCompletesItAndExitsZero() throws {
        let dir = try TempDirectory("portico-lifecycle")
        let path = dir.path + "/p.db"
        let today = BillingScheduler.dueThrough(Date(), runAt: "00:05", timeZone: TimeZone(identifier: "UTC")!)
        do {
            let store = try Store(path: path)
            try addClient(store, name: "Sam", address: "127.0.0.71", from: today.adding(days: -60))
            store.close()
        }
        let stripe = try SlowStripe()
        let portico = try PorticoProcess(
            [
                "serve", "--database", path, "--portal-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                "--portal-url", "http://127.0.0.1", "--set", "gateway=stripe",
                "--set", "firewall.allowGatewayHosts=false",  // no real DNS lookups of Stripe's hosts
                "--set", "stripe.apiBase=http://127.0.0.1:\(stripe.server.port)",
            ],
            in: dir,
            environment: [
                "PORTICO_STRIPE_SECRET_KEY": "sk_test_lifecycle", "PORTICO_STRIPE_WEBHOOK_SECRET": "whsec_lifecycle",
            ])
        let ports = try portico.waitForBanner()

        let page = try TestConnection(port: ports.portal, source: "127.0.0.71").request("GET", "/", host: "127.0.0.1")
        #expect(page.status == 200)
        let csrf = try #require(
            page.text.range(of: "name=\"csrf\" value=\"").map {
                String(page.text[$0.upperBound...].prefix { $0 != "\"" })
            })
        let result = Mutex<(status: Int, text: String)?>(nil)
        let thread = Thread {
            do {
                let r = try TestConnection(port: ports.portal, source: "127.0.0.71", timeoutSeconds: 20).request(
                    "POST", "/pay", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                    body: Array("csrf=\(csrf)".utf8), host: "127.0.0.1")
                result.withLock { $0 = (r.status, r.text) }
            } catch {
                result.withLock { $0 = (0, "\(error)") }
            }
        }
        thread.start()
        let deadline = Date().addingTimeInterval(10)
        while stripe.arrived == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(stripe.arrived == 1, "the checkout never reached the fake Stripe")
        portico.signal(SIGTERM)
        Thread.sleep(forTimeInterval: 0.3)
        // Draining: new connections are refused while the request in flight goes on.
        #expect(throws: (any Error).self) {
            try TestConnection(port: ports.portal, source: "127.0.0.72", timeoutSeconds: 2).request(
                "GET", "/", host: "127.0.0.1")
        }
        #expect(portico.waitForExit(seconds: 30) == 0)
        while result.withLock({ $0 }) == nil { Thread.sleep(forTimeInterval: 0.01) }
        let response = try #require(result.withLock { $0 })
        #expect(response.status == 502)
        #expect(response.text.contains("Nothing was charged"))
        #expect(portico.stderr.contains("msg=\"listener draining\" listener=portal"))
        #expect(portico.stderr.contains("msg=\"portico stopped\""))
    }

    @Test func aBadConfigurationStopsTheStartWithKeyAndLine() throws {
        let dir = try TempDirectory("portico-lifecycle")
        let config = try dir.file("portico.toml", "[portal]\nlisten = \"127.0.0.1:0\"\n[admin]\nlisten = \"nowhere\"\n")
        let portico = try PorticoProcess(["serve", "--config", config, "--database", dir.path + "/p.db"], in: dir)
        #expect(portico.waitForExit() == 1)
        #expect(portico.stderr.contains("\(config):4: admin.listen: 'nowhere' is not HOST:PORT"))
    }

    @Test(.timeLimit(.minutes(1))) func sighupReloadsAndKeepsServing() throws {
        let dir = try TempDirectory("portico-lifecycle")
        let config = try dir.file("portico.toml", "log.level = \"info\"\nsmtp.pollSeconds = 10\nisp.name = \"A\"\n")
        let portico = try PorticoProcess(
            [
                "serve", "--config", config, "--database", dir.path + "/p.db",
                "--portal-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
            ], in: dir)
        let ports = try portico.waitForBanner()
        _ = try dir.file("portico.toml", "log.level = \"debug\"\nsmtp.pollSeconds = 5\nisp.name = \"B\"\n")
        portico.signal(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        while !portico.stderr.contains("msg=reloaded") && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(portico.stderr.contains("msg=reloaded keys=log.level,smtp.pollSeconds"))
        #expect(portico.stderr.contains("msg=\"configuration changes need a restart\" keys=isp.name"))
        let captive = try TestConnection(port: ports.portal, source: "127.0.0.1").request(
            "GET", "/api/captive", host: "127.0.0.1")
        #expect(captive.status == 200)
        portico.signal(SIGTERM)
        #expect(portico.waitForExit() == 0)
    }
}

/// `Type=notify`: the messages systemd reads from `$NOTIFY_SOCKET`.
@Suite struct SystemdNotifyTests {
    @Test(.timeLimit(.minutes(1))) func readyReloadingStopping() throws {
        let dir = try TempDirectory("portico-notify")
        let socketPath = dir.path + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in socketPath.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
        }

        let portico = try PorticoProcess(
            [
                "serve", "--database", dir.path + "/p.db", "--portal-listen", "127.0.0.1:0",
                "--admin-listen", "127.0.0.1:0",
            ], in: dir,
            environment: ["NOTIFY_SOCKET": socketPath, "JOURNAL_STREAM": "8:1234"])
        #expect(receive().hasPrefix("READY=1\nSTATUS=serving portal on"))
        portico.signal(SIGHUP)
        #expect(receive().hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(receive() == "READY=1")
        portico.signal(SIGTERM)
        #expect(receive().hasPrefix("STOPPING=1"))
        #expect(portico.waitForExit() == 0)
        // Under journald each line starts with its syslog priority and has no time stamp.
        #expect(portico.stderr.contains("<6>level=info msg=\"portico started\""))
        #expect(!portico.stderr.contains("ts="))
    }
}
