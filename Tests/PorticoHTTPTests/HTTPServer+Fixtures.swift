import Foundation
import PorticoHTTP
import PorticoTestSupport
import Synchronization

/// Counts handler calls, so tests can show a rejected request never reached the handler.
final class HandlerCalls: Sendable {
    private let count = Atomic<Int>(0)
    func record() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Starts a server on 127.0.0.1, port 0, with small test limits unless changed.
func startServer(
    _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse = echo
) throws -> HTTPServer {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, maxBodyBytes: 1024)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, handler: handler)
    try server.start()
    return server
}

/// Describes the request as `key=value` lines, so a test can assert what the handler saw
/// through what the client receives.
@Sendable func echo(_ request: HTTPRequest) -> HTTPResponse {
    var lines = [
        "method=\(request.method)", "path=\(request.path)", "rawQuery=\(request.rawQuery)",
        "remote=\(request.remoteAddress)", "bodyBytes=\(request.body.count)",
    ]
    lines += request.query.sorted { $0.key < $1.key }.map { "query.\($0.key)=\($0.value)" }
    lines += request.cookies.sorted { $0.key < $1.key }.map { "cookie.\($0.key)=\($0.value)" }
    return .text(lines.joined(separator: "\n") + "\n")
}

/// True when `command` is an executable on PATH.
func toolAvailable(_ command: String) -> Bool {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(command)") }
}

/// True when an IPv6 socket can bind ::1 here.
func ipv6LoopbackAvailable() -> Bool {
    let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    return (try? withAddress("::1", port: 0) { bind(descriptor, $0, $1) == 0 }) ?? false
}

/// Runs a program and returns its exit status and standard output.
@discardableResult
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    try ChildProcess.run([executable] + arguments)
}
