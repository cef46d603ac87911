import CMicroHTTPD

/// A libmicrohttpd response built once and queued for any number of requests, on any of the
/// server's threads (MHD counts its references under its own lock). Saves, per request, the
/// body copy, the header copies and the checks `MHDConnection.queue` makes on an ordinary
/// `HTTPResponse`. Created through `HTTPResponse.prepared(_:)`.
public final class PreparedResponse: Sendable {
    /// Why a response could not be prepared: the same checks as for every response.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    let status: UInt32
    nonisolated(unsafe) let handle: OpaquePointer

    init(_ response: HTTPResponse) throws(Invalid) {
        if let problem = MHDConnection.problem(in: response) { throw Invalid(description: problem) }
        let created = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(
                bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let created else { throw Invalid(description: "libmicrohttpd could not create the response") }
        for header in response.headers where !HTTPHeaders.equalIgnoringASCIICase(header.name, "Content-Length") {
            guard MHD_add_response_header(created, header.name, header.value) == .YES else {
                MHD_destroy_response(created)
                throw Invalid(description: "libmicrohttpd refused response header \(header.name)")
            }
        }
        status = UInt32(response.status)
        handle = created
    }

    deinit { MHD_destroy_response(handle) }
}
