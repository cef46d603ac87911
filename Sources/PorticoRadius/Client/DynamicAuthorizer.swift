/// What a NAS should do with a session when its walled-garden state or speed changes.
public struct DynamicAuthorizationPolicy: Sendable, Equatable {
    /// Disconnect instead of CoA (for a NAS that cannot change a session, or an ISP that wants the
    /// client to reconnect and be authorized afresh).
    public var disconnectOnly: Bool
    /// After a CoA-NAK, send a Disconnect-Request (the client reconnects and its new
    /// Access-Request gets the new attributes). Not after a NAK of Session-Context-Not-Found: there
    /// is no session to drop.
    public var disconnectAfterNAK: Bool
    /// Add Event-Timestamp (RFC 5176 §3.4: lets a NAS refuse old requests replayed later).
    public var eventTimestamp: Bool

    public init(disconnectOnly: Bool = false, disconnectAfterNAK: Bool = true, eventTimestamp: Bool = true) {
        self.disconnectOnly = disconnectOnly
        self.disconnectAfterNAK = disconnectAfterNAK
        self.eventTimestamp = eventTimestamp
    }
}

/// How a change reached (or did not reach) a session.
public enum DynamicAuthorizationVerdict: Sendable, Equatable {
    /// CoA-ACK: the session runs on with the new attributes.
    case changed
    /// Disconnect-ACK: the session was dropped; its next one is authorized afresh.
    case disconnected
    /// The NAS has no such session (Error-Cause 503): nothing is left to change.
    case sessionGone
    /// NAK'd with no fallback left: sending the same request again will not help.
    case refused(ErrorCause?)
    /// No verified answer: the NAS may be down or the secret wrong; try again later.
    case unanswered

    /// Whether a delivery loop is done with this change (everything but `.unanswered`).
    public var isFinal: Bool { self != .unanswered }
}

/// The exchanges of one change: the CoA (unless Disconnect only), then the Disconnect if any.
public struct DynamicAuthorizationResult: Sendable, Equatable {
    public var coa: CoAOutcome?
    public var disconnect: CoAOutcome?
    public var verdict: DynamicAuthorizationVerdict
}

/// The policy over the client: CoA first, Disconnect where configured or after a CoA-NAK.
public struct DynamicAuthorizer: Sendable {
    public let client: CoAClient
    public let policy: DynamicAuthorizationPolicy
    /// Seconds since 1970 for Event-Timestamp; injected so tests (and replays) are exact.
    let now: @Sendable () -> UInt32

    public init(
        client: CoAClient, policy: DynamicAuthorizationPolicy = DynamicAuthorizationPolicy(),
        now: @escaping @Sendable () -> UInt32
    ) {
        self.client = client
        self.policy = policy
        self.now = now
    }

    /// Why a change could not be sent.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case session(SessionIdentity.Invalid)
        case client(CoAClientError)

        public var description: String {
            switch self {
            case .session(let error): "\(error)"
            case .client(let error): "\(error)"
            }
        }
    }

    /// Applies `attributes` (e.g. Mikrotik-Address-List, Mikrotik-Rate-Limit) to `session` at `nas`.
    public func apply(
        _ attributes: [RadiusAttribute], to session: SessionIdentity, at nas: NASEndpoint
    ) throws(Failure) -> DynamicAuthorizationResult {
        let identity: [RadiusAttribute]
        do { identity = try session.attributes() } catch { throw .session(error) }
        let stamp = policy.eventTimestamp ? [RadiusAttribute.integer(.eventTimestamp, now())] : []
        var result = DynamicAuthorizationResult(coa: nil, disconnect: nil, verdict: .unanswered)
        if !policy.disconnectOnly {
            let outcome = try send(.coaRequest, identity + attributes + stamp, nas)
            result.coa = outcome
            switch outcome {
            case .ack:
                result.verdict = .changed
                return result
            case .timeout:
                return result
            case .nak(let cause, _):
                if cause?.isSessionGone == true {
                    result.verdict = .sessionGone
                    return result
                }
                guard policy.disconnectAfterNAK else {
                    result.verdict = .refused(cause)
                    return result
                }
            }
        }
        let outcome = try send(.disconnectRequest, identity + stamp, nas)
        result.disconnect = outcome
        switch outcome {
        case .ack: result.verdict = .disconnected
        case .timeout: result.verdict = .unanswered
        case .nak(let cause, _): result.verdict = cause?.isSessionGone == true ? .sessionGone : .refused(cause)
        }
        return result
    }

    /// Drops `session` at `nas` (Disconnect-Request only).
    public func disconnect(_ session: SessionIdentity, at nas: NASEndpoint) throws(Failure)
        -> DynamicAuthorizationResult
    {
        let only = DynamicAuthorizer(
            client: client,
            policy: DynamicAuthorizationPolicy(disconnectOnly: true, eventTimestamp: policy.eventTimestamp),
            now: now)
        return try only.apply([], to: session, at: nas)
    }

    private func send(_ code: RadiusCode, _ attributes: [RadiusAttribute], _ nas: NASEndpoint) throws(Failure)
        -> CoAOutcome
    {
        do { return try client.send(code, attributes: attributes, to: nas) } catch { throw .client(error) }
    }
}
