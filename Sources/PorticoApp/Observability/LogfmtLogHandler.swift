import Foundation
import Logging
import Synchronization

/// The level every `LogfmtLogHandler` logs at; SIGHUP may change it (`log.level`).
public final class SharedLogLevel: Sendable {
    private let raw = Atomic<Int>(2)
    public init(_ level: Logger.Level = .info) { self.level = level }

    public var level: Logger.Level {
        get { Logger.Level.allCases[raw.load(ordering: .relaxed)] }
        set { raw.store(Logger.Level.allCases.firstIndex(of: newValue) ?? 2, ordering: .relaxed) }
    }
}

/// One line per event, `key=value` pairs (logfmt), to stderr:
/// `level=info msg="billing run" through=2026-07-01 dates=3`. Under systemd (`JOURNAL_STREAM`
/// set) each line starts with its syslog priority (`<6>`) so journald records the level, and
/// the time stamp is left to journald; elsewhere the line starts with `ts=`.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    let label: String
    let shared: SharedLogLevel
    let journald: Bool
    let write: @Sendable (String) -> Void

    public init(
        label: String, level: SharedLogLevel,
        journald: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
        write: @escaping @Sendable (String) -> Void = LogfmtLogHandler.standardError
    ) {
        self.label = label
        shared = level
        self.journald = journald
        self.write = write
    }

    public var logLevel: Logger.Level {
        get { shared.level }
        set { shared.level = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        write(
            Self.format(
                level: level, message: "\(message)", metadata: self.metadata.merging(explicit ?? [:]) { $1 },
                label: label, journald: journald, now: Date()))
    }

    static func format(
        level: Logger.Level, message: String, metadata: Logger.Metadata, label: String, journald: Bool,
        now: Date
    ) -> String {
        var line = journald ? "<\(priority(level))>" : "ts=\(timestamp(now)) "
        line += "level=\(level.rawValue) msg=\(quoted(message))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(safeKey(key))=\(quoted("\(value)"))"
        }
        if label != "portico" { line += " logger=\(quoted(label))" }
        return line + "\n"
    }

    /// syslog priorities (sd-daemon(3)).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func safeKey(_ key: String) -> String {
        String(key.map { $0 == " " || $0 == "=" || $0 == "\"" ? "_" : $0 })
    }

    /// Bare when it has no space, `=`, quote or control character; otherwise in quotes with `\"`,
    /// `\\` and `\n` escaped, so one event is always one line.
    static func quoted(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.value < 0x20 || $0 == "\\" }
        guard needsQuotes else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// One `write(2)` per line, so lines from different threads never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
