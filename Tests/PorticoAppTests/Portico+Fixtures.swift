import Foundation
import PorticoCore
import PorticoStore
import PorticoTestSupport

func d(_ s: String) -> LocalDate { try! LocalDate(s) }

typealias TempDirectory = TestDirectory
typealias Paths = RepositoryPaths

/// `portico` run as a subprocess, its output in files.
final class PorticoProcess {
    let process: ChildProcess
    let stdoutPath: String
    let stderrPath: String

    init(_ arguments: [String], in dir: TempDirectory, name: String = "portico", environment: [String: String] = [:])
        throws
    {
        stdoutPath = dir.path + "/\(name).out"
        stderrPath = dir.path + "/\(name).err"
        // Never the machine's /etc/portico/portico.toml: an empty file of the test's own.
        let empty = dir.path + "/empty.toml"
        FileManager.default.createFile(atPath: empty, contents: nil)
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("PORTICO_") && $0.key != "NOTIFY_SOCKET"
        }
        env["PORTICO_TEMPLATES"] = Paths.templates
        for (k, v) in environment { env[k] = v }
        process = try ChildProcess(
            [Paths.portico] + (arguments.contains("--config") ? arguments : arguments + ["--config", empty]),
            environment: env, output: .file(stdoutPath), error: .file(stderrPath))
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for the `serve` banner and returns (portal port, admin port).
    func waitForBanner(seconds: Double = 60) throws -> (portal: UInt16, admin: UInt16) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let out = stdout
            if let line = out.split(separator: "\n").first(where: { $0.hasPrefix("portal http://") }) {
                let ports = line.split(separator: " ").compactMap { part -> UInt16? in
                    guard let colon = part.lastIndex(of: ":") else { return nil }
                    return UInt16(
                        part[part.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: "/")))
                }
                if ports.count == 2 { return (ports[0], ports[1]) }
            }
            if let status = process.terminationStatus { throw FixtureError("portico exited (\(status)): \(stderr)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw FixtureError("no banner from portico in \(seconds) s: \(stderr)")
    }

    func signal(_ sig: Int32) { process.signal(sig) }

    /// Waits for the process to end; its exit status, or nil on time-out.
    func waitForExit(seconds: Double = 30) -> Int32? { process.waitForExit(seconds: seconds) }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs a command to completion; (status, stdout+stderr).
@discardableResult
func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
    try ChildProcess.run([executable] + arguments, input: input, mergeError: true)
}

/// `python3`, when it has the given modules (the Makefile's `deps` installs them).
func python(with modules: [String]) -> String? {
    for candidate in ["/usr/bin/env"] {
        if let r = try? run(candidate, ["python3", "-c", "import " + modules.joined(separator: ", ")]), r.status == 0 {
            return "python3"
        }
    }
    return nil
}

/// A plan, a client and a service from `from` on `address` (30.00 a month).
@discardableResult
func addClient(_ store: Store, name: String, address: String, from: LocalDate, email: String = "") throws -> Int64 {
    let plan = try store.plans().first ?? store.createPlan(Plan(name: "Home 30", monthlyPrice: 3000))
    let client = try store.createClient(ClientRecord(name: name, email: email))
    _ = try store.createService(
        NewService(clientId: client.id, planId: plan.id, activeFrom: from, addresses: [address]),
        on: from)
    return client.id
}
