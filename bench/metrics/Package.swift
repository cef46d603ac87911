// swift-tools-version: 6.2
// What swift-metrics with swift-prometheus would cost the portal's redirect path, against the
// hand-written per-thread series Portico uses (README "Metrics: hand-written or swift-prometheus").
// A package of its own so the product never builds these libraries: `bench/metrics/run.sh`.
import PackageDescription

let package = Package(
    name: "MetricsBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .executableTarget(
            name: "MetricsBench",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ])
    ],
    swiftLanguageModes: [.v6]
)
