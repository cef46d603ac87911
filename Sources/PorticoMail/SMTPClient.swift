import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// Why a delivery did not happen.
public struct SMTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libcurl's message, with the server's reply code where there was one.
    public var message: String
    /// The server's last reply code (`451`, `550`), 0 when none came.
    public var replyCode: Int
    /// The server refused this message for good (a 5xx to RCPT or DATA): retrying cannot help.
    public var permanent: Bool

    public init(_ message: String, replyCode: Int = 0, permanent: Bool = false) {
        self.message = message
        self.replyCode = replyCode
        self.permanent = permanent
    }

    public var description: String { message }
}

/// Sends one message; the outbox sender takes any, tests take a fake.
public protocol MailTransport: Sendable {
    /// Returns only once the server has accepted the message (its `250` after DATA).
    func send(_ message: MailMessage) throws(SMTPError)
}

/// `MailTransport` over libcurl's SMTP: STARTTLS (required unless `smtp.starttls` is off) or
/// implicit TLS with `smtps://`, AUTH with the best mechanism the server offers, certificates
/// verified. One handle per message, no state shared between threads.
public struct CurlSMTPTransport: MailTransport {
    public let settings: SMTPSettings
    let password: String?

    public init(settings: SMTPSettings) throws(MailConfigurationError) {
        try settings.validate()
        self.settings = settings
        password = try settings.resolvedPassword()
        _ = Self.globalInit
    }

    /// curl_global_init, once per process before any handle.
    static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public func send(_ message: MailMessage) throws(SMTPError) {
        guard let handle = curl_easy_init() else { throw SMTPError("libcurl could not start a transfer") }
        defer { curl_easy_cleanup(handle) }
        var recipients: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(recipients) }
        recipients = curl_slist_append(nil, "<\(message.recipient)>")
        guard recipients != nil else { throw SMTPError("libcurl could not build the recipient list") }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        // libcurl's default read function freads CURLOPT_READDATA: a FILE over the message bytes
        // needs no callback (and no C shim for one).
        var data = message.data
        let outcome = data.withUnsafeMutableBytes { bytes -> Result<CURLcode, SMTPError> in
            guard let file = fmemopen(bytes.baseAddress, bytes.count, "r") else {
                return .failure(SMTPError("could not open the message for reading"))
            }
            defer { fclose(file) }
            func set(_ code: CURLcode) throws(SMTPError) {
                guard code == CURLE_OK else { throw SMTPError(Self.message(code, nil)) }
            }
            do throws(SMTPError) {
                try set(portico_curl_setopt_string(handle, CURLOPT_URL, settings.url))
                try set(portico_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
                try set(portico_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
                try set(portico_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, settings.timeoutSeconds * 1000))
                try set(
                    portico_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(settings.timeoutSeconds, 10) * 1000)
                )
                let tls = settings.url.lowercased().hasPrefix("smtps://") || settings.starttls
                try set(
                    portico_curl_setopt_long(
                        handle, CURLOPT_USE_SSL, Int(tls ? CURLUSESSL_ALL.rawValue : CURLUSESSL_NONE.rawValue)))
                if let ca = settings.caFile { try set(portico_curl_setopt_string(handle, CURLOPT_CAINFO, ca)) }
                if !settings.username.isEmpty {
                    try set(portico_curl_setopt_string(handle, CURLOPT_USERNAME, settings.username))
                    try set(portico_curl_setopt_string(handle, CURLOPT_PASSWORD, password ?? ""))
                }
                try set(portico_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(message.envelopeFrom)>"))
                // A curl_slist pointer passes through the variadic call like any other data pointer.
                try set(portico_curl_setopt_pointer(handle, CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients)))
                try set(portico_curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
                try set(portico_curl_setopt_pointer(handle, CURLOPT_READDATA, UnsafeMutableRawPointer(file)))
                try set(portico_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)))
            } catch {
                return .failure(error)
            }
            return .success(curl_easy_perform(handle))
        }
        let result = try outcome.get()
        guard result != CURLE_OK else { return }
        var reply = 0
        _ = portico_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(cString: errorBuffer)
        // A 5xx to MAIL FROM or AUTH is the installation's problem (sender, credentials), not
        // this message's: keep retrying while someone fixes it. A 5xx to RCPT or DATA is final.
        let permanent = (500..<600).contains(reply) && result != CURLE_LOGIN_DENIED && !detail.hasPrefix("MAIL failed")
        throw SMTPError(
            Self.message(result, detail) + (reply > 0 ? " (server replied \(reply))" : ""),
            replyCode: reply, permanent: permanent)
    }

    static func message(_ code: CURLcode, _ detail: String?) -> String {
        let base = String(cString: curl_easy_strerror(code))
        if let detail, !detail.isEmpty { return "\(detail) (\(base), curl \(code.rawValue))" }
        return "\(base) (curl \(code.rawValue))"
    }
}
