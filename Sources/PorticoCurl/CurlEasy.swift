import CCurl

/// One libcurl easy handle for one transfer, on the thread that performs it: the only type here
/// that calls libcurl. Options go through typed `set` calls (the shim's fixed-type wrappers of
/// the variadic `curl_easy_setopt`), every `CURLcode` through `CurlError.check`.
///
/// Not `Sendable`: a handle must not be used by two threads at once (libcurl-thread(3)). Each
/// `HTTPClient.send` or `SMTPSubmission.send` makes its own and frees it before returning.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: libcurl writes its sentence for a failure here.
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Lists handed to libcurl (headers, recipients); they must outlive the transfer.
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    /// The callbacks' context, retained while libcurl may call them.
    private var context: Unmanaged<TransferContext>?

    /// curl_global_init, once per process before any handle; Swift runs a global's initializer
    /// exactly once, whatever the number of threads.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// curl_easy_init, with CURLOPT_NOSIGNAL (required with threads: no SIGALRM for time-outs)
    /// and the error buffer set.
    init() throws(CurlError) {
        try CurlError.check(Self.globalInit, "curl_global_init")
        guard let handle = curl_easy_init() else { throw CurlError.outOfMemory("curl_easy_init") }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try set(CURLOPT_NOSIGNAL, 1)
        try CurlError.check(
            portico_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)),
            "curl_easy_setopt(CURLOPT_ERRORBUFFER)")
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        context?.release()
        errorBuffer.deallocate()
    }

    /// `curl_easy_setopt(CURLOPT_URL)`: the option's name from curl_easy_option_by_id, for messages.
    static func setopt(_ option: CURLoption) -> String {
        guard let info = curl_easy_option_by_id(option), let name = info.pointee.name else {
            return "curl_easy_setopt(\(option.rawValue))"
        }
        return "curl_easy_setopt(CURLOPT_\(String(cString: name)))"
    }

    /// curl_easy_setopt for a `long` option.
    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try CurlError.check(portico_curl_setopt_long(handle, option, value), Self.setopt(option))
    }

    /// curl_easy_setopt for a string option (libcurl copies the string).
    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try CurlError.check(portico_curl_setopt_string(handle, option, value), Self.setopt(option))
    }

    /// curl_easy_setopt for a `curl_slist` option (CURLOPT_HTTPHEADER, CURLOPT_MAIL_RCPT), built
    /// with curl_slist_append and kept until the handle is freed. An empty list sets nothing.
    func set(_ option: CURLoption, list items: [String]) throws(CurlError) {
        guard !items.isEmpty else { return }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for item in items {
            guard let appended = curl_slist_append(list, item) else {
                curl_slist_free_all(list)
                throw CurlError.outOfMemory("curl_slist_append")
            }
            list = appended
        }
        lists.append(list!)
        try CurlError.check(
            portico_curl_setopt_pointer(handle, option, UnsafeMutableRawPointer(list)),
            Self.setopt(option))
    }

    /// CURLOPT_COPYPOSTFIELDS with CURLOPT_POSTFIELDSIZE first: libcurl keeps its own copy of the
    /// bytes (NULs included), so no Swift buffer must outlive the call.
    func setBody(_ body: [UInt8]) throws(CurlError) {
        try set(CURLOPT_POSTFIELDSIZE, body.count)
        guard !body.isEmpty else { return try set(CURLOPT_COPYPOSTFIELDS, "") }
        let code = body.withUnsafeBytes { bytes in
            portico_curl_setopt_string(
                handle, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        try CurlError.check(code, "curl_easy_setopt(CURLOPT_COPYPOSTFIELDS)")
    }

    /// Installs the callbacks over `context` (retained until the handle is freed): the body
    /// (CURLOPT_WRITEFUNCTION), the response headers when `headers`, the upload when `upload`
    /// (CURLOPT_READFUNCTION), and the progress check (CURLOPT_XFERINFOFUNCTION) that lets a
    /// `CurlCancellation` end a transfer that is waiting.
    func install(_ context: TransferContext, headers: Bool, upload: Bool) throws(CurlError) {
        let retained = Unmanaged.passRetained(context)
        self.context?.release()
        self.context = retained
        let pointer = retained.toOpaque()
        func check(_ code: CURLcode, _ option: String) throws(CurlError) {
            try CurlError.check(code, "curl_easy_setopt(\(option))")
        }
        try check(
            portico_curl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlBodyCallback), "CURLOPT_WRITEFUNCTION"
        )
        try check(portico_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, pointer), "CURLOPT_WRITEDATA")
        if headers {
            try check(
                portico_curl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback),
                "CURLOPT_HEADERFUNCTION")
            try check(portico_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, pointer), "CURLOPT_HEADERDATA")
        }
        if upload {
            try check(portico_curl_setopt_read_function(handle, curlReadCallback), "CURLOPT_READFUNCTION")
            try check(portico_curl_setopt_pointer(handle, CURLOPT_READDATA, pointer), "CURLOPT_READDATA")
        }
        try check(portico_curl_setopt_xferinfo_function(handle, curlProgressCallback), "CURLOPT_XFERINFOFUNCTION")
        try check(portico_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, pointer), "CURLOPT_XFERINFODATA")
        try set(CURLOPT_NOPROGRESS, 0)
    }

    /// The time-outs: CURLOPT_CONNECTTIMEOUT_MS, CURLOPT_TIMEOUT_MS (0: none), and for `idle`
    /// CURLOPT_LOW_SPEED_LIMIT of 1 byte/s over CURLOPT_LOW_SPEED_TIME.
    func set(_ timeouts: CurlTimeouts) throws(CurlError) {
        try set(CURLOPT_CONNECTTIMEOUT_MS, timeouts.connect.curlMilliseconds)
        try set(CURLOPT_TIMEOUT_MS, timeouts.total?.curlMilliseconds ?? 0)
        if let idle = timeouts.idle {
            try set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try set(CURLOPT_LOW_SPEED_TIME, idle.curlSeconds)
        }
    }

    /// CURLOPT_CAINFO, CURLOPT_PINNEDPUBLICKEY, CURLOPT_SSL_VERIFYPEER / CURLOPT_SSL_VERIFYHOST.
    func set(_ tls: CurlTLS) throws(CurlError) {
        if let ca = tls.caFile { try set(CURLOPT_CAINFO, ca) }
        if let pin = tls.pinnedPublicKey { try set(CURLOPT_PINNEDPUBLICKEY, pin) }
        try set(CURLOPT_SSL_VERIFYPEER, tls.verify ? 1 : 0)
        try set(CURLOPT_SSL_VERIFYHOST, tls.verify ? 2 : 0)
    }

    /// CURLOPT_USERNAME and CURLOPT_PASSWORD (libcurl copies both).
    func set(_ credentials: CurlCredentials) throws(CurlError) {
        try set(CURLOPT_USERNAME, credentials.username)
        try set(CURLOPT_PASSWORD, credentials.password)
    }

    /// curl_easy_getinfo(CURLINFO_RESPONSE_CODE): the last HTTP status or SMTP reply, 0 for none.
    var responseCode: Int {
        var code = 0
        guard portico_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK else { return 0 }
        return code
    }

    /// curl_easy_perform: runs the transfer on this thread until it ends. A failure carries
    /// libcurl's sentence from the error buffer and the server's last reply code.
    func perform() throws(CurlError) {
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        do {
            try CurlError.check(code, "curl_easy_perform")
        } catch {
            var failure = error
            failure.detail = String(cString: errorBuffer)
            failure.responseCode = responseCode
            throw failure
        }
    }
}
