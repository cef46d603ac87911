import CMicroHTTPD

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The C callback boundary: every function libmicrohttpd calls lives in this file.
//
// - They are plain global functions that capture nothing, so they convert to C function
//   pointers, and they are nonisolated: this module has no main.swift, so nothing here is
//   main-actor code (a main-actor callback crashes on the first request from an MHD thread).
// - The server arrives as the context pointer `cls`: `HTTPServer.start()` passes
//   `Unmanaged.passRetained(self)` and releases it only after MHD_stop_daemon returns, so the
//   object is alive for every call. Taking it unretained here is therefore safe.
// - Per-request state is a `RequestState` created by `uriLogged` (its return value becomes
//   `*req_cls`) and released by `requestCompleted`. MHD sets `client_aware` when it calls
//   the URI log callback, so the completion notification always follows.
// - All calls for one connection happen on the MHD thread that owns it.

/// MHD_OPTION_URI_LOG_CALLBACK: the request line was read; keep the raw target and create
/// the request's state.
func uriLogged(
    _ cls: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    let state: RequestState
    if let cls {
        state = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().statePool.current.take()
    } else {
        state = RequestState()
    }
    if let uri {
        state.rawTarget.append(contentsOf: UnsafeRawBufferPointer(start: uri, count: strlen(uri)))
        state.targetAddress = UInt(bitPattern: uri)
    }
    return Unmanaged.passRetained(state).toOpaque()
}

/// MHD_AccessHandlerCallback: called once when the headers are complete, once per body
/// chunk, and once more at the end.
func accessHandler(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?,
    _ version: UnsafePointer<CChar>?,
    _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let stateRaw = requestContext?.pointee else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
    let state = Unmanaged<RequestState>.fromOpaque(stateRaw).takeUnretainedValue()
    if !state.headersSeen, let method { state.method = String(cString: method) }

    let size = uploadDataSize?.pointee ?? 0
    let upload = UnsafeRawBufferPointer(start: size > 0 ? uploadData : nil, count: size > 0 ? size : 0)
    // The chunk is copied or dropped by `step`: tell MHD it was consumed.
    uploadDataSize?.pointee = 0

    switch server.step(state, connection: connection, version: version, upload: upload) {
    case .proceed:
        return .YES
    case .close:
        return .NO
    case .respond(let response):
        return MHDConnection.queue(response, on: connection, server: server)
    }
}

/// MHD_OPTION_NOTIFY_COMPLETED: the response was sent or the connection failed; release
/// the request's state.
func requestCompleted(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ reason: MHD_RequestTerminationCode
) {
    guard let requestContext, let stateRaw = requestContext.pointee else { return }
    requestContext.pointee = nil
    let state = Unmanaged<RequestState>.fromOpaque(stateRaw).takeRetainedValue()
    if let cls {
        let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
        if server.watchdog.isEnabled, let connection, let watch = watch(of: connection) {
            server.watchdog.answered(watch)
        }
        server.completed(state)
    }
}

/// MHD_OPTION_NOTIFY_CONNECTION: a connection was accepted or is about to be closed. Its
/// `HeaderWatchdog.Watch` lives in `*socket_context` from one to the other (retained here,
/// released on close, which MHD reports before it closes the descriptor).
func connectionNotified(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ code: MHD_ConnectionNotificationCode
) {
    guard let cls, let connection, let socketContext else { return }
    let watchdog = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue().watchdog
    switch code.rawValue {
    case 0:  // MHD_CONNECTION_NOTIFY_STARTED
        let watch = watchdog.opened(descriptor: portico_mhd_connection_fd(connection))
        socketContext.pointee = Unmanaged.passRetained(watch).toOpaque()
    case 1:  // MHD_CONNECTION_NOTIFY_CLOSED
        guard let raw = socketContext.pointee else { return }
        socketContext.pointee = nil
        watchdog.closed(Unmanaged<HeaderWatchdog.Watch>.fromOpaque(raw).takeRetainedValue())
    default:
        break
    }
}

/// The connection's watch (see `connectionNotified`), valid while MHD calls back for it.
func watch(of connection: OpaquePointer) -> HeaderWatchdog.Watch? {
    portico_mhd_socket_context(connection).map { Unmanaged<HeaderWatchdog.Watch>.fromOpaque($0).takeUnretainedValue() }
}

/// MHD_KeyValueIteratorN for MHD_get_connection_values_n: appends one header to the array
/// `cls` points at (valid for the duration of the MHD_get_connection_values_n call).
func collectHeader(
    _ cls: UnsafeMutableRawPointer?,
    _ kind: MHD_ValueKind,
    _ key: UnsafePointer<CChar>?,
    _ keySize: Int,
    _ value: UnsafePointer<CChar>?,
    _ valueSize: Int
) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let fields = cls.assumingMemoryBound(to: [(name: String, value: String)].self)
    let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
    let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
    fields.pointee.append((name, text))
    return .YES
}

/// MHD_KeyValueIteratorN for MHD_get_connection_values_n: feeds one header, in place, to the
/// `RequestFraming` that `cls` points at (valid for the duration of the call).
func scanHeader(
    _ cls: UnsafeMutableRawPointer?,
    _ kind: MHD_ValueKind,
    _ key: UnsafePointer<CChar>?,
    _ keySize: Int,
    _ value: UnsafePointer<CChar>?,
    _ valueSize: Int
) -> MHD_Result {
    guard let cls else { return .YES }
    let framing = cls.assumingMemoryBound(to: RequestFraming.self)
    let name = UnsafeRawBufferPointer(start: key, count: key == nil ? 0 : keySize)
    let text = UnsafeRawBufferPointer(start: value, count: value == nil ? 0 : valueSize)
    framing.pointee.add(name: name, value: text)
    return .YES
}

/// The sink behind MHD_OPTION_EXTERNAL_LOGGER (see `portico_mhd_log_trampoline` in shim.h,
/// which formats MHD's va_list): MHD's error messages go to the server's logger at debug
/// level instead of stderr.
func mhdLog(_ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {
    guard let context, let message else { return }
    var text = String(cString: message)
    if text.hasSuffix("\n") { text.removeLast() }
    Unmanaged<HTTPServer>.fromOpaque(context).takeUnretainedValue().logger.debug("libmicrohttpd: \(text)")
}

/// The same functions typed as the C pointers MHD's option array stores.
enum MHDCallbacks {
    typealias URILog =
        @convention(c) (
            UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?
        ) -> UnsafeMutableRawPointer?
    typealias Completed =
        @convention(c) (
            UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
            MHD_RequestTerminationCode
        ) -> Void

    static var uriLog: UnsafeMutableRawPointer { unsafeBitCast(uriLogged as URILog, to: UnsafeMutableRawPointer.self) }
    typealias Notified =
        @convention(c) (
            UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
            MHD_ConnectionNotificationCode
        ) -> Void

    static var notified: UnsafeMutableRawPointer {
        unsafeBitCast(connectionNotified as Notified, to: UnsafeMutableRawPointer.self)
    }
    static var completed: UnsafeMutableRawPointer {
        unsafeBitCast(requestCompleted as Completed, to: UnsafeMutableRawPointer.self)
    }
}
