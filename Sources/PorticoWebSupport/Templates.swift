import Foundation
import Mustache
import Synchronization

/// The Mustache templates under `templates/` (`portal/page.mustache` is named `portal/page`).
/// `{{x}}` escapes HTML; nothing is rendered unescaped unless a template says `{{{x}}}`, which
/// ours never do for values that come from users.
public final class Templates: Sendable {
    /// Replaced whole by `reload()` (SIGHUP); readers copy it out under the lock.
    let current: Mutex<MustacheLibrary>
    var library: MustacheLibrary { current.withLock { $0 } }
    public let directory: String

    /// Reads every `.mustache` file below `directory`; a parse error names the file.
    public init(directory: String) throws {
        self.directory = directory
        current = Mutex(try Self.load(directory))
    }

    /// Reads the directory again; on any error the templates in use stay as they were.
    public func reload() throws {
        let fresh = try Self.load(directory)
        current.withLock { $0 = fresh }
    }

    static func load(_ directory: String) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        let base = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
            throw TemplateError.missing(directory)
        }
        var count = 0
        for case let url as URL in walker where url.pathExtension == "mustache" {
            let name = String(url.path.dropFirst(base.path.count + 1).dropLast(".mustache".count))
            do {
                try library.register(String(contentsOf: url, encoding: .utf8), named: name)
            } catch {
                throw TemplateError.invalid(file: url.path, reason: "\(error)")
            }
            count += 1
        }
        if count == 0 { throw TemplateError.missing(directory) }
        return library
    }

    /// Renders `name` with `context`; an unknown template is a programming error reported as text.
    ///
    /// Empty strings are left out first: swift-mustache treats any string, even "", as true in
    /// a section, so `{{#contact}}…{{/contact}}` would show an empty box. Left out, they render
    /// as nothing and count as false, as in other Mustache implementations.
    public func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(Self.withoutEmptyStrings(context) as! [String: Any], withTemplate: name)
            ?? "template \(name) is missing"
    }

    static func withoutEmptyStrings(_ value: Any) -> Any {
        switch value {
        case let dictionary as [String: Any]:
            var out: [String: Any] = [:]
            for (key, v) in dictionary where !((v as? String)?.isEmpty ?? false) { out[key] = withoutEmptyStrings(v) }
            return out
        case let array as [[String: Any]]:
            return array.map { withoutEmptyStrings($0) }
        default:
            return value
        }
    }

    public func has(_ name: String) -> Bool { library.getTemplate(named: name) != nil }

    /// The directory holding the templates: `PORTICO_TEMPLATES`, else the installed copy beside
    /// the binary (`<prefix>/bin/portico` → `<prefix>/share/portico/templates`, as `make install`
    /// lays it out), else `templates` in the working directory, else the usual prefixes.
    public static func defaultDirectory() -> String {
        if let env = ProcessInfo.processInfo.environment["PORTICO_TEMPLATES"] { return env }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let installed = executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/portico/templates").path
        for candidate in [installed, "templates", "/usr/local/share/portico/templates", "/usr/share/portico/templates"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        return "templates"
    }
}

public enum TemplateError: Error, CustomStringConvertible {
    case missing(String)
    case invalid(file: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let d): "templates: no .mustache files in \(d)"
        case .invalid(let f, let r): "templates: \(f): \(r)"
        }
    }
}
