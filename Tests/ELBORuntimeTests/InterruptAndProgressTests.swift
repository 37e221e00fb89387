import Foundation
import XCTest
@testable import ELBORuntime

final class InterruptAndProgressTests: XCTestCase {
    func testSIGINTRaisesTheFlagInsteadOfKillingTheProcess() {
        let flag = InterruptFlag.shared
        flag.install()
        flag.reset()
        defer { flag.uninstall(); flag.reset() }
        XCTAssertFalse(flag.isSet)
        raise(SIGINT) // with the handler installed this only sets the flag
        XCTAssertTrue(flag.isSet)
        flag.reset()
        XCTAssertFalse(flag.isSet)
        flag.set()
        XCTAssertTrue(flag.isSet)
    }

    func testPlainProgressLinesAreThrottledAndInformative() {
        var lines: [String] = []
        var now = 0.0
        let progress = ProgressLine(total: 1000, label: "epoch 1/3", isTerminal: false, plainInterval: 10,
                                    write: { lines.append($0) }, clock: { now })
        now = 1
        progress.update(completed: 100, loss: 2.5)    // too soon: nothing printed
        now = 11
        progress.update(completed: 500, loss: 1.25)
        now = 12
        progress.update(completed: 1000, loss: 1.0)   // completion always prints
        progress.finish("done")
        XCTAssertEqual(lines, [
            "epoch 1/3  500/1000  45 ex/s  loss 1.2500  ETA 11s\n",
            "epoch 1/3  1000/1000  83 ex/s  loss 1.0000\n",
            "done\n",
        ])
    }

    func testTerminalProgressRewritesOneLine() {
        var out = ""
        var now = 0.0
        let progress = ProgressLine(total: 10, label: "x", isTerminal: true, write: { out += $0 }, clock: { now })
        now = 1
        progress.update(completed: 5, loss: nil)
        progress.finish()
        XCTAssertEqual(out, "\r\u{1B}[Kx  5/10  5 ex/s  ETA 1s\r\u{1B}[K")
    }

    func testFormattingHelpers() {
        XCTAssertEqual(ProgressLine.duration(5), "5s")
        XCTAssertEqual(ProgressLine.duration(125), "2m05s")
        XCTAssertEqual(ProgressLine.duration(3720), "1h02m")
        XCTAssertEqual(fixed(-1.23456, 2), "-1.23")
        XCTAssertEqual(fixed(0.5, 0), "1")
        XCTAssertEqual(fixed(99.99999, 3), "100.000")
    }
}
