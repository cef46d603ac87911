import PorticoStore
import PorticoWebSupport

/// When a sign-in may be tried again (pure: the failures and the time are given).
///
/// Five failed attempts are free, counted per username and per address separately (since the
/// last success of that username, or from that address, within the window). From the fifth
/// on, the next attempt must wait 30 s after the last failure, doubling with every further
/// failure up to 15 minutes. An attempt made while waiting is refused without checking the
/// password and is not counted, so a throttled guesser learns nothing and cannot lock a user
/// out for longer than the cap.
public struct SignInThrottle: Sendable {
    public var freeAttempts = 5
    public var firstDelaySeconds: Int64 = 30
    public var maximumDelaySeconds: Int64 = 15 * 60
    /// Failures older than this are forgotten.
    public var windowSeconds: Int64 = 60 * 60

    public init() {}

    /// Seconds to wait before the next attempt is checked, or nil when it may go ahead.
    public func retryAfter(failures: SignInFailures, now: Int64) -> Int64? {
        let waits = [failures.byUsername, failures.byAddress].compactMap { wait(after: $0, now: now) }
        return waits.max()
    }

    func wait(after failures: [Int64], now: Int64) -> Int64? {
        let recent = failures.filter { $0 > now - windowSeconds }
        guard recent.count >= freeAttempts, let last = recent.max() else { return nil }
        let doublings = min(recent.count - freeAttempts, 10)
        let delay = min(maximumDelaySeconds, firstDelaySeconds << Int64(doublings))
        let remaining = last + delay - now
        return remaining > 0 ? remaining : nil
    }
}
