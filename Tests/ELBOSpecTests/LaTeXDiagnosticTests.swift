import XCTest
@testable import ELBOSpec

/// Malformed LaTeX gets `path:line:column: error:` at the place in the source, never a crash.
final class LaTeXDiagnosticTests: XCTestCase {
    static let header = """
        derivation m
        variables
          x : observed real[k]
          z : latent real[m]
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        steps latex
        Some prose with $inline$ math.

        """

    /// The diagnostics of one document under `header` (its first line is line 9).
    func diagnostics(_ latex: String) -> [String] {
        SpecParser.parseRecovering(source: Self.header + latex, path: "m.elbo").diagnostics.map(\.description)
    }

    func testUnknownMacroIsReportedAtTheMacro() {
        XCTAssertEqual(diagnostics("$$\\log p(x) = \\foo{x} \\quad (1)$$"), ["m.elbo:9:15: error: unknown LaTeX macro '\\foo'"])
    }

    func testAPapersOwnMacrosExpandAndTheirMisuseIsReportedAtTheUse() {
        // Defined in the prose, used in the display: no diagnostic.
        XCTAssertEqual(diagnostics("\\newcommand{\\bx}{\\mathbf{x}}\\def\\E{\\mathbb{E}}\n$$\\log p(\\bx) = \\log p(\\bx) \\quad (1)$$"), [])
        // A macro that uses itself, and one short of its argument: at the use (line 10, column 15).
        XCTAssertEqual(diagnostics("\\newcommand{\\again}{\\again x}\n$$\\log p(x) = \\again \\quad (1)$$"),
                       ["m.elbo:10:15: error: the macro '\\again' expands into itself more than 32 times"])
        XCTAssertEqual(diagnostics("\\newcommand{\\KLD}[2]{KL(#1 || #2)}\n$$\\log p(x) = \\KLD{q(z|x)}$$"),
                       ["m.elbo:10:15: error: the macro '\\KLD' takes 2 arguments"])
        // Macros that double one another: stopped by the token budget, not by memory.
        let doubling = (0..<20).map { "\\newcommand{\\m\(String(UnicodeScalar(97 + $0)!))}{\\m\(String(UnicodeScalar(98 + $0)!))\\m\(String(UnicodeScalar(98 + $0)!))}" }
            .joined() + "\n$$\\log p(x) = \\ma \\quad (1)$$"
        XCTAssertEqual(diagnostics(doubling).count, 1)
        XCTAssertTrue(diagnostics(doubling)[0].contains("expand to more than 100000 tokens"))
    }

    func testADefinitionFollowedByARelationWithNothingBetweenIsAnError() {
        // Found by Fuzz/run.sh latex: the chain after the definition of L had an empty start.
        for display in ["$$L = = 1$$", "$$F(x) = \\geq 2$$"] {
            let ds = diagnostics(display)
            XCTAssertFalse(ds.isEmpty, display)
            XCTAssertTrue(ds.allSatisfy { $0.hasPrefix("m.elbo:9:") }, "\(display): \(ds)")
        }
    }

    func testUnbalancedBraceIsReportedAtTheBrace() {
        XCTAssertEqual(diagnostics("$$\\log p(x) = \\log \\frac{p(x, z)}{q(z|x) \\quad (1)$$"),
                       ["m.elbo:9:34: error: unbalanced brace: this '{' has no matching '}'"])
        XCTAssertEqual(diagnostics("$$\\log p(x) = \\log p(x)} (1)$$"),
                       ["m.elbo:9:24: error: unbalanced brace: this '}' has no matching '{'"])
    }

    func testLeftWithoutRightAndRightWithoutLeft() {
        XCTAssertEqual(diagnostics("$$\\log p(x)\n= \\left( \\log p(x) \\quad (1)$$"),
                       ["m.elbo:10:3: error: '\\left' without a matching '\\right'"])
        XCTAssertEqual(diagnostics("$$\\log p(x) = \\log p(x) \\right) (1)$$"),
                       ["m.elbo:9:25: error: '\\right' without a matching '\\left'"])
    }

    func testUnterminatedDisplayAndUnknownEnvironment() {
        XCTAssertEqual(diagnostics("text\n$$\\log p(x) = \\log p(x)"),
                       ["m.elbo:7:1: error: 'steps latex' found no display math ($$…$$, \\[…\\] or an equation environment)",
                        "m.elbo:10:1: error: '$$' without a closing '$$'"])
        XCTAssertEqual(diagnostics("$$\\begin{cases} x \\end{cases}$$"),
                       ["m.elbo:9:3: error: the environment 'cases' is not read in a display (use aligned, align, split or equation)",
                        "m.elbo:9:19: error: the environment 'cases' is not read in a display (use aligned, align, split or equation)"])
    }

    func testAnUndeclaredNameInADisplayPointsIntoTheDisplay() {
        let d = diagnostics("$$\\log p(x) = \\log p(x) + \\mathbf{w} \\quad (1)$$")
        XCTAssertEqual(d, ["m.elbo:9:27: error: unknown identifier '\\mathbf{w}'"])
    }

    func testAStartingRelationWithoutAChain() {
        XCTAssertEqual(diagnostics("$$= \\log p(x) \\quad (1)$$"),
                       ["m.elbo:9:3: error: this display starts with a relation, but no display before it starts a chain"])
    }

    /// Every prefix of a seed's LaTeX parses to diagnostics or a derivation, without a crash.
    func testNoPrefixOfADisplayCrashes() {
        let display = """
            $$\\begin{aligned} &= \\mathbb{E}_{q_{\\phi}(\\mathbf{z}_l, \\mathbf{z}_u|\\mathbf{x})} [\\log p_{\\theta}(\\mathbf{x}|\\mathbf{z}_l, \\mathbf{z}_u, \\mathbf{c})] + D_{KL}(q_{\\phi}(\\mathbf{z}_l|\\mathbf{x})||p_{\\theta}(\\mathbf{z}_l|\\mathbf{c})) \\\\ &\\quad - \\int q(z|x) \\log \\frac{q(z|x)}{\\left| \\Sigma \\right|^{-1}} d\\mathbf{z} \\end{aligned} \\quad (5)$$
            """
        let chars = Array(display)
        for n in stride(from: 0, through: chars.count, by: 3) {
            _ = SpecParser.parseRecovering(source: Self.header + "$$\\log p(x) = \\log p(x)$$\n" + String(chars[..<n]), path: "m.elbo")
        }
    }
}
