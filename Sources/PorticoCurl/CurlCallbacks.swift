import CCurl

/// What libcurl's callbacks share during one transfer: where the body goes, the response head
/// being read, the bytes to upload, and the caller's cancellation.
///
/// Not `Sendable` and unlocked on purpose: libcurl calls every callback on the thread running
/// `curl_easy_perform`, and the caller reads the context only after `perform` returned.
final class TransferContext {
    /// Receives each piece of the body; false stops the transfer.
    let onBody: (UnsafeRawBufferPointer) -> Bool
    /// Called once the final response's headers are complete; false stops the transfer.
    let onHead: ((HTTPClient.Head) -> Bool)?
    let cancellation: CurlCancellation?
    /// What CURLOPT_READFUNCTION sends (an SMTP message), and how much of it went.
    var upload: [UInt8] = []
    var uploaded = 0

    /// The response head so far: the last status line's code and the headers after it.
    var status = 0
    var headers: [(name: String, value: String)] = []
    var headComplete = false
    /// A callback (the caller's, or the size limit) asked to stop.
    var stopped = false

    init(
        cancellation: CurlCancellation?, onHead: ((HTTPClient.Head) -> Bool)? = nil,
        onBody: @escaping (UnsafeRawBufferPointer) -> Bool
    ) {
        self.cancellation = cancellation
        self.onHead = onHead
        self.onBody = onBody
    }

    var head: HTTPClient.Head { HTTPClient.Head(status: status, headers: headers) }

    /// One header line as libcurl passes it (CURLOPT_HEADERFUNCTION: a status line, a header, or
    /// the blank line that ends a block). A 1xx block is followed by the real one, so a status
    /// line starts the head afresh; trailers after the head are ignored.
    func headerLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var line = String(decoding: bytes, as: UTF8.self)
        while line.last?.isNewline == true { line.removeLast() }
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = []
            headComplete = false
            return true
        }
        if headComplete { return true }
        if line.isEmpty {
            guard status >= 200 || status == 0 else { return true }
            return completeHead()
        }
        if line.first == " " || line.first == "\t", let last = headers.popLast() {
            // An obsolete folded continuation line (RFC 9112 §5.2): part of the previous value.
            headers.append((last.name, last.value + " " + trimmed(Substring(line))))
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        headers.append((String(line[..<colon]), trimmed(line[line.index(after: colon)...])))
        return true
    }

    /// Marks the head complete and tells the caller; false when the caller stops there.
    func completeHead() -> Bool {
        guard !headComplete else { return true }
        headComplete = true
        if let onHead, !onHead(head) {
            stopped = true
            return false
        }
        return true
    }

    private func trimmed(_ s: Substring) -> String {
        String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// CURLOPT_WRITEFUNCTION: hands each piece of the body to the context. Returning less than was
/// offered makes libcurl end the transfer (CURLE_WRITE_ERROR): for a stop or a cancellation.
func curlBodyCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    if transfer.cancellation?.isCancelled == true { return 0 }
    // Headers always come first over HTTP; this covers a server that sends a body without them.
    if transfer.onHead != nil && !transfer.completeHead() { return 0 }
    let n = size * count
    guard transfer.onBody(UnsafeRawBufferPointer(start: data, count: n)) else {
        transfer.stopped = true
        return 0
    }
    return n
}

/// CURLOPT_HEADERFUNCTION: one line of the response head at a time.
func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    let n = size * count
    return transfer.headerLine(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
}

/// CURLOPT_READFUNCTION: the next bytes of the upload; 0 at its end, CURL_READFUNC_ABORT when
/// cancelled.
func curlReadCallback(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context, let buffer else { return Int(CURL_READFUNC_ABORT) }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    if transfer.cancellation?.isCancelled == true { return Int(CURL_READFUNC_ABORT) }
    let n = min(size * count, transfer.upload.count - transfer.uploaded)
    guard n > 0 else { return 0 }
    transfer.upload.withUnsafeBytes { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + transfer.uploaded, byteCount: n)
    }
    transfer.uploaded += n
    return n
}

/// CURLOPT_XFERINFOFUNCTION: non-zero ends the transfer (CURLE_ABORTED_BY_CALLBACK). libcurl
/// calls it about once a second even while nothing arrives, which bounds how long a cancelled
/// stream keeps waiting.
func curlProgressCallback(
    _ context: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloaded: curl_off_t,
    _ uploadTotal: curl_off_t, _ uploadedNow: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<TransferContext>.fromOpaque(context).takeUnretainedValue()
    return transfer.cancellation?.isCancelled == true ? 1 : 0
}
