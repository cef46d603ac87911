import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One object per thread, made on the thread's first use: state that each of libmicrohttpd's
/// threads changes on every request, kept apart so that the cores never share a cache line
/// for it (a counter or lock shared by two cores costs more per request than the work it
/// guards). `every` gives all of them, for totals.
public final class PerThread<Value: AnyObject & Sendable>: Sendable {
    /// nil when the process is out of pthread keys (PTHREAD_KEYS_MAX, 1024): then every thread
    /// shares one object, which is correct, only slower.
    private let key: pthread_key_t?
    private let all = Mutex<[Value]>([])
    private let make: @Sendable () -> Value

    public init(_ make: @escaping @Sendable () -> Value) {
        var key = pthread_key_t()
        self.key = pthread_key_create(&key, nil) == 0 ? key : nil
        self.make = make
    }

    deinit { if let key { pthread_key_delete(key) } }

    /// The calling thread's object (kept alive by this registry, not by the thread).
    public var current: Value {
        guard let key else {
            return all.withLock { values in
                if let shared = values.first { return shared }
                values.append(make())
                return values[0]
            }
        }
        if let raw = pthread_getspecific(key) { return Unmanaged<Value>.fromOpaque(raw).takeUnretainedValue() }
        let value = make()
        all.withLock { $0.append(value) }
        pthread_setspecific(key, Unmanaged.passUnretained(value).toOpaque())
        return value
    }

    /// Every thread's object so far.
    public var every: [Value] { all.withLock { $0 } }
}
