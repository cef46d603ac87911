import Foundation
import PorticoAPI
import PorticoStore
import Testing

@Suite struct APIAuthTests {
    @Test func missingTokenIs401WithBearerChallenge() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let r = f.call("GET", "/plans", auth: .none)
        #expect(r.status == 401)
        #expect(r.errorCode == "unauthorized")
        #expect(r.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(r.header("Content-Type") == "application/json")
    }

    @Test func wrongSchemeOrUnknownTokenIs401() throws {
        let f = try APIFixture()
        defer { f.remove() }
        for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ptk_0000", "Bearer \(f.token)x", f.token] {
            let r = f.call("GET", "/plans", auth: .header(header))
            #expect(r.status == 401, "\(header)")
            #expect(r.header("WWW-Authenticate")?.contains("invalid_token") == true, "\(header)")
        }
    }

    @Test func validTokenIsAccepted() throws {
        let f = try APIFixture()
        defer { f.remove() }
        #expect(f.call("GET", "/plans").status == 200)
        #expect(f.call("GET", "/plans", auth: .header("bearer \(f.token)")).status == 200)
    }

    @Test func revokedTokenIs401() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let token = try AdminAPI.createToken(name: "router-7", store: f.store, on: APIFixture.date("2026-03-01"))
        #expect(f.call("GET", "/walled-garden", auth: .header("Bearer \(token)")).status == 200)
        #expect(try f.store.revokeAPITokens(named: "router-7") == 1)
        #expect(f.call("GET", "/walled-garden", auth: .header("Bearer \(token)")).status == 401)
        #expect(f.call("GET", "/walled-garden").status == 200)
    }

    @Test func tokensAreStoredOnlyAsTheirHash() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let token = try AdminAPI.createToken(name: "ops", store: f.store, on: APIFixture.date("2026-03-01"))
        #expect(token.hasPrefix("ptk_"))
        #expect(token.count == 4 + 64)
        #expect(token.dropFirst(4).allSatisfy { "0123456789abcdef".contains($0) })
        let hash = AdminAPI.tokenHash(token)
        #expect(hash.count == 64)
        #expect(try f.store.apiTokenName(hash: hash) == "ops")
        #expect(try f.store.apiTokenName(hash: token) == nil)
    }

    @Test func openAPIDocumentIsPublic() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let r = f.call("GET", "/openapi.json", auth: .none)
        #expect(r.status == 200)
        #expect(r.object["openapi"] as? String == "3.1.0")
    }

    @Test func refusedRequestChangesNothing() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let before = try f.snapshot()
        #expect(f.call("POST", "/plans", #"{"name": "Basic", "monthlyPrice": 3000}"#, auth: .none).status == 401)
        #expect(
            f.call("PATCH", "/settings", #"{"suspension": {"delayDays": 9}}"#, auth: .header("Bearer nope")).status
                == 401)
        #expect(try f.snapshot() == before)
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() throws {
        let f = try APIFixture()
        defer { f.remove() }
        let missing = f.call("GET", "/nothing-here")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "not_found")
        let wrong = f.call("DELETE", "/plans")
        #expect(wrong.status == 405)
        #expect(wrong.errorCode == "method_not_allowed")
        let allow = Set(
            (wrong.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(allow == ["GET", "HEAD", "POST"])
        #expect(f.call("PUT", "/services/1").header("Allow")?.contains("PATCH") == true)
        // Authentication comes first: an anonymous caller learns nothing about paths.
        #expect(f.call("DELETE", "/plans", auth: .none).status == 401)
    }
}
