import Foundation
import Logging
import PorticoHTTP
import ServiceLifecycle
import UnixSignals

/// Runs blocking work (SQLite, netlink, libcurl, a listener's drain) on a thread of its own,
/// never on the two threads of Swift's concurrency pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// A listener that is already bound (`PorticoServer.start()`): on graceful shutdown it stops
/// accepting, lets in-flight requests finish (up to the listener's grace period), then closes.
struct ListenerService: Service, CustomStringConvertible {
    var description: String { "listener \(name)" }
    let name: String
    let server: HTTPServer
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("listener draining", metadata: ["listener": "\(name)"])
        await onThread { server.stop() }
        logger.info("listener stopped", metadata: ["listener": "\(name)"])
    }
}

/// Runs `body` every `interval()` seconds (read before each wait, so SIGHUP can change it)
/// until graceful shutdown; a pass in progress finishes first.
struct PeriodicService: Service, CustomStringConvertible {
    var description: String { name }
    let name: String
    let interval: @Sendable () -> Int
    let body: @Sendable () -> Void

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(max(1, interval())))
                }
            } catch {
                return
            }
            if Task.isShuttingDownGracefully { return }
            await onThread(body)
        }
    }
}

/// SIGHUP → `reload`, until graceful shutdown.
/// The sequence is created before the server says it is ready (see `PorticoServer.run`): a
/// SIGHUP that arrives just after READY=1 must reload, not end the process (SIGHUP's default).
struct ReloadService: Service, CustomStringConvertible {
    var description: String { "reload" }
    let hangups: UnixSignalsSequence
    let reload: @Sendable () -> Void

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            await onThread(reload)
        }
    }
}

/// Tells systemd (`Type=notify`) that Portico is ready, and that it is stopping. Last in the
/// group, so it hears of the shutdown first.
struct NotifyService: Service, CustomStringConvertible {
    var description: String { "systemd notify" }
    let status: String
    let logger: Logger

    func run() async throws {
        SystemdNotify.send("READY=1\nSTATUS=\(status)")
        try? await gracefulShutdown()
        logger.info("stopping")
        SystemdNotify.send("STOPPING=1\nSTATUS=draining requests")
    }
}
