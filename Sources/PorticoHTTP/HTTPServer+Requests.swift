import CMicroHTTPD

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The per-request steps behind the access handler: a small state machine over
/// `RequestState`, driven by the C callbacks in `HTTPServer+Callbacks.swift`.
extension HTTPServer {
    /// What the access handler should do after one call.
    enum Step {
        /// Return MHD_YES and wait for the next call (more body, or the final call).
        case proceed
        /// Queue this response now.
        case respond(HTTPResponse)
        /// Return MHD_NO: MHD closes the connection without a response.
        case close
    }

    /// One call of the access handler for `state`. `upload` is the chunk MHD offers (empty on
    /// the first and final calls); it is always consumed. `version` is the request line's
    /// protocol as MHD passes it.
    func step(
        _ state: RequestState, connection: OpaquePointer, version: UnsafePointer<CChar>?,
        upload: UnsafeRawBufferPointer
    ) -> Step {
        if !state.headersSeen {
            state.headersSeen = true
            if watchdog.isEnabled, let watch = watch(of: connection) { watchdog.headComplete(watch) }
            if let refusal = refusal(state, connection: connection, version: version) {
                // Answered on the first call: MHD then drops any body and closes the connection
                // after the answer (and `Connection: close` says so).
                var response = HTTPResponse.text(refusal.message, status: refusal.status)
                response.addHeader("Connection", "close")
                return .respond(response)
            }
            if let fastPath, let answer = MHDConnection.withGlance(connection, fastPath) {
                state.fast = answer
                return .proceed
            }
            return firstCall(state, connection: connection)
        }
        if let fast = state.fast {
            // A body the fast answer does not need is read and dropped, within the same bound
            // as after a rejection.
            state.discardedBytes += upload.count
            if state.discardedBytes > 4 * max(configuration.maxBodyBytes, 64 * 1024) { return .close }
            guard upload.isEmpty else { return .proceed }
            state.counted = true
            inFlight.current.value.add(1, ordering: .relaxed)
            return .respond(fast)
        }
        if let job = state.suspended {
            // Called again after MHD_resume_connection (or spuriously before): send the answer.
            return job.takeAnswer().map { .respond($0) } ?? .proceed
        }
        if !upload.isEmpty {
            return receive(state, upload)
        }
        if let rejection = state.rejection { return .respond(rejection) }
        // From here until the completion notification the request is in flight: `stop()`
        // waits for it. Requests still sending their body when `stop()` starts are dropped.
        state.counted = true
        inFlight.current.value.add(1, ordering: .relaxed)
        let request = HTTPRequest(
            method: state.method, path: state.target.path, rawQuery: state.target.rawQuery,
            headers: HTTPHeaders(state.headers), body: state.body, remoteAddress: state.remoteAddress)
        let response = handler(request)
        if let deferral = response.deferral { return suspend(deferral, state, connection: connection) }
        return .respond(response)
    }

    /// Why a complete head must not be served (see `RequestFraming`), checked before the fast
    /// path: the target's bytes, then the header fields.
    private func refusal(_ state: RequestState, connection: OpaquePointer, version: UnsafePointer<CChar>?)
        -> RequestFraming.Refusal?
    {
        if RequestFraming.targetHasForbiddenByte(state.rawTarget) || Self.targetWasCutByNUL(state, version: version) {
            return RequestFraming.Refusal(
                status: 400, message: "Bad request: the request target holds a space or a control character.\n")
        }
        let isHTTP11 = version.map { strcmp($0, "HTTP/1.1") == 0 } ?? false
        return MHDConnection.framing(connection).refusal(isHTTP11: isHTTP11)
    }

    /// libmicrohttpd hands the target over as a C string, so `GET /\0abc` arrives as `/`. It
    /// parses the request line in place (0.9.75, `parse_initial_message_line`): the target and
    /// the version are two pieces of one buffer, the version right after the target's end and
    /// one separator. A version that starts further on means a NUL ended the string early.
    /// Only the two addresses are compared; nothing is read through them.
    static func targetWasCutByNUL(_ state: RequestState, version: UnsafePointer<CChar>?) -> Bool {
        guard let version, state.targetAddress != 0 else { return false }
        let versionAddress = UInt(bitPattern: version)
        guard versionAddress > state.targetAddress else { return false }
        let distance = versionAddress - state.targetAddress
        // Far apart: not one buffer (MHD's empty version for a line without one is a constant).
        return distance > UInt(state.rawTarget.count + 1) && distance <= 1 << 24
    }

    /// Headers are complete: read them, check the target and the declared length.
    private func firstCall(_ state: RequestState, connection: OpaquePointer) -> Step {
        MHDConnection.collectHeaders(connection, into: &state.headers)
        state.remoteAddress = MHDConnection.remoteAddress(connection)
        do {
            state.target = try RequestTarget.parse(state.rawTarget)
        } catch {
            state.rejection = .text("Bad request: the path is not correctly percent-encoded.\n", status: 400)
        }
        if let declared = HTTPHeaders(state.headers)["Content-Length"], let length = UInt64(declared),
            length > UInt64(configuration.maxBodyBytes)
        {
            // Answered before the body is read (no 100-continue); MHD then closes the connection.
            return .respond(tooLarge())
        }
        return .proceed
    }

    /// A body chunk: keep it, or drop it once the request is rejected.
    private func receive(_ state: RequestState, _ chunk: UnsafeRawBufferPointer) -> Step {
        if state.rejection == nil && state.body.count + chunk.count > configuration.maxBodyBytes {
            state.rejection = tooLarge()
            state.body = []
        }
        if state.rejection != nil {
            state.discardedBytes += chunk.count
            // Reading and dropping is how the 413 reaches the client; a client that keeps
            // sending far beyond the limit is cut off instead.
            return state.discardedBytes > 4 * max(configuration.maxBodyBytes, 64 * 1024) ? .close : .proceed
        }
        state.body.append(contentsOf: chunk)
        return .proceed
    }

    private func tooLarge() -> HTTPResponse {
        .text("Request body too large: the limit is \(configuration.maxBodyBytes) bytes.\n", status: 413)
    }

    /// The request has finished (response sent, or connection gone).
    func completed(_ state: RequestState) {
        if state.counted {
            state.counted = false
            inFlight.current.value.subtract(1, ordering: .relaxed)
        }
        statePool.current.give(state)
    }
}
