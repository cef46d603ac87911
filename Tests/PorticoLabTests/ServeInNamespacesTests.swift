import Foundation
import PorticoTestSupport
import Testing

// The real `portico serve` (this run's .build/debug/portico) in the router namespace of a
// client → router → internet topology, with `--firewall nftables`; the client speaks HTTP and DNS
// as a browser and a phone's resolver would. Root only; each test builds and removes its own
// namespaces.
@Suite(.enabled(if: ServeLab.available, ServeLab.skipComment), .serialized)
struct ServeInNamespacesTests {
    @Test func suspendedClientIsWalledInUntilItPaysThroughTheTestGateway() throws {
        try Topology.with { lab in
            let database = try ServeLab.prepareDatabase(in: try lab.temporaryDirectory("e2e-db"))
            let tls = try ServeLab.tlsFlags(in: try lab.temporaryDirectory("e2e-tls"))
            let log = try ServeLab.start(&lab, database: database, extraFlags: tls)
            let serveLog = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

            // Both listeners: the portal's HTTPS one answers the client through the walled garden,
            // and RFC 8908 names it; the plain one keeps the DNAT-ed redirects (below).
            let captive = try lab.fetch("https://10.10.0.1:8443/api/captive", extra: ["-k"])
            #expect(captive.body.contains("\"captive\":true"), "\(captive)")
            #expect(captive.body.contains("\"user-portal-url\":\"https://10.10.0.1:8443/\""), "\(captive)")
            #expect(try lab.fetch("https://10.10.0.1:8443/", extra: ["-k"]).body.contains("name=\"csrf\""))
            #expect(serveLog().contains("portal_tls=") && serveLog().contains("10.10.0.1:8443"), "\(serveLog())")

            // Port 80 to a foreign host: DNAT to the portal, 302 to its page, and the page itself.
            let redirect = try lab.fetch("http://10.20.0.2/", extra: ["-i"])
            #expect(redirect.body.hasPrefix("HTTP/1.1 302"), "\(redirect)")
            #expect(redirect.body.contains("Location: http://10.10.0.1:8080/"), "\(redirect)")
            #expect(!redirect.body.contains("INTERNET"))
            let page = try lab.fetch("http://10.20.0.2/", extra: ["-L"])
            #expect(page.body.contains("action=\"/pay\"") && page.body.contains("name=\"csrf\""), "\(page.body)")

            // HTTPS: a TCP reset at once (curl 7), not a timeout.
            #expect(try lab.fetch("https://10.20.0.2/").status == 7)

            // DNS through the one allowed resolver; the name's host is walled in like any other.
            let resolved = try Lab.run("ip", "netns", "exec", lab.client, "getent", "ahostsv4", "shop.example")
            #expect(resolved.status == 0 && resolved.output.contains("10.20.0.2"), "\(resolved)")
            let byName = try lab.fetch("http://shop.example/", extra: ["-i"])
            #expect(byName.body.contains("Location: http://10.10.0.1:8080/"), "\(byName)")

            // A paying client on the same link goes straight through.
            let active = try lab.fetch("http://10.20.0.2/", extra: ["--interface", ServeLab.activeAddress])
            #expect(active.status == 0 && active.body.contains("INTERNET"), "\(active)")

            // A keep-alive connection to the portal through the DNAT, opened before paying.
            let scratch = try lab.temporaryDirectory("keepalive")
            let out = scratch.appendingPathComponent("out").path
            let go = scratch.appendingPathComponent("go").path
            try lab.startBackground(in: lab.client, ["python3", "-c", ServeLab.keepAliveScript(out: out, go: go)])
            var answers: [String] = []
            for _ in 0..<50 where answers.count < 2 {
                usleep(100_000)
                answers = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").map(
                    String.init)
            }
            try #require(answers.count == 2, "keep-alive connection: \(answers)")
            #expect(answers.allSatisfy { $0.contains("302") && $0.contains("10.10.0.1:8080") }, "\(answers)")

            // Pay the overdue invoices through the test gateway, as the browser would.
            let portal = "http://10.10.0.1:8080"
            let form = try lab.fetch(portal + "/").body
            let csrf = try #require(ServeLab.capture(#"name="csrf" value="([^"]+)""#, in: form), "no csrf in \(form)")
            let pay = try lab.fetch(portal + "/pay", extra: ["-i", "--data-urlencode", "csrf=\(csrf)"])
            let gatewayPath = try #require(
                ServeLab.capture(#"Location: (\S*/test-gateway/checkout/chk_[0-9a-f]+)"#, in: pay.body), "\(pay.body)")
            let checkoutId = try #require(ServeLab.capture(#"(chk_[0-9a-f]+)"#, in: gatewayPath))
            let gatewayPage = try lab.fetch(gatewayPath.hasPrefix("http") ? gatewayPath : portal + gatewayPath).body
            #expect(gatewayPage.contains("TEST MODE"))
            var fields = ["outcome=paid"]
            for name in ["amount", "currency", "signature"] {
                let value = try #require(
                    ServeLab.capture(#"name="\#(name)" value="([^"]*)""#, in: gatewayPage), "\(name) in \(gatewayPage)")
                fields.append("\(name)=\(value)")
            }
            let confirm = try lab.fetch(
                portal + "/test-gateway/checkout/\(checkoutId)",
                extra: ["-i"] + fields.flatMap { ["--data-urlencode", $0] })
            #expect(confirm.body.hasPrefix("HTTP/1.1 303"), "\(confirm.body)")
            #expect(try lab.fetch(portal + "/checkout/\(checkoutId)").body.contains("back online"))

            // Released before the gateway's answer returned: the next request reaches the host.
            let after = try lab.fetch("http://10.20.0.2/")
            #expect(after.status == 0 && after.body.contains("INTERNET"), "\(after)\n\(serveLog())")
            #expect(try lab.fetch("https://10.20.0.2/").status == 7)  // refused by the host itself: nothing on 443
            // The connection opened before the payment no longer reaches the portal.
            _ = FileManager.default.createFile(atPath: go, contents: nil)
            for _ in 0..<60 where answers.count < 3 {
                usleep(100_000)
                answers = ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").map(
                    String.init)
            }
            try #require(answers.count == 3, "keep-alive connection: \(answers)")
            // Its conntrack entry went with the release: the next segment is forwarded to the real
            // host, which knows no such connection and resets it (a browser then reconnects).
            #expect(answers[2] == "RESET", "\(answers)")

            // The kernel and the database agree (read from outside, through --netns).
            let status = try ServeLab.firewall("status", lab, database: database)
            #expect(status.status == 0 && status.output.contains("drift: none"), "\(status.output)")
        }
    }

    @Test func reconcilerRestoresATableFlushedBehindPorticosBack() throws {
        try Topology.with { lab in
            let database = try ServeLab.prepareDatabase(in: try lab.temporaryDirectory("e2e-db"))
            let log = try ServeLab.start(&lab, database: database, reconcileInterval: 1)
            #expect(try lab.fetch("http://10.20.0.2/", extra: ["-i"]).body.contains("Location: http://10.10.0.1:8080/"))

            let flush = try Lab.run("ip", "netns", "exec", lab.router, "nft", "flush", "table", "inet", "portico")
            try #require(flush.status == 0)
            // Within a few reconciler passes the client is redirected again.
            var redirected = false
            for _ in 0..<50 where !redirected {
                usleep(100_000)
                redirected = try lab.fetch("http://10.20.0.2/", extra: ["-i"]).body.contains(
                    "Location: http://10.10.0.1:8080/")
            }
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(redirected, "\(text)")
            #expect(text.contains("walled garden drift repaired") && text.contains("rebuilt=true"), "\(text)")
            let status = try ServeLab.firewall("status", lab, database: database)
            #expect(status.status == 0, "\(status.output)")
        }
    }

    @Test func firewallStatusReportsDriftAndSyncRepairsIt() throws {
        try Topology.with { lab in
            let database = try ServeLab.prepareDatabase(in: try lab.temporaryDirectory("e2e-db"))
            let missing = try ServeLab.firewall("status", lab, database: database)
            #expect(missing.status == 1 && missing.output.contains("table inet portico MISSING"), "\(missing.output)")

            let built = try ServeLab.firewall("sync", lab, database: database)
            #expect(built.status == 0 && built.output.contains("rebuilt"), "\(built.output)")
            #expect(built.output.contains("suspended added (1): 10.10.0.2"), "\(built.output)")
            let clean = try ServeLab.firewall("status", lab, database: database)
            #expect(clean.status == 0 && clean.output.contains("drift: none"), "\(clean.output)")
            #expect(clean.output.contains("suspended sets: 1 in the kernel, 1 in the database"), "\(clean.output)")

            // Behind Portico's back: the suspended client deleted, a stranger added.
            for (verb, address) in [("delete", "10.10.0.2"), ("add", "10.10.0.99")] {
                let r = try Lab.run(
                    "ip", "netns", "exec", lab.router, "nft", verb, "element", "inet", "portico", "suspended4_hosts",
                    "{ \(address) }")
                try #require(r.status == 0, "nft \(verb) element \(address)")
            }
            let drift = try ServeLab.firewall("status", lab, database: database)
            #expect(drift.status == 1, "\(drift.output)")
            #expect(drift.output.contains("in the database, not in the kernel (1): 10.10.0.2"), "\(drift.output)")
            #expect(drift.output.contains("in the kernel, not in the database (1): 10.10.0.99"), "\(drift.output)")

            let repaired = try ServeLab.firewall("sync", lab, database: database)
            #expect(repaired.output.contains("suspended added (1): 10.10.0.2"), "\(repaired.output)")
            #expect(repaired.output.contains("suspended removed (1): 10.10.0.99"), "\(repaired.output)")
            #expect(!repaired.output.contains("rebuilt"), "\(repaired.output)")
            #expect(try ServeLab.firewall("status", lab, database: database).status == 0)
            #expect(try ServeLab.firewall("sync", lab, database: database).output.contains("nothing to repair"))
        }
    }

    /// deploy/router-sync on another router (the internet namespace stands in for it), polling the
    /// admin API of the serve in the router namespace.
    @Test func routerSyncScriptLoadsTheListAndFollowsChanges() throws {
        try Topology.with { lab in
            let scratch = try lab.temporaryDirectory("router-sync")
            let database = try ServeLab.prepareDatabase(in: scratch)
            let token = try Lab.run([ServeLab.binary!.path, "api-token", "create", "--database", database.path])
            try #require(token.status == 0)
            let tokenFile = scratch.appendingPathComponent("token")
            try Data(token.output.utf8).write(to: tokenFile)
            _ = try ServeLab.start(&lab, database: database, adminListen: "10.20.0.1:8081")
            let router = lab.router
            let other = lab.internet
            let sync = {
                try Lab.run(
                    [
                        "ip", "netns", "exec", other, "env", "PORTICO_URL=http://10.20.0.1:8081",
                        "PORTICO_TOKEN_FILE=\(tokenFile.path)", "STATE_DIR=\(scratch.path)/state", "sh",
                        ServeLab.routerSync.path,
                    ], stderr: true)
            }
            let set = {
                try Lab.run("ip", "netns", "exec", other, "nft", "list", "set", "inet", "walled_garden", "suspended4")
                    .output
            }
            let first = try sync()
            #expect(first.status == 0, "\(first.output)")
            let loaded = try set()
            #expect(loaded.contains("elements = { 10.10.0.2 }"), "\(loaded)")

            // Unchanged list: 304, nothing reloaded (an element added by hand stays).
            try #require(
                try Lab.run(
                    "ip", "netns", "exec", other, "nft", "add", "element", "inet", "walled_garden", "suspended4",
                    "{ 192.0.2.1 }"
                ).status == 0)
            #expect(try sync().status == 0)
            #expect(try set().contains("192.0.2.1"))

            // Released in Portico: the next poll loads the new (empty) list in one transaction.
            let release = try Lab.run(
                "ip", "netns", "exec", router, "curl", "-sf", "-X", "POST", "-H",
                "Authorization: Bearer \(token.output.trimmingCharacters(in: .whitespacesAndNewlines))",
                "--data", #"{"reason":"test"}"#,
                "http://10.20.0.1:8081/api/v1/services/\(database.suspendedServiceId)/release")
            #expect(release.status == 0, "\(release.output)")
            #expect(try sync().status == 0)
            let after = try set()
            #expect(
                !after.contains("10.10.0.2") && !after.contains("192.0.2.1") && after.contains("set suspended4"),
                "\(after)")
        }
    }

    /// deploy/dnsmasq.md: dnsmasq on the router resolves for the clients and, with `nftset=`, adds
    /// the allowlist's addresses to `allowed4_dns` as they are resolved; the reconciler leaves them.
    @Test(
        .enabled(
            if: ServeLab.dnsmasqUnavailableReason == nil, Comment(rawValue: ServeLab.dnsmasqUnavailableReason ?? "")))
    func dnsmasqFillsTheAllowedSetAsClientsResolveTheName() throws {
        try Topology.with { lab in
            let scratch = try lab.temporaryDirectory("dnsmasq")
            let database = try ServeLab.prepareDatabase(in: scratch)
            try lab.addAddress("\(ServeLab.paymentHost)/24", in: lab.internet)
            try lab.startHTTPServer(in: lab.internet, address: ServeLab.paymentHost, port: 80, marker: "GATEWAY")
            _ = try ServeLab.start(&lab, database: database, reconcileInterval: 1, clientResolver: "10.10.0.1")
            // dnsmasq daemonizes itself here: in the foreground under Foundation's Process it closes
            // the descriptor Foundation watches, and Foundation then blocks in waitpid on it,
            // hanging every later Process of this test run.
            let pidFile = scratch.appendingPathComponent("dnsmasq.pid").path
            let dnsmasq = try Lab.run(
                [
                    "ip", "netns", "exec", lab.router, "dnsmasq", "--no-resolv", "--no-hosts", "--user=root",
                    "--port=53", "--listen-address=10.10.0.1", "--bind-interfaces", "--pid-file=\(pidFile)",
                    "--server=\(ServeLab.dnsAddress)", "--nftset=/pay.example/4#inet#portico#allowed4_dns",
                ], stderr: true)
            try #require(dnsmasq.status == 0, "dnsmasq: \(dnsmasq.output)")
            defer {
                if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                    let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
                {
                    kill(pid, SIGKILL)
                }
            }
            // Before any lookup the payment host is walled in like any other.
            let before = try lab.fetch("http://\(ServeLab.paymentHost)/", extra: ["-i"])
            #expect(before.body.contains("Location: http://10.10.0.1:8080/"), "\(before)")

            var resolved = (status: Int32(-1), output: "")
            for _ in 0..<30 where resolved.status != 0 {
                resolved = try Lab.run("ip", "netns", "exec", lab.client, "getent", "ahostsv4", "pay.example")
                if resolved.status != 0 { usleep(100_000) }
            }
            #expect(resolved.output.contains(ServeLab.paymentHost), "\(resolved)")
            let set = try Lab.run(
                "ip", "netns", "exec", lab.router, "nft", "list", "set", "inet", "portico", "allowed4_dns")
            #expect(set.output.contains(ServeLab.paymentHost), "\(set.output)")
            let byName = try lab.fetch("http://pay.example/")
            #expect(byName.status == 0 && byName.body.contains("GATEWAY"), "\(byName)")
            // Other hosts stay walled in; a few reconciler passes later the address is still allowed.
            #expect(try lab.fetch("http://10.20.0.2/", extra: ["-i"]).body.contains("Location: http://10.10.0.1:8080/"))
            usleep(2_500_000)
            #expect(try lab.fetch("http://pay.example/").body.contains("GATEWAY"))
            let status = try ServeLab.firewall("status", lab, database: database)
            #expect(status.status == 0, "\(status.output)")
        }
    }
}
