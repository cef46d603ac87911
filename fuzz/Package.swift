// swift-tools-version: 6.1
// libFuzzer targets for Portico's parsers (see README "Fuzzing"). A package of its own, so the main
// `swift build` never compiles sanitizer targets; build it with `make fuzz-short` or `make fuzz`,
// which pass `-sanitize=fuzzer,address` to every Swift module (the product's modules included, so
// libFuzzer sees their coverage).
import PackageDescription

/// An executable whose `main` is libFuzzer's: `-parse-as-library` keeps Swift from emitting one.
func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name, dependencies: ["FuzzSupport"] + dependencies,
        swiftSettings: [.unsafeFlags(["-parse-as-library"])])
}

let portico: Target.Dependency = .product(name: "PorticoModules", package: "Portico")

let package = Package(
    name: "PorticoFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Portico", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // libFuzzer's driver and the invariant check every target uses.
        .target(name: "FuzzSupport"),
        // Query strings and form bodies (`FormDecoder`, `PercentDecoding`) and request targets.
        fuzzTarget("FuzzForm", [portico]),
        // Request heads: the target and the header fields checked before any answer (`RequestFraming`).
        fuzzTarget("FuzzHead", [portico]),
        // The `Cookie` header (`CookieParser`).
        fuzzTarget("FuzzCookie", [portico]),
        // The admin API's JSON bodies: the RFC 8259 checker, `APIBody.decode`, the handlers.
        fuzzTarget("FuzzJSON", [portico, .product(name: "Logging", package: "swift-log")]),
        // `Stripe-Signature` parsing and verification.
        fuzzTarget("FuzzStripe", [portico, .product(name: "Crypto", package: "swift-crypto")]),
        // RADIUS packets: `RadiusPacket.decode`, encoding, the authenticators' checks and signing.
        fuzzTarget("FuzzRadius", [portico, .product(name: "Crypto", package: "swift-crypto")]),
    ],
    swiftLanguageModes: [.v6]
)
