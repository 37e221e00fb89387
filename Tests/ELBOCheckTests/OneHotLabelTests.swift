import XCTest
import ELBOSpec
@testable import ELBOAlgebra
@testable import ELBOCheck

/// One-hot labels: `y_c` of a `label[C]` variable inside a sum over c is `[y = c]`, the Iverson
/// bracket, `logsumexp`, `softmax` and `Categorical(logits = g)`; the categorical
/// log-likelihood is verified and its usual mistakes are refuted.
final class OneHotLabelTests: XCTestCase {
    let classifier = """
    derivation classifier "categorical log-likelihood"
    variables
      x : observed real[k]
      y : observed label[C]
    model p(y | x)
    family p(y | x) = Categorical(logits = g)
    steps
          log p(y | x)
      (1) = Σ_c [y = c] g_c - logsumexp_c(g_c)
      (2) = Σ_c y_c g_c - logsumexp(g)
      (3) = Σ_c y_c log softmax(g)_c
      (4) = Σ_c y_c g_c - Σ_c y_c logsumexp(g)
      (5) = Σ_c g_c - logsumexp(g)
          expect refuted
      (6) = Σ_c y_c g_c
          expect refuted
      (7) = Σ_c log softmax(g)_c
          expect refuted
      (8) = Σ_c y_c (g_c - logsumexp_{j=1}^{C}(g_j))
    """

    func testTheCategoricalLogLikelihoodIsVerified() throws {
        let steps = verdicts(classifier)
        for label in ["(1)", "(2)", "(3)", "(4)", "(8)"] {
            XCTAssertEqual(steps[label]?.verdict, .verified, "\(label): \(steps[label]?.message ?? "missing")")
        }
        XCTAssertTrue(steps["(1)"]?.rules.contains("family") ?? false, "(1) expands the family: \(steps["(1)"]?.rules ?? [])")
        XCTAssertTrue(steps["(3)"]?.rules.contains("one-hot") ?? false, "Σ_c y_c · A = A: \(steps["(3)"]?.rules ?? [])")
        for label in ["(5)", "(6)", "(7)"] {
            XCTAssertEqual(steps[label]?.verdict, .refuted, "\(label): \(steps[label]?.message ?? "missing")")
            XCTAssertNotNil(steps[label]?.counterexample, label)
        }
    }

    func testOneHotComponentsAreNotTheClassIndex() throws {
        let steps = verdicts("""
        derivation onehot "one-hot sums"
        variables
          y : observed label[C]
        model p(y)
        steps
              Σ_c y_c
          (1) = 1
          (2) = Σ_c [y = c]^2
          (3) = C
              expect refuted
          (4) = Σ_c y_c y_c y_c
        """)
        XCTAssertEqual(steps["(1)"]?.verdict, .verified, steps["(1)"]?.message ?? "")
        XCTAssertEqual(steps["(2)"]?.verdict, .verified, steps["(2)"]?.message ?? "")
        XCTAssertEqual(steps["(3)"]?.verdict, .refuted, steps["(3)"]?.message ?? "")
        XCTAssertEqual(steps["(4)"]?.verdict, .verified, steps["(4)"]?.message ?? "")
    }

    func testTheSyntaxReadsAsWritten() throws {
        let spec = try SpecParser.parse(source: classifier, path: "c.elbo")
        let d = try XCTUnwrap(spec.derivations.first)
        XCTAssertEqual(d.declarations.families.first?.kind, .categoricalLogits(.symbol("g")))
        // [y = c] is the one-hot component y_c; logsumexp_c(X) is log Σ_c exp(X).
        guard case .sum(let parts) = d.steps[0].expr, parts.count == 2,
              case .indexedSum("c", _, .symbol("C"), let body) = parts[0] else {
            return XCTFail("\(d.steps[0].expr)")
        }
        XCTAssertTrue(body.allSubexpressions.contains(.component("y", index: "c")), "\(body)")
        XCTAssertTrue(parts[1].allSubexpressions.contains { if case .log(.indexedSum(_, _, .symbol("C"), .exp)) = $0 { return true }; return false },
                      "\(parts[1])")
        XCTAssertThrowsError(try SpecParser.parse(source: classifier.replacingOccurrences(of: "logsumexp(g)", with: "logsumexp(g + 1)"),
                                                  path: "c.elbo"))
        XCTAssertThrowsError(try SpecParser.parse(source: classifier.replacingOccurrences(of: "[y = c]", with: "[y = x]"),
                                                  path: "c.elbo"))
    }
}
