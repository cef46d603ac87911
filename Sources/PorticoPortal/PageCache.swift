import PorticoCore
import Synchronization

/// Rendered portal pages by client address. An entry is served only while the store has not
/// written anything since it was rendered and the date is the same, so a page never shows stale
/// invoices or status; under a storm of reloads from stopped phones the page costs a lookup.
final class PageCache: Sendable {
    struct Entry {
        var generation: UInt64
        var date: LocalDate
        var html: String
    }

    let entries = Mutex([String: Entry]())
    let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func get(_ key: String, generation: UInt64, date: LocalDate) -> String? {
        entries.withLock { e in
            guard let hit = e[key], hit.generation == generation, hit.date == date else { return nil }
            return hit.html
        }
    }

    func put(_ key: String, generation: UInt64, date: LocalDate, html: String) {
        entries.withLock { e in
            if e.count >= capacity { e.removeAll(keepingCapacity: true) }
            e[key] = Entry(generation: generation, date: date, html: html)
        }
    }

    func removeAll() { entries.withLock { $0.removeAll() } }
}
