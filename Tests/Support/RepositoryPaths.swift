import Foundation

/// Where the repository and the built `portico` are, for tests that run the binary.
public enum RepositoryPaths {
    /// The package's root directory.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    public static let templates = root + "/templates"

    /// The `portico` binary built beside the test bundle (`swift build --build-tests` builds it).
    public static var portico: String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [exe.appendingPathComponent("portico").path, root + "/.build/debug/portico"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return root + "/.build/debug/portico"
    }
}

/// A temporary directory, removed when the value goes.
public final class TestDirectory: Sendable {
    public let path: String

    public init(_ name: String = "portico-test") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` inside the directory and returns its path.
    public func file(_ name: String, _ text: String) throws -> String {
        let p = path + "/" + name
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}
