// swift-tools-version: 6.1
// Can TOMLKit (toml++ underneath) say which line of portico.toml a value came from? Portico's
// configuration errors name it (`/etc/portico/portico.toml:23: portal.listen: …`). `run.sh`
// builds this from scratch (timing the build) and prints what TOMLKit offers; see the comment at
// the top of Sources/PorticoApp/Config/TOMLDocument.swift for the answer.
import PackageDescription

let package = Package(
    name: "TOMLLineProbe",
    dependencies: [.package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0")],
    targets: [.executableTarget(name: "TOMLLineProbe", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")])]
)
