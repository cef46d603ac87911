import Testing

/// The sizes of the long forms (`make proof-long`) come from the environment; nonsense fails
/// the run naming the variable instead of proving less than asked.
@Suite struct ProofSizeTests {
    let kills = ProofSize("PORTICO_PROOF_KILLS", default: 50)

    @Test func unsetIsTheDefaultAndAWholeNumberIsTaken() throws {
        #expect(try kills.value(in: [:]) == 50)
        #expect(try kills.value(in: ["PORTICO_PROOF_KILLS": "500"]) == 500)
        #expect(try kills.value(in: ["PORTICO_PROOF_KILLS": " 1 "]) == 1)
    }

    @Test func zeroNegativeAndNonNumbersAreRefusedNamingTheVariable() {
        for text in ["0", "-5", "", "abc", "1e3", "1_000", "4,000", "2.5"] {
            #expect(throws: ProofError.self, "'\(text)'") { try kills.value(in: ["PORTICO_PROOF_KILLS": text]) }
            do {
                _ = try kills.value(in: ["PORTICO_PROOF_KILLS": text])
            } catch {
                #expect("\(error)".hasPrefix("PORTICO_PROOF_KILLS='\(text)': must be a whole number of at least 1"))
            }
        }
    }

    @Test func theFloodMustExceedThePerAddressLimit() throws {
        #expect(try LoadTests.floodConnections.value(in: ["PORTICO_PROOF_FLOOD": "65"]) == 65)
        #expect(throws: ProofError.self) { try LoadTests.floodConnections.value(in: ["PORTICO_PROOF_FLOOD": "64"]) }
    }

    @Test func theCrashProofsClientsGrowWithTheKills() {
        #expect(CrashSafetyTests.clientCounts(kills: 50) == (30, 10))
        #expect(CrashSafetyTests.clientCounts(kills: 10) == (30, 10))
        #expect(CrashSafetyTests.clientCounts(kills: 51) == (60, 20))
        #expect(CrashSafetyTests.clientCounts(kills: 500) == (300, 100))
        #expect(
            [0, 39, 199, 200, 399].map(CrashSafetyTests.address) == [
                "127.0.0.10", "127.0.0.49", "127.0.0.209", "127.0.1.10", "127.0.1.209",
            ])
    }

    @Test func theSpreadAddressesStayWithinThePerAddressLimit() {
        #expect(LoadTests.busiestAddress(idle: 1_000, slow: 200) == 6)
        #expect(LoadTests.busiestAddress(idle: 4_000, slow: 1_000) == 22)
        #expect(LoadTests.busiestAddress(idle: 248 * 60, slow: 248 * 4) == 64)
        #expect(LoadTests.busiestAddress(idle: 248 * 60 + 1, slow: 248 * 4) == 65)
    }
}
