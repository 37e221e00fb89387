import XCTest
import ELBOCheck
import ELBOSpec

/// A file with nothing to check must not pass silently as "0 verified".
final class EmptinessWarningTests: XCTestCase {
    func testAFileWithoutDerivationsIsWarnedAbout() throws {
        let spec = try SpecParser.parse(source: "# only a comment\n", path: "empty.elbo")
        let warnings = CheckRun.emptinessWarnings(spec)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertEqual(warnings.first?.severity, .warning)
        XCTAssertTrue(warnings.first?.description.hasPrefix("empty.elbo:1:1: warning: no derivation") == true, "\(warnings)")
    }

    func testADerivationWithoutStepsIsWarnedAboutAndOneWithStepsIsNot() throws {
        let source = """
            derivation a "no steps"
            variables
              x : observed real[k]
            derivation b "one step"
            variables
              x : observed real[k]
              z : latent real[m]
            model p(x, z) = p(x | z) p(z)
            steps
                  p(x, z)
              (1) = p(x | z) p(z)
            """
        let warnings = CheckRun.emptinessWarnings(try SpecParser.parse(source: source, path: "two.elbo"))
        XCTAssertEqual(warnings.map(\.description), ["two.elbo:1:1: warning: derivation 'a' has no steps: nothing in it was checked"])
    }
}
