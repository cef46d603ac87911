import Logging
import PorticoCore
import PorticoFirewall
import PorticoPayments
import PorticoStore

/// `portico firewall status|sync`: the walled garden of a configuration against a database,
/// outside a running server (the same table, sets and rules `serve` builds).
public enum WalledGardenMaintenance {
    /// The nftables backend as `serve` would build it from `configuration` (changes nothing yet).
    public static func firewall(_ configuration: PorticoConfiguration, logger: Logger) throws -> NftablesFirewall {
        var c = configuration
        c.firewall = .nftables
        guard let firewall = try PorticoServer.makeFirewall(c, logger: logger) as? NftablesFirewall else {
            throw FirewallConfigurationError.portalAddress(c.dnatIPv4 ?? c.portalListen.host)
        }
        return firewall
    }

    /// What the sets must hold: the database's stopped addresses; the configured destinations,
    /// the portal, and the allowlist's names resolved now (bounded by `resolverTimeoutSeconds`):
    /// `PorticoServer.walledGardenState` over a fresh resolution.
    public static func expectedState(_ c: PorticoConfiguration, store: Store, logger: Logger) throws
        -> WalledGardenState
    {
        // Stripe's hosts are a fixed list; a gateway that cannot be built lists none.
        let hosts = PorticoServer.allowlistHosts(
            c, gateway: c.gateway == .stripe ? (try? StripeGateway(settings: c.stripe))?.allowedHosts ?? [] : [])
        let resolver = AllowlistResolver(hosts: hosts, timeout: .seconds(c.resolverTimeoutSeconds), logger: logger)
        resolver.refresh()
        return try PorticoServer.walledGardenState(c, store: store, hosts: resolver.addresses)
    }
}
