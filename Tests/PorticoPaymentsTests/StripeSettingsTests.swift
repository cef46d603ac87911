import Foundation
import PorticoCore
import Testing

@testable import PorticoPayments

/// `stripe.*` settings: secrets inline or in files, checked, never shown.
struct StripeSettingsTests {
    func settings() -> StripeSettings {
        var s = StripeSettings()
        s.secretKey = Secret("sk_test_secretvalue")
        s.webhookSecret = Secret("whsec_signingvalue")
        return s
    }

    @Test func descriptionsNeverShowSecrets() {
        let s = settings()
        for text in [
            s.description, "\(s)", String(reflecting: s), String(describing: s.secretKey!),
            {
                var out = ""
                dump(s, to: &out)
                return out
            }(),
        ] {
            #expect(!text.contains("secretvalue") && !text.contains("signingvalue"), "\(text)")
        }
        #expect(s.description.contains("https://api.stripe.com"))
    }

    @Test func resolvesInlineAndFileSecrets() throws {
        let r = try settings().resolved()
        #expect(r.secretKey.value == "sk_test_secretvalue" && r.webhookSecret.value == "whsec_signingvalue")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stripe-key-\(UUID().uuidString)").path
        try "sk_live_fromfile\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var s = settings()
        s.secretKey = nil
        s.secretKeyFile = path
        #expect(try s.resolved().secretKey.value == "sk_live_fromfile")
    }

    @Test func badSettingsNameTheField() {
        func field(_ change: (inout StripeSettings) -> Void) -> String? {
            var s = settings()
            change(&s)
            do {
                _ = try s.resolved()
                return nil
            } catch let BillingError.invalidField(f, _) { return f } catch { return "other" }
        }
        #expect(field { $0.secretKey = nil } == "stripe.secretKey")
        #expect(field { $0.secretKeyFile = "/nonexistent" } == "stripe.secretKey")
        #expect(
            field {
                $0.secretKey = nil
                $0.secretKeyFile = "/nonexistent/key"
            } == "stripe.secretKeyFile")
        #expect(field { $0.secretKey = Secret("pk_test_publishable") } == "stripe.secretKey")
        #expect(field { $0.webhookSecret = nil } == "stripe.webhookSecret")
        #expect(field { $0.webhookSecret = Secret("secret") } == "stripe.webhookSecret")
        #expect(field { $0.apiBase = "http://api.stripe.com" } == "stripe.apiBase")
        #expect(field { $0.apiBase = "ftp://x" } == "stripe.apiBase")
        #expect(field { $0.apiBase = "https://api.stripe.com/v1" } == "stripe.apiBase")
        #expect(field { $0.apiBase = "http://127.0.0.1:12111" } == nil)
    }
}
