import Foundation
import PorticoCore
import PorticoHTTP
import PorticoStore
import PorticoWebSupport

extension AdminAPI {
    /// Makes a new token (`ptk_` and 32 random bytes in hex), stores only its SHA-256 under
    /// `name`, and returns it: the one time it is seen.
    public static func createToken(name: String, store: Store, on date: LocalDate) throws -> String {
        let token = "ptk_" + hexString(randomBytes(32))
        try store.createAPIToken(name: name, hash: tokenHash(token), on: date)
        return token
    }

    /// Lower-case hex SHA-256 of the token's UTF-8 bytes: what the database keeps.
    public static func tokenHash(_ token: String) -> String { PorticoWebSupport.tokenHash(token) }

    /// The name of the live token the request carries, or the 401 to send.
    func authenticate(_ request: HTTPRequest) -> Result<String, Refusal> {
        guard let header = request.headers["Authorization"] else {
            return .failure(Refusal(Self.unauthorized("an Authorization: Bearer token is required", invalid: false)))
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .failure(
                Refusal(Self.unauthorized("the Authorization header must be 'Bearer <token>'", invalid: true)))
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        do {
            guard !token.isEmpty, let name = try context.store.apiTokenName(hash: Self.tokenHash(token)) else {
                return .failure(Refusal(Self.unauthorized("the token is unknown or revoked", invalid: true)))
            }
            return .success(name)
        } catch {
            context.logger.error("api token lookup failed", metadata: ["error": "\(error)"])
            return .failure(Refusal(JSON.error(500, "internal", "internal error")))
        }
    }

    /// A 401 with the challenge of RFC 6750.
    static func unauthorized(_ message: String, invalid: Bool) -> HTTPResponse {
        var response = JSON.error(401, "unauthorized", message)
        response.addHeader(
            "WWW-Authenticate",
            invalid ? "Bearer realm=\"portico\", error=\"invalid_token\"" : "Bearer realm=\"portico\"")
        return response
    }

    /// A response that ends the request before routing.
    struct Refusal: Error {
        var response: HTTPResponse
        init(_ response: HTTPResponse) { self.response = response }
    }
}
