import ELBOAlgebra
@testable import ELBOSpec
import Foundation
import XCTest

/// Inputs that once crashed the parser or gave a useless message (issue 13): each must give a
/// positioned diagnostic.
final class HostileInputTests: XCTestCase {
    private func spec(step: String) -> String {
        """
        derivation d "D"
        variables
          x : observed real[k]
          z : latent real[m]
        model p(x, z) = p(x | z) p(z)
        guide q(z | x) = q(z | x)
        steps
          log p(x)
        \(step)
        """
    }

    func testFiveThousandParenthesesGiveTheNestingLimit() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        let ds = diagnostics(spec(step: "  (1) = log p(x) + \(deep)"))
        XCTAssertTrue(ds.contains { $0.message.contains("at most \(ExprParser.maximumNesting) levels") && $0.location.line == 9 },
                      ds.map(\.description).joined(separator: "\n"))
    }

    func testThreeThousandNestedExpectationsGiveTheNestingLimit() {
        let deep = String(repeating: "E_{q(z|x)}[", count: 3000) + "log p(x | z)" + String(repeating: "]", count: 3000)
        let ds = diagnostics(spec(step: "  (1) = \(deep)"))
        XCTAssertTrue(ds.contains { $0.message.contains("nested too deeply") && $0.location.line == 9 })
    }

    func testLongChainsOfSignsAndPowersGiveTheNestingLimit() {
        for tail in [String(repeating: "-", count: 20_000) + "1", Array(repeating: "2", count: 20_000).joined(separator: "^"),
                     String(repeating: "log ", count: 20_000) + "2", String(repeating: "Σ_{j=1}^{k} ", count: 5000) + "1"] {
            let ds = diagnostics(spec(step: "  (1) = log p(x) + \(tail)"))
            XCTAssertTrue(ds.contains { $0.message.contains("nested too deeply") }, String(tail.prefix(20)))
        }
    }

    func testNestingBelowTheLimitStillParses() {
        let depth = ExprParser.maximumNesting / 2
        let ok = String(repeating: "(", count: depth) + "log p(x)" + String(repeating: ")", count: depth)
        XCTAssertNotNil(parseOrFail(spec(step: "  (1) = \(ok)")))
    }

    func testInvisibleCharactersAreNamedByCodePoint() {
        assertDiagnostic(spec(step: "  (1) = log p(x)\u{200B}"), at: (9, 17), contains: "U+200B (zero-width space)")
        assertDiagnostic(spec(step: "  (1) = \u{200F}log p(x)"), at: (9, 9), contains: "U+200F (right-to-left mark)")
        assertDiagnostic(spec(step: "  (1) = log p(x) @"), at: (9, 18), contains: "'@' (U+0040)")
    }

    func testAMissingSpecSaysItIsMissing() {
        XCTAssertThrowsError(try SpecParser.parseFile(at: "/nonexistent/spec.elbo")) { error in
            XCTAssertEqual((error as? SpecErrors)?.diagnostics.first?.description, "/nonexistent/spec.elbo: error: no such file")
        }
        XCTAssertThrowsError(try SpecParser.parseFile(at: NSTemporaryDirectory())) { error in
            XCTAssertEqual((error as? SpecErrors)?.diagnostics.first?.message, "is a directory, not a spec file")
        }
    }

    func testNonUTF8SpecSaysSo() throws {
        let path = NSTemporaryDirectory() + "elbo-latin1-\(getpid()).elbo"
        try Data([0x64, 0xE9, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try SpecParser.parseFile(at: path)) { error in
            XCTAssertEqual((error as? SpecErrors)?.diagnostics.first?.message, "the file is not UTF-8 text")
        }
    }
}
