/// Where a configuration value came from: the file's line, an environment variable, a flag.
public enum ConfigurationOrigin: Sendable, Equatable, CustomStringConvertible {
    case file(path: String, line: Int)
    case environment(String)
    case flag(String)

    public var description: String {
        switch self {
        case .file(let path, let line): "\(path):\(line)"
        case .environment(let name): "environment \(name)"
        case .flag(let flag): "flag \(flag)"
        }
    }
}

/// A configuration Portico refuses to start with. The message names the key and where its value
/// came from: `/etc/portico/portico.toml:12: portal.listen: '8080' is not HOST:PORT`.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var key: String?
    public var origin: ConfigurationOrigin?
    public var message: String

    public init(key: String?, origin: ConfigurationOrigin?, _ message: String) {
        self.key = key
        self.origin = origin
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let origin { parts.append(origin.description) }
        if let key { parts.append(key) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

/// What a key's setter reports; the loader adds the key and the origin.
struct ConfigProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
