import CCurl

/// One message handed to an SMTP server over libcurl (CURLOPT_UPLOAD with CURLOPT_MAIL_FROM and
/// CURLOPT_MAIL_RCPT): the envelope, the message bytes, TLS and AUTH.
///
/// `send` blocks until the server accepted the data (its reply after DATA) or refused; run it
/// on a worker thread. libcurl does the SMTP dot-stuffing of the message.
public struct SMTPSubmission: Sendable {
    /// `smtp://host:587` or `smtps://host:465`; `smtp` and `smtps` only (CURLOPT_PROTOCOLS_STR).
    public var url: String
    /// The envelope sender, bare (`billing@isp.example`): sent as `MAIL FROM:<…>`.
    public var from: String
    /// Envelope recipients, bare: each sent as `RCPT TO:<…>`.
    public var recipients: [String]
    /// The whole message: headers, a blank line, the body, CRLF line ends.
    public var data: [UInt8]
    /// With `smtp://`: refuse to send unless the server upgrades with STARTTLS
    /// (CURLOPT_USE_SSL = CURLUSESSL_ALL); `smtps://` is TLS from the first byte either way.
    public var requireTLS: Bool
    public var tls: CurlTLS
    /// AUTH, with the best mechanism the server offers.
    public var credentials: CurlCredentials?
    public var timeouts: CurlTimeouts

    public init(
        url: String, from: String, recipients: [String], data: [UInt8], requireTLS: Bool = true,
        tls: CurlTLS = CurlTLS(), credentials: CurlCredentials? = nil,
        timeouts: CurlTimeouts = .total(.seconds(30), connectAtMost: .seconds(10))
    ) {
        self.url = url
        self.from = from
        self.recipients = recipients
        self.data = data
        self.requireTLS = requireTLS
        self.tls = tls
        self.credentials = credentials
        self.timeouts = timeouts
    }

    /// Delivers the message; returns once the server accepted its data.
    ///
    /// - Throws: `CurlError` with the server's last reply in `responseCode` (`451`, `550`) and
    ///   libcurl's sentence in `detail` (`RCPT failed: 550`, `MAIL failed: 553`), so the caller
    ///   can tell a refusal of this message from a problem of the installation.
    public func send(cancellation: CurlCancellation? = nil) throws(CurlError) {
        let easy = try CurlEasy()
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        try easy.set(timeouts)
        let tlsRequired = requireTLS || url.lowercased().hasPrefix("smtps://")
        try easy.set(CURLOPT_USE_SSL, Int(tlsRequired ? CURLUSESSL_ALL.rawValue : CURLUSESSL_NONE.rawValue))
        try easy.set(tls)
        if let credentials { try easy.set(credentials) }
        try easy.set(CURLOPT_MAIL_FROM, "<\(from)>")
        try easy.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
        try easy.set(CURLOPT_UPLOAD, 1)
        try easy.set(CURLOPT_INFILESIZE, data.count)
        let context = TransferContext(cancellation: cancellation) { _ in true }
        context.upload = data
        try easy.install(context, headers: false, upload: true)
        try easy.perform()
    }
}
