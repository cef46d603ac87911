import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A program the tests start: posix_spawn with only the descriptors it is given, default signal
/// dispositions and an empty signal mask.
///
/// Why not Foundation's `Process`: on Linux it emulates close-on-exec by adding one close action
/// per descriptor up to the highest open one, and with about 1,300 descriptors open in the test
/// process (the load test holds 1,200 sockets) `Process.run()` crashed in memcpy. It also passes
/// on the test runner's blocked SIGTERM, so a child could not be stopped gracefully. Here the
/// child closes every descriptor from 3 up in one action (`posix_spawn_file_actions_addclosefrom_np`,
/// glibc 2.34+) and starts with nothing blocked.
public final class ChildProcess: @unchecked Sendable {
    /// Where a child's standard input comes from.
    public enum Input: Sendable {
        case null
        /// A pipe; write to it with `write(_:)`, end it with `closeInput()`.
        case pipe
    }

    /// Where a child's standard output or error goes.
    public enum Output: Sendable {
        case null
        /// Appended to this file (created if missing).
        case file(String)
        /// A pipe, read with `readOutput()`; standard error may share standard output's pipe.
        case pipe
        /// Standard error only: the same pipe or file as standard output.
        case sameAsOutput
    }

    public let pid: pid_t
    private var inputWriter: Int32 = -1
    private var outputReader: Int32 = -1
    /// nil while running; then the exit status, or 128 + the signal that ended it.
    private let exit = Mutex<Int32?>(nil)

    /// Starts `arguments[0]` (looked up in PATH when it has no slash) with the rest as arguments.
    /// `environment` nil keeps the test process's environment.
    public init(
        _ arguments: [String], environment: [String: String]? = nil,
        input: Input = .null, output: Output = .null, error: Output = .null
    ) throws {
        precondition(!arguments.isEmpty, "ChildProcess needs a program")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw LabError("pipe: \(String(cString: strerror(errno)))") }
            // Children started here close every descriptor from 3 up anyway (see below).
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }

        switch input {
        case .null:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .pipe:
            let ends = try pipeEnds()
            posix_spawn_file_actions_adddup2(&actions, ends.read, 0)
            childEnds.append(ends.read)
            parentEnds.append(ends.write)
            inputWriter = ends.write
        }
        for (fd, target) in [(Int32(1), output), (Int32(2), error)] {
            switch target {
            case .null:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .pipe:
                if outputReader < 0 {
                    let ends = try pipeEnds()
                    childEnds.append(ends.write)
                    parentEnds.append(ends.read)
                    outputReader = ends.read
                }
                posix_spawn_file_actions_adddup2(&actions, childEnds.last!, fd)
            case .sameAsOutput:
                posix_spawn_file_actions_adddup2(&actions, 1, fd)
            }
        }
        _ = addCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in env { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawnp(&child, arguments[0], &actions, &attributes, argv, env)
        guard status == 0 else {
            for fd in parentEnds { close(fd) }
            throw LabError("cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        pid = child
    }

    deinit {
        kill9()
        if inputWriter >= 0 { close(inputWriter) }
        if outputReader >= 0 { close(outputReader) }
    }

    /// Reaps the child if it has ended (never blocks).
    public var isRunning: Bool { status(blocking: false) == nil }

    /// The exit status (or 128 + signal) once ended; nil while running.
    public var terminationStatus: Int32? { status(blocking: false) }

    /// Blocks until the child ends; its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func waitUntilExit() -> Int32 { status(blocking: true)! }

    /// Waits up to `seconds` for the child to end; its status, or nil if it is still running.
    public func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let status = status(blocking: false) { return status }
            usleep(10_000)
        }
        return status(blocking: false)
    }

    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// SIGKILL, then reaps.
    public func kill9() {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        waitUntilExit()
    }

    /// Writes to the child's standard input (`input: .pipe`).
    public func write(_ text: String) {
        guard inputWriter >= 0 else { return }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(inputWriter, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Closes the child's standard input: it reads end-of-file.
    public func closeInput() {
        if inputWriter >= 0 { close(inputWriter) }
        inputWriter = -1
    }

    /// Reads what the child writes to the output pipe until it closes it (usually: exits).
    public func readOutput() -> String {
        guard outputReader >= 0 else { return "" }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(outputReader, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            data += buffer[..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads from the output pipe until `text` has appeared (or the pipe closes, or `seconds`
    /// pass); everything read so far.
    public func readOutput(until text: String, seconds: Double = 30) -> String {
        guard outputReader >= 0 else { return "" }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var poller = pollfd(fd: outputReader, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 || errno == EINTR else { break }
            guard poller.revents != 0 else { continue }
            let n = read(outputReader, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            data += buffer[..<n]
            if String(decoding: data, as: UTF8.self).contains(text) { break }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reaps without blocking (a blocking wait would hold the lock and keep `kill9()` from
    /// another thread waiting); `blocking` polls every 2 ms instead.
    private func status(blocking: Bool) -> Int32? {
        while true {
            if let known = reap() { return known }
            if !blocking { return nil }
            usleep(2_000)
        }
    }

    private func reap() -> Int32? {
        exit.withLock { known in
            if let known { return known }
            var raw: Int32 = 0
            var r: pid_t
            repeat { r = waitpid(pid, &raw, WNOHANG) } while r < 0 && errno == EINTR
            if r == 0 { return nil }
            if r < 0 {
                known = -1  // not our child any more (reaped elsewhere): report it as ended
            } else {
                let signal = raw & 0x7f
                known = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            }
            return known
        }
    }

    /// Runs a program to completion: (exit status, standard output, plus standard error when
    /// `mergeError`). `input`, when given, is written to its standard input.
    public static func run(
        _ arguments: [String], environment: [String: String]? = nil, input: String? = nil, mergeError: Bool = false
    ) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            arguments, environment: environment, input: input == nil ? .null : .pipe, output: .pipe,
            error: mergeError ? .sameAsOutput : .null)
        if let input {
            child.write(input)
            child.closeInput()
        }
        let output = child.readOutput()
        return (child.waitUntilExit(), output)
    }
}

/// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+) is declared only under _GNU_SOURCE,
/// which Swift's Glibc module does not define.
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
