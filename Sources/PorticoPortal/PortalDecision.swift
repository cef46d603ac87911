import PorticoCore
import PorticoWebSupport

/// What the portal answers a request with, decided from the request's host and path and what
/// is known about the client — with no HTTP types, so the rule is testable on its own.
public enum PortalDecision: Equatable, Sendable {
    /// 302 to the portal page (`Cache-Control: no-store`): a stopped client asked for a foreign
    /// host (any page, or an operating system's captive-portal probe).
    case redirectToPortal
    /// A client that is not stopped reached us for a foreign host (a stale redirect): a short
    /// page saying the service is active, never a redirect loop.
    case serviceActive
    /// An address that belongs to no service.
    case unknownClient
    /// A request for the portal itself: route it.
    case portal

    /// `ownHost`: the request's Host (without port) is the portal's, or absent.
    public static func decide(ownHost: Bool, client: ClientDirectory.Entry?) -> PortalDecision {
        decide(ownHost: ownHost, standing: client.map { $0.stopped ? .stopped : .active } ?? .unknown)
    }

    /// The same rule from the address's standing alone.
    public static func decide(ownHost: Bool, standing: ClientDirectory.Standing) -> PortalDecision {
        if ownHost { return .portal }
        switch standing {
        case .unknown: return .unknownClient
        case .active: return .serviceActive
        case .stopped: return .redirectToPortal
        }
    }
}
