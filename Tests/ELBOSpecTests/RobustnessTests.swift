import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// The parser never crashes or hangs: damaged specs give diagnostics.
final class RobustnessTests: XCTestCase {
    /// A small deterministic generator, so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testDamagedSpecsGiveDiagnosticsNotCrashes() {
        var rng = SplitMix(state: 42)
        let pieces = ["(", ")", "[", "]", "{", "}", "|", "||", "‖", "∫", "∬", "Σ_", "E_{", "log", "\n", "\n  (9) ", "=", "≈",
                      "-", "^", "_", "d", "dz", "\"", "#", ",", ";", "~", "KL(", "N(", "sum_{j=1}^{", "²", "x̂", "0.5", "assuming", "by"]
        for source in [Fixtures.cdvae, Fixtures.vae, Fixtures.srvae] {
            let chars = Array(source)
            for _ in 0..<150 {
                var mutated = chars
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let at = Int.random(in: 0..<mutated.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: mutated.remove(at: at)
                    case 1: mutated.insert(contentsOf: pieces.randomElement(using: &rng)!, at: at)
                    default: mutated = Array(mutated[..<at])
                    }
                    if mutated.isEmpty { mutated = ["x"] }
                }
                let result = SpecParser.parseRecovering(source: String(mutated), path: "fuzz.elbo")
                for d in result.diagnostics {
                    XCTAssertGreaterThan(d.location.line, 0)
                    XCTAssertGreaterThan(d.location.column, 0)
                }
            }
        }
    }

    func testEmptyAndCommentOnlyFilesParse() throws {
        XCTAssertEqual(try SpecParser.parse(source: "", path: "e.elbo").derivations.count, 0)
        XCTAssertEqual(try SpecParser.parse(source: "# nothing\n\n   # here\n", path: "e.elbo").derivations.count, 0)
    }

    func testParseFileReportsAnUnreadableFile() {
        XCTAssertThrowsError(try SpecParser.parseFile(at: "/nonexistent/spec.elbo")) { error in
            XCTAssertEqual((error as? SpecErrors)?.diagnostics.first?.location.file, "/nonexistent/spec.elbo")
        }
    }

    func testParseFileReadsASpec() throws {
        let path = NSTemporaryDirectory() + "elbo-spec-test-\(UInt32.random(in: 0...UInt32.max)).elbo"
        try Fixtures.cdvae.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SpecParser.parseFile(at: path)
        XCTAssertEqual(file.path, path)
        XCTAssertEqual(file.derivations.first?.steps.count, 8)
    }
}
