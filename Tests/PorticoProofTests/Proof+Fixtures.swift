import Foundation
import PorticoTestSupport

#if canImport(Glibc)
    import Glibc
#endif

typealias ProofDirectory = TestDirectory
typealias ProofPaths = RepositoryPaths

struct ProofError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// How big a proof is: an environment variable (the long forms, `make proof-long`) or the
/// short form's default. Read when the test runs, so a bad value fails that test naming the
/// variable instead of silently proving less.
struct ProofSize: Sendable {
    let variable: String
    let defaultValue: Int
    let minimum: Int

    init(_ variable: String, default value: Int, minimum: Int = 1) {
        self.variable = variable
        defaultValue = value
        self.minimum = minimum
    }

    /// The variable's value, or the default when it is not set. Anything but a whole number of
    /// at least `minimum` (0, negative, `1e3`, `1_000`, empty) is an error naming the variable.
    func value(in environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let text = environment[variable] else { return defaultValue }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= minimum else {
            throw ProofError(
                "\(variable)='\(text)': must be a whole number of at least \(minimum) (unset: \(defaultValue))")
        }
        return n
    }
}

/// `portico` as a subprocess, its output in files.
final class ServeProcess: @unchecked Sendable {
    let process: ChildProcess
    let stdoutPath: String
    let stderrPath: String

    init(_ arguments: [String], in dir: ProofDirectory, name: String) throws {
        stdoutPath = dir.path + "/\(name).out"
        stderrPath = dir.path + "/\(name).err"
        let empty = dir.path + "/empty.toml"
        if !FileManager.default.fileExists(atPath: empty) {
            FileManager.default.createFile(atPath: empty, contents: nil)
        }
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("PORTICO_") && $0.key != "NOTIFY_SOCKET"
        }
        env["PORTICO_TEMPLATES"] = ProofPaths.templates
        process = try ChildProcess(
            [ProofPaths.portico] + arguments + ["--config", empty], environment: env, output: .file(stdoutPath),
            error: .file(stderrPath))
    }

    var pid: Int32 { process.pid }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func kill9() { process.kill9() }

    /// Waits for the `serve` banner: (portal port, admin port).
    func waitForBanner(seconds: Double = 60) throws -> (portal: UInt16, admin: UInt16) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix("portal http://") }) {
                let ports = line.split(separator: " ").compactMap { part -> UInt16? in
                    guard let colon = part.lastIndex(of: ":") else { return nil }
                    return UInt16(
                        part[part.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: "/")))
                }
                if ports.count == 2 { return (ports[0], ports[1]) }
            }
            if let status = process.terminationStatus { throw ProofError("portico exited (\(status)): \(stderr)") }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw ProofError("no banner from portico in \(seconds) s: \(stderr)")
    }

    /// VmRSS from /proc/PID/status, in KiB.
    func residentKiB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
    }
}

/// Runs a command to completion; (status, stdout, stderr).
@discardableResult
func runCommand(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PORTICO_") }
    env["PORTICO_TEMPLATES"] = ProofPaths.templates
    let dir = try ProofDirectory("portico-command")
    let errorPath = dir.path + "/stderr"
    let child = try ChildProcess([executable] + arguments, environment: env, output: .pipe, error: .file(errorPath))
    let output = child.readOutput()
    let status = child.waitUntilExit()
    return (status, output, (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
}

func capture(_ pattern: String, in text: String) -> String? {
    guard let regex = try? NSRegularExpression(pattern: pattern),
        let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), match.numberOfRanges > 1,
        let range = Range(match.range(at: 1), in: text)
    else { return nil }
    return String(text[range])
}

func formEncode(_ fields: [(String, String)]) -> [UInt8] {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return Array(
        fields.map {
            "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&").utf8)
}

func htmlUnescape(_ s: String) -> String {
    s.replacingOccurrences(of: "&#x2F;", with: "/").replacingOccurrences(of: "&#x3D;", with: "=")
        .replacingOccurrences(of: "&#43;", with: "+").replacingOccurrences(of: "&#x2B;", with: "+")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&amp;", with: "&")
}
