import Foundation
import Logging
import PorticoApp
import Synchronization
import Testing

@Suite struct LogfmtLogHandlerTests {
    @Test func oneLinePerEventWithQuotedValues() {
        let lines = Mutex<[String]>([])
        let level = SharedLogLevel(.info)
        var logger = Logger(label: "portico") { label in
            LogfmtLogHandler(label: label, level: level, journald: true) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "listener"] = "portal"
        logger.info("mail deferred", metadata: ["error": "451 try \"later\"\nplease", "attempt": "2", "empty": ""])
        logger.debug("not shown")
        level.level = .debug
        logger.debug("shown")
        logger.error("boom")
        let out = lines.withLock { $0 }
        #expect(
            out == [
                "<6>level=info msg=\"mail deferred\" attempt=2 empty=\"\" error=\"451 try \\\"later\\\"\\nplease\" listener=portal\n",
                "<7>level=debug msg=shown listener=portal\n",
                "<3>level=error msg=boom listener=portal\n",
            ])
    }

    @Test func outsideJournaldLinesStartWithATimeStamp() {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "portico.http") { label in
            LogfmtLogHandler(label: label, level: SharedLogLevel(.info), journald: false) { line in
                lines.withLock { $0.append(line) }
            }
        }
        logger.warning("slow")
        let line = lines.withLock { $0 }.first ?? ""
        #expect(line.hasPrefix("ts=20"))
        #expect(line.hasSuffix(" level=warning msg=slow logger=portico.http\n"))
    }
}
