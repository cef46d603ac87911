/// A secret (password, API key, signing secret) that never shows itself: its description, debug
/// description and mirror are all `<redacted>`, so printing or dumping a configuration that holds
/// one cannot leak it into a log.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The secret itself: pass it to the one place that needs it, never to a log.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [(label: String?, value: Any)]()) }
}
