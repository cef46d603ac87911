import CMicroHTTPD

/// Reads from and answers on one libmicrohttpd connection.
enum MHDConnection {
    /// All request headers in order (MHD_get_connection_values_n, MHD_HEADER_KIND), appended to
    /// `fields` (a reused request state keeps its array's storage).
    static func collectHeaders(_ connection: OpaquePointer, into fields: inout [(name: String, value: String)]) {
        withUnsafeMutablePointer(to: &fields) { pointer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, collectHeader, pointer)
        }
    }

    /// Every request header fed to a `RequestFraming` in place (MHD_get_connection_values_n,
    /// MHD_HEADER_KIND): nothing is copied unless the framing needs it.
    static func framing(_ connection: OpaquePointer) -> RequestFraming {
        var framing = RequestFraming()
        withUnsafeMutablePointer(to: &framing) { pointer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, scanHeader, pointer)
        }
        return framing
    }

    /// The client's textual IP (MHD_CONNECTION_INFO_CLIENT_ADDRESS).
    static func remoteAddress(_ connection: OpaquePointer) -> String {
        guard let address = portico_mhd_client_address(connection) else { return "" }
        return SocketAddressText.ip(address)
    }

    /// Sends `response` (MHD_create_response_from_buffer with copy, then MHD_queue_response).
    /// A response with an invalid status or header becomes a logged `500`.
    static func queue(_ response: HTTPResponse, on connection: OpaquePointer, server: HTTPServer) -> MHD_Result {
        if let prepared = response.preparedHandle {
            return MHD_queue_response(connection, prepared.status, prepared.handle)
        }
        if let problem = problem(in: response) {
            server.logger.info("handler returned an invalid response: \(problem); sending 500")
            return queue(.text("Internal server error\n", status: 500), on: connection, server: server)
        }
        let body = response.body
        let created = body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(
                bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let created else { return .NO }
        defer { MHD_destroy_response(created) }
        for header in response.headers where !HTTPHeaders.equalIgnoringASCIICase(header.name, "Content-Length") {
            if MHD_add_response_header(created, header.name, header.value) != .YES {
                server.logger.info("libmicrohttpd refused response header \(header.name); sending 500")
                return queue(.text("Internal server error\n", status: 500), on: connection, server: server)
            }
        }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }

    /// Why `response` cannot be sent as is, or nil.
    static func problem(in response: HTTPResponse) -> String? {
        guard (100...599).contains(response.status) else { return "status \(response.status)" }
        for header in response.headers {
            guard !header.name.isEmpty, header.name.utf8.allSatisfy(RequestFraming.isTokenByte) else {
                return "header name \"\(header.name)\""
            }
            if header.value.utf8.contains(where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D }) {
                return "control character in header \(header.name)"
            }
        }
        return nil
    }
}
