import PorticoHTTP
import PorticoStore
import PorticoWebSupport
import Synchronization

/// The portal's strings for a request: the catalogue of the language its `Accept-Language`
/// picks, with the admins' edited texts on top. The edits are re-read only after the store
/// has written something (its generation moved), so a page costs no query for them.
public final class PortalTexts: Sendable {
    public let catalogs: Catalogs
    let store: Store
    let cache = Mutex<(generation: UInt64, overrides: [String: [String: String]])?>(nil)

    public init(catalogs: Catalogs, store: Store) {
        self.catalogs = catalogs
        self.store = store
    }

    public func localizer(_ request: HTTPRequest) -> Localizer {
        localizer(language: catalogs.language(for: request.headers["Accept-Language"]))
    }

    public func localizer(language: String) -> Localizer {
        Localizer(language: language, strings: catalogs.strings(language, overrides: overrides()))
    }

    /// The admins' texts, language → key → text.
    public func overrides() -> [String: [String: String]] {
        let generation = store.generation
        if let hit = cache.withLock({ $0 }), hit.generation == generation { return hit.overrides }
        let fresh = (try? store.portalTexts()) ?? [:]
        cache.withLock { $0 = (generation, fresh) }
        return fresh
    }
}
