// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Portico",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "portico", targets: ["portico"]),
        // The modules as a library, for the fuzz package (`fuzz/`), which depends on this one by path.
        .library(
            name: "PorticoModules",
            targets: [
                "PorticoCore", "PorticoStore", "PorticoHTTP", "PorticoFirewall", "PorticoPayments", "PorticoWebSupport",
                "PorticoPortal", "PorticoAdmin", "PorticoAPI", "PorticoApp", "PorticoRadius",
            ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // System libraries (C). Each has a module map and a header that includes the library.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(
            name: "CNetfilter", pkgConfig: "libnftnl",
            providers: [.apt(["libnftnl-dev", "libmnl-dev", "libnetfilter-conntrack-dev"])]),
        // libcurl's easy interface; only PorticoCurl imports it.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // The pure core: money, calendar, plans, services, terms, the invoice engine, the rules.
        .target(name: "PorticoCore"),
        // SQLite: connection, statements, migrations, repositories, the operations' transactions.
        .target(name: "PorticoStore", dependencies: ["PorticoCore", "CSQLite"]),
        // libmicrohttpd wrapper: server, request/response values, forms, cookies.
        .target(
            name: "PorticoHTTP",
            dependencies: ["CMicroHTTPD", .product(name: "Logging", package: "swift-log")]),
        // nftables over netlink (libnftnl/libmnl) and conntrack; the `off` backend.
        .target(
            name: "PorticoFirewall",
            dependencies: ["PorticoCore", "CNetfilter", .product(name: "Logging", package: "swift-log")]),
        // The one libcurl wrapper: HTTP(S) requests (buffered or streamed) and SMTP submission,
        // blocking the calling thread; used by mail, the payment gateways and what comes next.
        .target(name: "PorticoCurl", dependencies: ["CCurl"]),
        // Payment gateways: the interface, the built-in test gateway, Stripe.
        .target(
            name: "PorticoPayments",
            dependencies: ["PorticoCore", "PorticoCurl", .product(name: "Crypto", package: "swift-crypto")]),
        // What the three web modules share: templates, the router, CSRF, request metrics, JSON.
        .target(
            name: "PorticoWebSupport",
            dependencies: [
                "PorticoCore", "PorticoStore", "PorticoHTTP",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Pages for clients in a browser: the portal, checkouts, webhooks, RFC 8908.
        .target(
            name: "PorticoPortal",
            dependencies: [
                "PorticoCore", "PorticoStore", "PorticoHTTP", "PorticoWebSupport", "PorticoPayments",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The admin web UI.
        .target(
            name: "PorticoAdmin",
            dependencies: [
                "PorticoCore", "PorticoStore", "PorticoHTTP", "PorticoWebSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The JSON API under /api/v1 for admins' tools and routers.
        .target(
            name: "PorticoAPI",
            dependencies: [
                "PorticoCore", "PorticoStore", "PorticoHTTP", "PorticoWebSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // RADIUS: the packet codec (RFC 2865/2866/3579/5176, MD5 and HMAC-MD5 from swift-crypto), a
        // small dictionary, and the CoA/Disconnect client a NAS target sends its changes with.
        .target(
            name: "PorticoRadius",
            dependencies: [
                "PorticoCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Email to clients: the outbox delivered over SMTP (STARTTLS, AUTH) through libcurl.
        .target(
            name: "PorticoMail",
            dependencies: [
                "PorticoCore", "PorticoStore", "PorticoCurl", .product(name: "Logging", package: "swift-log"),
            ]),
        // Configuration, wiring, the services (listeners, daily-run scheduler, reconciler, mail).
        .target(
            name: "PorticoApp",
            dependencies: [
                "PorticoCore", "PorticoStore", "PorticoFirewall", "PorticoHTTP", "PorticoPayments", "PorticoMail",
                "PorticoWebSupport", "PorticoPortal", "PorticoAdmin", "PorticoAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),
        // The command line, nothing else.
        .executableTarget(
            name: "portico",
            dependencies: ["PorticoApp", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(
            name: "PorticoCoreTests",
            dependencies: ["PorticoCore", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "PorticoStoreTests", dependencies: ["PorticoStore", "PorticoCore", "PorticoTestSupport"]),
        // Test helpers shared by the test targets (an HTTP client that binds a chosen source address;
        // network namespaces and the client/router/internet topology).
        .target(name: "PorticoTestSupport", path: "Tests/Support"),
        .testTarget(name: "PorticoHTTPTests", dependencies: ["PorticoHTTP", "PorticoTestSupport"]),
        // libcurl against servers on loopback: PorticoHTTP's server, a raw socket stream, TLS.
        .testTarget(name: "PorticoCurlTests", dependencies: ["PorticoCurl", "PorticoHTTP", "PorticoTestSupport"]),
        .testTarget(
            name: "PorticoWebTests",
            dependencies: [
                "PorticoWebSupport", "PorticoPortal", "PorticoAdmin", "PorticoAPI", "PorticoApp", "PorticoStore",
                "PorticoCore", "PorticoHTTP", "PorticoFirewall", "PorticoPayments", "PorticoTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "PorticoFirewallTests", dependencies: ["PorticoFirewall", "PorticoCore", "PorticoTestSupport"]),
        // End to end: the real `portico` binary in network namespaces (client, router, internet host).
        .testTarget(
            name: "PorticoLabTests",
            dependencies: [
                "PorticoApp", "PorticoStore", "PorticoCore", "PorticoFirewall", "PorticoWebSupport",
                "PorticoTestSupport",
            ]),
        .testTarget(
            name: "PorticoPaymentsTests",
            dependencies: [
                "PorticoPayments", "PorticoCore", "PorticoHTTP", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Configuration, lifecycle (the built `portico` runs as a subprocess), scheduler, mail, metrics.
        .testTarget(
            name: "PorticoAppTests",
            dependencies: [
                "PorticoApp", "PorticoMail", "PorticoStore", "PorticoCore", "PorticoWebSupport", "PorticoHTTP",
                "PorticoTestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        // The RADIUS codec and client against pyrad as the NAS; FreeRADIUS with deploy/freeradius.
        .testTarget(
            name: "PorticoRadiusTests",
            dependencies: [
                "PorticoRadius", "PorticoCore", "PorticoHTTP", "PorticoTestSupport",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ]),
        // Crash safety (SIGKILL while clients pay) and load (idle, slow and flooding clients) against
        // the built `portico serve` as a subprocess.
        .testTarget(
            name: "PorticoProofTests",
            dependencies: ["PorticoStore", "PorticoCore", "PorticoWebSupport", "PorticoTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
