import PorticoCore
import PorticoStore

/// How the web modules reach the walled garden: what a store operation changed goes out to it,
/// and the admin's pages ask how it stands. The web modules never see the firewall; PorticoApp
/// implements this over it and the client directory (`LocalWalledGarden`).
public protocol WalledGarden: Sendable {
    /// Carries out what a store operation did (`WalledGardenDelta`): every target first,
    /// acknowledged before this returns, then the in-memory directory. It does not throw: the
    /// database is the truth, and a target that failed is logged and repaired by the reconciler.
    func apply(_ delta: WalledGardenDelta)

    /// A client's addresses changed (a service created, edited or put on hold): the directory
    /// follows, so the portal recognises the new addresses at once.
    func refresh(clientId: Int64) throws

    /// How every target stands against the database's stopped addresses.
    func status() throws -> WalledGardenReport

    /// The client whose service holds `prefix`, if any (the admin's walled-garden page).
    func client(owning prefix: IPPrefix) -> Int64?
}

/// The walled garden as it stands: the database's stopped addresses (the truth), and each
/// target that enforces them. Today there is one target, the local firewall; routers that keep
/// their own lists will be more.
public struct WalledGardenReport: Sendable, Equatable {
    /// The addresses the database says are stopped.
    public var stopped: Set<IPPrefix>
    public var targets: [WalledGardenTarget]

    public init(stopped: Set<IPPrefix>, targets: [WalledGardenTarget]) {
        self.stopped = stopped
        self.targets = targets
    }
}

/// One place that enforces the walled garden, and how it stands against the database.
public struct WalledGardenTarget: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// nftables sets on this machine (or the `off` backend, which only records).
        case localFirewall
    }

    public enum State: Sendable, Equatable {
        /// It holds exactly the stopped addresses.
        case inSync
        /// It was read and differs (`missing`, `extra`); the reconciler repairs it.
        case drifted
        /// It could not be read; the message says why.
        case unreachable(String)
    }

    /// What the admin reads it as (`nftables`, `off`).
    public var name: String
    public var kind: Kind
    public var state: State
    /// The addresses it holds; nil when it could not be read.
    public var held: Set<IPPrefix>?
    /// Stopped in the database, absent from the target.
    public var missing: [IPPrefix]
    /// Held by the target, not stopped in the database.
    public var extra: [IPPrefix]

    public init(
        name: String, kind: Kind, state: State, held: Set<IPPrefix>?, missing: [IPPrefix] = [],
        extra: [IPPrefix] = []
    ) {
        self.name = name
        self.kind = kind
        self.state = state
        self.held = held
        self.missing = missing
        self.extra = extra
    }

    /// The target compared with the database's stopped addresses; `held` nil with the reason
    /// when it could not be read.
    public static func compared(
        name: String, kind: Kind, stopped: Set<IPPrefix>, held: Result<Set<IPPrefix>, any Error>
    ) -> WalledGardenTarget {
        switch held {
        case .success(let held):
            let missing = stopped.subtracting(held).sorted()
            let extra = held.subtracting(stopped).sorted()
            return WalledGardenTarget(
                name: name, kind: kind, state: missing.isEmpty && extra.isEmpty ? .inSync : .drifted, held: held,
                missing: missing, extra: extra)
        case .failure(let error):
            return WalledGardenTarget(
                name: name, kind: kind, state: .unreachable("\(error)"), held: nil, missing: stopped.sorted())
        }
    }
}
