import Foundation
import Logging
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoTestSupport
import PorticoWebSupport
import Testing

@testable import PorticoApp

@Suite struct MetricsTests {
    /// A server on loopback with one suspended client (127.0.0.81), run through today.
    static func server(_ dir: TempDirectory) throws -> PorticoServer {
        let path = dir.path + "/p.db"
        let noon = ISO8601DateFormatter().date(from: "2027-06-30T12:00:00Z")!
        do {
            let store = try Store(path: path)
            try addClient(store, name: "Sam", address: "127.0.0.81", from: d("2027-03-01"))
            store.close()
        }
        var c = PorticoConfiguration()
        c.databasePath = path
        c.portalListen = ListenAddress(host: "127.0.0.1", port: 0)
        c.adminListen = ListenAddress(host: "127.0.0.1", port: 0)
        c.portalURL = "http://portal.test"
        c.templatesDirectory = Paths.templates
        let server = try PorticoServer(
            configuration: c, logger: Logger(label: "test"),
            clock: try InstallationClock(timeZone: "UTC", now: { noon }))
        try server.start()
        return server
    }

    @Test func metricsCountRequestsAndParseAsPrometheusText() throws {
        let dir = try TempDirectory("portico-metrics")
        let server = try Self.server(dir)
        defer { server.stop() }
        let portal = { (source: String, path: String, host: String) in
            try TestConnection(port: server.portalPort, source: source).request("GET", path, host: host)
        }
        #expect(try portal("127.0.0.81", "/generate_204", "connectivitycheck.gstatic.com").status == 302)
        #expect(try portal("127.0.0.81", "/api/captive", "portal.test").status == 200)
        #expect(try portal("127.0.0.1", "/no/such/page/\(UUID())", "portal.test").status == 404)
        let unauthorized = try TestConnection(port: server.adminPort, source: "127.0.0.1").request(
            "GET", "/api/v1/clients/42", host: "127.0.0.1")
        #expect(unauthorized.status == 401)
        _ = try server.deliverMail()
        server.reconcileOnce()

        let response = try TestConnection(port: server.adminPort, source: "127.0.0.1").request(
            "GET", "/metrics", host: "127.0.0.1")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = response.text
        #expect(text.contains(#"portico_http_requests_total{listener="portal",route="foreign",status="302"} 1"#))
        #expect(text.contains(#"portico_http_requests_total{listener="portal",route="/api/captive",status="200"} 1"#))
        #expect(text.contains(#"portico_http_requests_total{listener="portal",route="unmatched",status="404"} 1"#))
        #expect(
            text.contains(#"portico_http_requests_total{listener="admin",route="/api/v1/clients/{id}",status="401"} 1"#)
        )
        #expect(text.contains("portico_walled_garden_stopped_addresses 1\n"))
        #expect(text.contains(#"portico_outbox_messages{status="queued"} 0"#))
        #expect(text.contains("portico_billing_run_duration_seconds_count 1\n"))
        #expect(text.contains(#"portico_reconciler_runs_total{outcome="clean"} 1"#))
        #expect(!text.contains("\n\n"))

        let strict = try PrometheusText.validate(text)
        #expect(strict.families >= 15)

        guard python(with: ["prometheus_client"]) != nil else {
            Issue.record("python3 with prometheus_client is missing (make deps installs it)")
            return
        }
        let parser = #"""
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                out[family.name] = {"type": family.type, "samples": len(family.samples)}
            print(json.dumps(out))
            """#
        let parsed = try run("/usr/bin/env", ["python3", "-c", parser], input: text)
        try #require(parsed.status == 0, "prometheus_client refused the text: \(parsed.output)")
        let families = try #require(
            try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [String: [String: Any]])
        #expect(families["portico_http_requests"]?["type"] as? String == "counter")
        #expect(families["portico_http_request_duration_seconds"]?["type"] as? String == "histogram")
        #expect(families["portico_walled_garden_stopped_addresses"]?["type"] as? String == "gauge")
        for name in [
            "portico_walled_garden_releases", "portico_walled_garden_release_duration_seconds",
            "portico_reconciler_repairs", "portico_billing_run_duration_seconds", "portico_outbox_messages",
        ] {
            #expect(families[name] != nil, "\(name) missing")
        }
    }

    @Test func labelValuesAreEscaped() throws {
        let registry = MetricsRegistry()
        let c = registry.counter("x_events", "Help with \\ and\nnewline.", labels: ["path"])
        c.increment(["a\"b\\c\nd"])
        let text = registry.render()
        #expect(text.contains(#"x_events_total{path="a\"b\\c\nd"} 1"#))
        #expect(text.contains(#"# HELP x_events Help with \\ and\nnewline."#))
        _ = try PrometheusText.validate(text)
    }
}

/// A strict reader of the text exposition format 0.0.4 (Prometheus's "Exposition formats"):
/// every sample belongs to the family announced by the last `# TYPE`, names and labels are
/// well formed, values are floats, histograms have cumulative buckets ending in `+Inf` equal to
/// `_count`.
enum PrometheusText {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func validate(_ text: String) throws -> (families: Int, samples: Int) {
        guard text.hasSuffix("\n") else { throw Problem(description: "no final newline") }
        var family: (name: String, type: String)?
        var families = 0
        var samples = 0
        var buckets: [String: [(Double, Double)]] = [:]
        var counts: [String: Double] = [:]
        func isName(_ s: Substring) -> Bool {
            guard let f = s.first, f.isLetter || f == "_" || f == ":" else { return false }
            return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let line = Substring(raw)
            if line.hasPrefix("# HELP ") { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, isName(parts[2]),
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
                else { throw Problem(description: "bad TYPE line: \(line)") }
                family = (String(parts[2]), String(parts[3]))
                families += 1
                continue
            }
            guard let f = family else { throw Problem(description: "sample before any TYPE: \(line)") }
            var i = line.startIndex
            while i < line.endIndex, line[i] != "{", line[i] != " " { i = line.index(after: i) }
            let name = line[line.startIndex..<i]
            guard isName(name) else { throw Problem(description: "bad metric name: \(line)") }
            let suffixes =
                f.type == "counter" ? ["_total"] : f.type == "histogram" ? ["_bucket", "_sum", "_count"] : [""]
            guard suffixes.contains(where: { name == f.name + $0 }) else {
                throw Problem(description: "\(name) does not belong to \(f.name) (\(f.type))")
            }
            var labels: [String: String] = [:]
            if i < line.endIndex, line[i] == "{" {
                i = line.index(after: i)
                while line[i] != "}" {
                    var j = i
                    while line[j] != "=" { j = line.index(after: j) }
                    let label = line[i..<j]
                    guard isName(label), line[line.index(after: j)] == "\"" else {
                        throw Problem(description: "bad label: \(line)")
                    }
                    var k = line.index(j, offsetBy: 2)
                    var value = ""
                    while line[k] != "\"" {
                        if line[k] == "\\" {
                            k = line.index(after: k)
                            guard ["\\", "\"", "n"].contains(line[k]) else {
                                throw Problem(description: "bad escape: \(line)")
                            }
                            value.append(line[k] == "n" ? "\n" : line[k])
                        } else {
                            value.append(line[k])
                        }
                        k = line.index(after: k)
                    }
                    labels[String(label)] = value
                    i = line.index(after: k)
                    if line[i] == "," { i = line.index(after: i) }
                }
                i = line.index(after: i)
            }
            guard i < line.endIndex, line[i] == " " else { throw Problem(description: "no value: \(line)") }
            let valueText = line[line.index(after: i)...]
            guard let value = Double(valueText == "+Inf" ? "inf" : valueText == "-Inf" ? "-inf" : String(valueText))
            else {
                throw Problem(description: "bad value: \(line)")
            }
            samples += 1
            if f.type == "histogram" {
                var key = labels
                key["le"] = nil
                let series = f.name + key.sorted { $0.key < $1.key }.description
                if name.hasSuffix("_bucket") {
                    guard let le = labels["le"], let bound = Double(le == "+Inf" ? "inf" : le) else {
                        throw Problem(description: "bucket without le: \(line)")
                    }
                    if let last = buckets[series]?.last, last.0 >= bound || last.1 > value {
                        throw Problem(description: "buckets not increasing: \(line)")
                    }
                    buckets[series, default: []].append((bound, value))
                } else if name.hasSuffix("_count") {
                    counts[series] = value
                }
            }
        }
        for (series, b) in buckets {
            guard b.last?.0 == .infinity, b.last?.1 == counts[series] else {
                throw Problem(description: "\(series): +Inf bucket missing or not equal to _count")
            }
        }
        return (families, samples)
    }
}

/// The request series are kept per thread and summed when scraped: nothing may be lost across
/// threads, and the route-label budget still holds over all of them.
@Suite struct RequestSeriesTests {
    @Test func threadsCountIntoOneTotalAndTheLabelBudgetHolds() throws {
        let metrics = PorticoMetrics()
        let handler = metrics.instrument(listener: "portal", ownHosts: []) { request in
            HTTPResponse(status: request.path == "/missing" ? 404 : 200)
        }
        let threads = 4
        let perThread = 5_000
        let done = DispatchGroup()
        for t in 0..<threads {
            done.enter()
            Thread.detachNewThread {
                for i in 0..<perThread {
                    // 150 distinct paths (a scanner), and a 404 every tenth request.
                    let path = i % 10 == 0 ? "/missing" : "/page\((i * 7 + t) % 150)x"
                    _ = handler(HTTPRequest(method: "GET", path: path))
                }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 60) == .success)

        let text = metrics.registry.render()
        let lines = text.split(separator: "\n").filter {
            $0.hasPrefix("portico_http_requests_total{listener=\"portal\"")
        }
        let total = lines.compactMap { Double($0.split(separator: " ").last!) }.reduce(0, +)
        #expect(total == Double(threads * perThread))
        let routes = Set(lines.map { $0.split(separator: "route=\"")[1].split(separator: "\"")[0] })
        #expect(routes.contains("unmatched"))
        #expect(routes.contains("other"))
        #expect(routes.count <= RouteLabel.limit + 2, "\(routes.count) route labels")
        #expect(metrics.requests.value(["portal", "unmatched", "404"]) == Double(threads * perThread / 10))
        #expect(metrics.requestDuration.count(["portal", "unmatched"]) == UInt64(threads * perThread / 10))
        _ = try PrometheusText.validate(text)
    }
}
