import Foundation
import PorticoHTTP
import Synchronization
import Testing

@Suite struct PerThreadTests {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Each thread gets its own object, the same one every time; `every` sees all of them, so
    /// totals add up.
    @Test func oneObjectPerThreadAndTotalsAddUp() {
        let counters = PerThread { Counter() }
        let threads = 4
        let done = DispatchGroup()
        let sameEachTime = Atomic<Bool>(true)
        for _ in 0..<threads {
            done.enter()
            Thread.detachNewThread {
                let first = counters.current
                for _ in 0..<1_000 {
                    let c = counters.current
                    if c !== first { sameEachTime.store(false, ordering: .relaxed) }
                    c.value.add(1, ordering: .relaxed)
                }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + 30) == .success)
        let same = sameEachTime.load(ordering: .relaxed)
        #expect(same)
        #expect(counters.every.count == threads)
        #expect(counters.every.reduce(0) { $0 + $1.value.load(ordering: .relaxed) } == threads * 1_000)
    }

    /// Many registries made and dropped (every server makes some) never run out of keys.
    @Test func registriesComeAndGo() {
        for i in 0..<3_000 {
            let r = PerThread { Counter() }
            r.current.value.add(i, ordering: .relaxed)
            #expect(r.current.value.load(ordering: .relaxed) == i)
        }
    }
}
