import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// Tokens, positions and the normalisation of Unicode spellings.
final class LexerTests: XCTestCase {
    private func tokens(_ s: String) -> [Token] { Lexer.tokenize(s, file: "t").tokens }
    private func names(_ s: String) -> [String] { tokens(s).map(\.text) }

    func testGreekLettersAreSpelledOut() {
        XCTAssertEqual(names("μ σ γ θ φ ϕ ξ ε ϵ π Σ"), ["mu", "sigma", "gamma", "theta", "phi", "phi", "xi", "epsilon", "epsilon", "pi", "Sigma"])
        XCTAssertEqual(names("μσ"), ["mu", "sigma"], "Greek letters do not glue into one name")
        XCTAssertEqual(names("xμ"), ["x", "mu"])
        XCTAssertEqual(names("μ_j p_θ q_ϕ γ₁ x₁₂"), ["mu_j", "p_theta", "q_phi", "gamma_1", "x_12"])
        XCTAssertEqual(names("mu sigma_j"), ["mu", "sigma_j"])
    }

    func testAccentsBecomeSuffixes() {
        XCTAssertEqual(names("x̂ μ̃ ŷ x̄ x̂_j"), ["xhat", "mutilde", "yhat", "xbar", "xhat_j"])
    }

    func testOperatorSpellings() {
        XCTAssertEqual(names("∫ ∬ ∭ √ ∑ ∝"), ["int", "iint", "iiint", "sqrt", "sum", "prop"])
        XCTAssertEqual(names("≥ ≤ ≈ ≐ · × − ‖ || ∼"), [">=", "<=", "~=", "=c", "*", "*", "-", "‖", "||", "~"])
        XCTAssertEqual(names("𝔼_{q} 𝒩 𝒦ℒ ℒ"), ["E", "_", "{", "q", "}", "N", "KL", "L"])
        XCTAssertEqual(names("Σ_{j=1} Σ_j Σ_1"), ["sum", "_", "{", "j", "=", "1", "}", "sum", "_", "j", "Sigma_1"])
        XCTAssertEqual(names("D_{KL} mu_{j} E_{q}"), ["D_KL", "mu_j", "E", "_", "{", "q", "}"])
    }

    func testSuperscriptsAndNumbers() {
        let t = tokens("x² y⁻¹ Aᵀ 0.25 1e-3 2e ½")
        XCTAssertEqual(t.map(\.kind), [.identifier, .superscript, .identifier, .superscript, .identifier, .superscript,
                                       .number, .number, .number, .identifier, .number])
        XCTAssertEqual(t.map(\.text), ["x", "2", "y", "-1", "A", "T", "0.25", "1e-3", "2", "e", "1/2"])
        XCTAssertEqual(t[6].number, Rational(1, 4))
        XCTAssertEqual(t[7].number, Rational(1, 1000))
        XCTAssertEqual(t[10].number, Rational(1, 2))
    }

    func testColumnsCountCharactersAndLinesAreTracked() {
        let t = tokens("∬ q(z) # comment\n  (4) ≥ x̂")
        XCTAssertEqual(t.map(\.text), ["iint", "q", "(", "z", ")", "(", "4", ")", ">=", "xhat"])
        XCTAssertEqual(t.map(\.line), [1, 1, 1, 1, 1, 2, 2, 2, 2, 2])
        XCTAssertEqual(t.map(\.column), [1, 3, 4, 5, 6, 3, 4, 5, 7, 9])
        XCTAssertEqual(t.map(\.atLineStart), [true, false, false, false, false, true, false, false, false, false])
    }

    func testStringsAndComments() {
        let t = tokens(#"derivation d "A \"quoted\" # title" # trailing"#)
        XCTAssertEqual(t.count, 3)
        XCTAssertEqual(t[2].kind, .string)
        XCTAssertEqual(t[2].text, #"A "quoted" # title"#)
    }

    func testUnknownCharacterIsReported() {
        let (t, d) = Lexer.tokenize("x @ y", file: "t")
        XCTAssertEqual(t.map(\.text), ["x", "y"])
        XCTAssertEqual(d.map(\.description), ["t:1:3: error: unexpected character '@' (U+0040)"])
    }
}

extension LexerTests {
    func testOverlongNumbersAreReportedNotTrapped() {
        let (_, d) = Lexer.tokenize("123456789012345678901 * 99999999999999999", file: "t")
        XCTAssertEqual(d.map { $0.location.column }, [1, 25])
        XCTAssertTrue(d.allSatisfy { $0.message.contains("at most 9 digits") })
        XCTAssertTrue(Lexer.tokenize("0.000001 123456789 1e9", file: "t").diagnostics.isEmpty)
    }
}
