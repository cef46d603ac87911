import Foundation
import PorticoTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The subprocess helper every fixture uses. Foundation's `Process.run()` crashed in memcpy
/// while the load test held 1,200 sockets (it adds a close action per open descriptor);
/// these pin down that the helper copes, hands the child nothing but 0–2, and leaves
/// SIGTERM deliverable.
@Suite struct ChildProcessTests {
    @Test func startsWithFifteenHundredDescriptorsOpenAndPassesNoneOfThem() throws {
        var opened: [Int32] = []
        defer { for fd in opened { close(fd) } }
        for _ in 0..<1_500 {
            let fd = open("/dev/null", O_RDONLY)
            try #require(fd >= 0)
            opened.append(fd)
        }
        for _ in 0..<20 {
            let listing = try ChildProcess.run(["ls", "/proc/self/fd"])
            #expect(listing.status == 0)
            // ls's own directory handle is the only one above 2.
            let descriptors = listing.output.split(separator: "\n").compactMap { Int($0) }.filter { $0 > 2 }
            #expect(descriptors.count <= 1, "\(descriptors)")
        }
    }

    @Test func sigtermEndsAChildAndTheStatusSaysSo() throws {
        let child = try ChildProcess(["sleep", "30"])
        #expect(child.isRunning)
        child.signal(SIGTERM)
        #expect(child.waitForExit(seconds: 10) == 128 + SIGTERM)
    }

    @Test func inputOutputAndExitStatus() throws {
        let echo = try ChildProcess.run(
            ["sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"], input: "abc\n", mergeError: true)
        #expect(echo.status == 3)
        #expect(echo.output == "ABC\noops\n")
        #expect(throws: (any Error).self) { try ChildProcess.run(["/nonexistent/program"]) }
    }
}
