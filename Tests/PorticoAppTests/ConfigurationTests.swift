import Foundation
import Synchronization
import Testing

@testable import PorticoApp

@Suite struct ConfigurationTests {
    let dir: TempDirectory
    init() throws { dir = try TempDirectory("portico-config") }

    func load(
        _ toml: String?, env: [String: String] = [:], flags: [(String, String, String)] = [],
        validate: Bool = true
    ) throws -> LoadedConfiguration {
        let file = try toml.map { try dir.file("portico.toml", $0) }
        return try ConfigurationLoader.load(
            ConfigurationSources(
                file: file, environment: env, flags: flags.map { (flag: $0.0, key: $0.1, value: $0.2) }),
            validate: validate)
    }

    func error(_ toml: String?, env: [String: String] = [:], flags: [(String, String, String)] = [])
        -> ConfigurationError?
    {
        do {
            _ = try load(toml, env: env, flags: flags)
            return nil
        } catch let e as ConfigurationError {
            return e
        } catch {
            return ConfigurationError(key: nil, origin: nil, "unexpected \(error)")
        }
    }

    @Test func precedenceIsFileThenEnvironmentThenFlag() throws {
        let toml = """
            [portal]
            listen = "127.0.0.1:1080"
            url = "http://from-file.example"
            [admin]
            listen = "127.0.0.1:1081"
            [isp]
            name = "File ISP"
            """
        let fileOnly = try load(toml).configuration
        #expect(fileOnly.portalListen.port == 1080 && fileOnly.ispName == "File ISP")

        let env = ["PORTICO_PORTAL_LISTEN": "127.0.0.1:2080", "PORTICO_ISP_NAME": "Env ISP"]
        let withEnv = try load(toml, env: env)
        #expect(withEnv.configuration.portalListen.port == 2080)
        #expect(withEnv.configuration.ispName == "Env ISP")
        #expect(withEnv.configuration.adminListen.port == 1081)  // untouched: still the file's
        #expect(withEnv.origins["portal.listen"] == .environment("PORTICO_PORTAL_LISTEN"))

        let withFlag = try load(toml, env: env, flags: [("--portal-listen", "portal.listen", "127.0.0.1:3080")])
        #expect(withFlag.configuration.portalListen.port == 3080)
        #expect(withFlag.configuration.ispName == "Env ISP")
        #expect(withFlag.configuration.portalURL == "http://from-file.example")
        #expect(withFlag.origins["portal.listen"] == .flag("--portal-listen"))
        #expect(withFlag.origins["portal.url"] == .file(path: dir.path + "/portico.toml", line: 3))
    }

    @Test func defaultsWithoutAFile() throws {
        let c = try load(nil, env: [:]).configuration
        #expect(
            c.databasePath == "/var/lib/portico/portico.db"
                || FileManager.default.fileExists(atPath: ConfigurationLoader.defaultPath))
        #expect(c.firewall == .off && c.gateway == .test && !c.smtp.isEnabled)
    }

    @Test func typedValuesFromEnvironmentAndFlags() throws {
        let c = try load(
            nil,
            env: [
                "PORTICO_PORTAL_TRUSTED_PROXIES": "10.0.0.1, 10.0.1.0/24",
                "PORTICO_SMTP_STARTTLS": "no",
                "PORTICO_PORTAL_CONNECTIONS_PER_ADDRESS": "16",
                "PORTICO_FIREWALL_DNAT_IPV4": "192.0.2.1",
            ], flags: [("--set smtp.maxAttempts", "smtp.maxAttempts", "3")], validate: false
        ).configuration
        #expect(c.trustedProxies.map(\.description) == ["10.0.0.1", "10.0.1.0/24"])
        #expect(c.smtp.starttls == false && c.smtp.maxAttempts == 3)
        #expect(c.portalHTTP.perAddressConnectionLimit == 16)
        #expect(c.dnatIPv4 == "192.0.2.1")
    }

    @Test func environmentNames() {
        let names = Dictionary(uniqueKeysWithValues: ConfigurationKey.all.map { ($0.name, $0.environmentName) })
        #expect(names["portal.trustedProxies"] == "PORTICO_PORTAL_TRUSTED_PROXIES")
        #expect(names["firewall.dnatIPv4"] == "PORTICO_FIREWALL_DNAT_IPV4")
        #expect(names["isp.venueInfoURL"] == "PORTICO_ISP_VENUE_INFO_URL")
        #expect(names["stripe.secretKeyFile"] == "PORTICO_STRIPE_SECRET_KEY_FILE")
        #expect(Set(names.values).count == names.count)
    }

    @Test func aBadValueNamesTheKeyAndTheLine() throws {
        let e = try #require(
            error(
                """
                # Portico
                [portal]
                listen = "0.0.0.0:80"

                [admin]
                listen = "localhost"
                """))
        #expect(e.key == "admin.listen")
        #expect(e.origin == .file(path: dir.path + "/portico.toml", line: 6))
        #expect(
            e.description
                == "\(dir.path)/portico.toml:6: admin.listen: 'localhost' is not HOST:PORT (IPv6 in brackets: [::]:80)")
    }

    @Test func aListenerTakesAnAddressNotAName() throws {
        let e = try #require(error("portal.listen = \"localhost:8080\"\n"))
        #expect(
            e.description.hasSuffix(
                "portico.toml:1: portal.listen: 'localhost:8080' is not HOST:PORT: the host must be an IP address "
                    + "(names are not resolved) (IPv6 in brackets: [::]:80)"))
        #expect(
            try load("portal.listen = \"[::]:80\"\nadmin.listen = \"0.0.0.0:8081\"\n").configuration.adminListen.port
                == 8081)
    }

    @Test func wrongTypeNamesKeyAndLine() throws {
        let e = try #require(error("smtp.maxAttempts = \"three\"\nsmtp.pollSeconds = 0\n"))
        #expect(e.description.hasSuffix("portico.toml:1: smtp.maxAttempts: expected a whole number, found a string"))
        let range = try #require(error("smtp.pollSeconds = 0\n"))
        #expect(range.description.hasSuffix("portico.toml:1: smtp.pollSeconds: 0 is out of range (1…3600)"))
    }

    @Test func unknownKeysAreRefusedWithASuggestion() throws {
        let e = try #require(error("[portal]\nlisten = \"127.0.0.1:80\"\nlsten = \"x\"\n"))
        #expect(e.description.hasSuffix("portico.toml:3: portal.lsten: unknown key; did you mean 'portal.listen'?"))
        let billing = try #require(error("[billing]\nrunAt = \"01:00\"\n"))
        #expect(billing.key == "billing.runAt")
        #expect(billing.message.contains("live in the database"))
    }

    @Test func syntaxErrorsNameTheLine() throws {
        let cases: [(String, Int, String)] = [
            ("a = 1\n[portal\n", 2, "expected ']'"),
            ("[portal]\nlisten = 127.0.0.1:80\n", 2, "dates and times"),
            ("isp.name = \"x\"\nisp.name = \"y\"\n", 2, "already set on line 1"),
            ("isp.name = \"unterminated\n", 1, "not closed"),
            ("[[x]]\n", 1, "arrays of tables"),
            ("isp.name = \"a\" \"b\"\n", 1, "after the value"),
        ]
        for (toml, line, fragment) in cases {
            let e = try #require(error(toml), "\(toml)")
            #expect(e.origin == .file(path: dir.path + "/portico.toml", line: line), "\(toml)")
            #expect(e.message.contains(fragment), "\(e)")
        }
    }

    @Test func tomlFeatures() throws {
        let doc = try TOMLDocument(
            parsing: #"""
                # comment
                title = "T\u00e9st\t\"q\""   # trailing comment
                literal = 'C:\path'
                multi = """
                one \
                  two"""
                n = 1_000
                hex = 0xff
                neg = -3
                f = 2.5
                yes = true
                list = [
                  "a",  # first
                  "b",
                ]
                inline = { x = 1, y.z = "w" }
                [a."quoted key".b]
                c = false
                """#)
        #expect(doc.entries["title"]?.value == .string("Tést\t\"q\""))
        #expect(doc.entries["literal"]?.value == .string(#"C:\path"#))
        #expect(doc.entries["multi"]?.value == .string("one two"))
        #expect(doc.entries["n"]?.value == .integer(1000))
        #expect(doc.entries["hex"]?.value == .integer(255))
        #expect(doc.entries["neg"]?.value == .integer(-3))
        #expect(doc.entries["f"]?.value == .float(2.5))
        #expect(doc.entries["yes"]?.value == .bool(true))
        #expect(doc.entries["list"]?.value == .array([.string("a"), .string("b")]))
        #expect(doc.entries["list"]?.line == 12)
        #expect(doc.entries["inline.y.z"]?.value == .string("w"))
        #expect(doc.entries["a.quoted key.b.c"]?.line == 18)
    }

    @Test func environmentErrorsNameTheVariable() throws {
        let e = try #require(error(nil, env: ["PORTICO_ADMIN_LISTEN": "nope"]))
        #expect(
            e.description
                == "environment PORTICO_ADMIN_LISTEN: admin.listen: 'nope' is not HOST:PORT (IPv6 in brackets: [::]:80)"
        )
        let flag = try #require(error(nil, flags: [("--set smtp.starttls", "smtp.starttls", "maybe")]))
        #expect(flag.description == "flag --set smtp.starttls: smtp.starttls: 'maybe' is not true or false")
    }

    /// Kubernetes' service links of a Service named `portico`, as a pod in its namespace gets them.
    static let serviceLinks = [
        "PORTICO_SERVICE_HOST": "10.96.0.12", "PORTICO_SERVICE_PORT": "80", "PORTICO_SERVICE_PORT_HTTP": "80",
        "PORTICO_PORT": "tcp://10.96.0.12:80", "PORTICO_PORT_80_TCP": "tcp://10.96.0.12:80",
        "PORTICO_PORT_80_TCP_PROTO": "tcp", "PORTICO_PORT_80_TCP_PORT": "80", "PORTICO_PORT_80_TCP_ADDR": "10.96.0.12",
    ]

    /// Collects what the loader warns about.
    final class Warnings: Sendable {
        let texts = Mutex<[String]>([])
        var all: [String] { texts.withLock { $0 } }
        var sink: @Sendable (String) -> Void { { text in self.texts.withLock { $0.append(text) } } }
    }

    @Test func strayVariablesAreIgnoredWithOneWarning() throws {
        var env = Self.serviceLinks
        env["PORTICO_CHECKOUT"] = "1"
        env["PORTICO_PORTAL_LISTN"] = "127.0.0.1:9"
        env["PORTICO_ISP_NAME"] = "Env ISP"
        let warnings = Warnings()
        let loaded = try ConfigurationLoader.load(ConfigurationSources(environment: env, warn: warnings.sink))
        #expect(loaded.configuration.ispName == "Env ISP")
        #expect(loaded.configuration.portalListen.port != 9)
        #expect(warnings.all.count == 1)
        #expect(loaded.warnings == warnings.all)
        let text = try #require(warnings.all.first)
        for variable in env.keys where variable != "PORTICO_ISP_NAME" {
            #expect(text.contains(variable), "\(variable) not named in: \(text)")
        }
        #expect(text.hasPrefix("environment: ignoring PORTICO_CHECKOUT, PORTICO_PORT, "))
        #expect(text.contains("PORTICO_PORTAL_LISTN (did you mean PORTICO_PORTAL_LISTEN?)"))
        #expect(text.contains("Kubernetes service links of a Service named portico"))
        #expect(!text.contains("PORTICO_ISP_NAME"))

        // Nothing stray: no warning.
        let clean = Warnings()
        let plain = try ConfigurationLoader.load(
            ConfigurationSources(environment: ["PORTICO_ISP_NAME": "x", "PORTICO_TEMPLATES": "/t"], warn: clean.sink))
        #expect(clean.all.isEmpty && plain.warnings.isEmpty)
    }

    @Test func aKnownVariableWithABadValueIsStillRefused() throws {
        var env = Self.serviceLinks
        env["PORTICO_PORTAL_LISTEN"] = "tcp://10.96.0.12:80"
        let warnings = Warnings()
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(ConfigurationSources(environment: env, warn: warnings.sink))
        }
        do {
            _ = try ConfigurationLoader.load(ConfigurationSources(environment: env, warn: { _ in }))
        } catch {
            #expect(error.origin == .environment("PORTICO_PORTAL_LISTEN"))
            #expect(
                error.description.hasPrefix("environment PORTICO_PORTAL_LISTEN: portal.listen: 'tcp://10.96.0.12:80'"))
        }
        // The warning about the others came first, beside the error.
        #expect(warnings.all.count == 1 && warnings.all[0].contains("PORTICO_PORT_80_TCP"))
    }

    @Test func unknownKeysInTheFlagsAreStillRefused() throws {
        let e = try #require(error(nil, flags: [("--set portal.lsten", "portal.lsten", "127.0.0.1:80")]))
        #expect(e.description == "flag --set portal.lsten: portal.lsten: unknown key; did you mean 'portal.listen'?")
    }

    @Test func serviceLinksAreRecognised() {
        for variable in Self.serviceLinks.keys {
            #expect(StrayVariables.isServiceLink(variable), "\(variable)")
        }
        // A Service named portico-admin.
        #expect(StrayVariables.isServiceLink("PORTICO_ADMIN_SERVICE_HOST"))
        #expect(StrayVariables.isServiceLink("PORTICO_ADMIN_PORT_8081_TCP_ADDR"))
        for variable in ["PORTICO_CHECKOUT", "PORTICO_PORT_X", "PORTICO_PORT_80_TCP_HOST", "PORTICO_SERVICE"] {
            #expect(!StrayVariables.isServiceLink(variable), "\(variable)")
        }
        // No setting's own variable looks like one (a setting always wins anyway).
        #expect(!ConfigurationKey.all.contains { StrayVariables.isServiceLink($0.environmentName) })
    }

    @Test func crossKeyChecksNameWhereTheValueCameFrom() throws {
        let stripe = try #require(error("gateway = \"stripe\"\n"))
        #expect(stripe.key == "stripe.secretKey")
        #expect(
            stripe.description.hasSuffix(
                "portico.toml:1: stripe.secretKey: required when gateway is stripe (set stripe.secretKey or stripe.secretKeyFile)"
            ))

        let keyFile = try dir.file("sk", "sk_test_abc\n")
        let hookFile = try dir.file("wh", "whsec_abc\n")
        let ok = try load(
            "gateway = \"stripe\"\n[stripe]\nsecretKeyFile = \"\(keyFile)\"\nwebhookSecretFile = \"\(hookFile)\"\n")
        #expect(ok.configuration.gateway == .stripe)
        #expect("\(ok.configuration.stripe)".contains("file \(keyFile)"))

        let smtp = try #require(
            error("[smtp]\nurl = \"smtp://mail.example:587\"\nfrom = \"b@isp.example\"\nusername = \"portico\"\n"))
        #expect(smtp.key == "smtp.password")
        let from = try #require(error("[smtp]\nurl = \"smtp://mail.example:587\"\nfrom = \"not an address\"\n"))
        #expect(
            from.description.hasSuffix(
                "portico.toml:3: smtp.from: an address is needed to send mail (billing@isp.example)"))

        let nft = try #require(error("firewall.backend = \"nftables\"\nportal.listen = \"0.0.0.0:80\"\n"))
        #expect(nft.key == "firewall.dnatIPv4")
        #expect(nft.origin == .file(path: dir.path + "/portico.toml", line: 1))

        let tls = try #require(error("portal.tlsCertificate = \"/nonexistent.pem\"\n"))
        #expect(tls.key == "portal.tlsKey")
    }

    @Test func secretsAreNotEchoed() throws {
        let e = try #require(error("stripe.secretKey = 42\n"))
        #expect(e.message == "invalid value")
    }

    @Test func theShippedExampleIsValid() throws {
        let example = Paths.root + "/deploy/portico.toml"
        let loaded = try ConfigurationLoader.load(
            ConfigurationSources(file: example, environment: [:]), validate: false)
        #expect(loaded.configuration.databasePath == "/var/lib/portico/portico.db")
        #expect(loaded.configuration.firewall == .nftables)
        // Every key appears in the example, so operators find them all there.
        let text = try String(contentsOfFile: example, encoding: .utf8)
        for key in ConfigurationKey.all {
            let last = String(key.name.split(separator: ".").last!)
            #expect(text.contains(last), "deploy/portico.toml does not mention \(key.name)")
        }
    }
}
