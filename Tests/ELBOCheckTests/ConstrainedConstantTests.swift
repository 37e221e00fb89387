import XCTest
import ELBOSpec
@testable import ELBOAlgebra
@testable import ELBOCheck

/// Constraints on constants (`param beta ≥ 1`, `param b < 0`, `param a, b > 0`): parsed for
/// every name of a list, respected by the witness, and used by the prover as weights of
/// non-negative terms (`b · KL`, `(beta − 1) · KL`, `a² · KL`) and in scalar certificates.
final class ConstrainedConstantTests: XCTestCase {
    func declarations(_ params: String) throws -> Declarations {
        let spec = try SpecParser.parse(source: """
        derivation d "d"
        variables
          x : observed real[k]
        \(params)
        model p(x)
        steps
          log p(x)
        """, path: "params.elbo")
        return try XCTUnwrap(spec.derivations.first).declarations
    }

    func testAConstraintAfterAListAppliesToEveryName() throws {
        let d = try declarations("param a, b > 0, c, e ≥ 1, g\nparam h <= -1/2, w[k] < 3")
        let bounds = Dictionary(uniqueKeysWithValues: d.params.map { ($0.name, $0.bound) })
        XCTAssertEqual(bounds["a"], .some(ParamBound(.greater, .zero)))
        XCTAssertEqual(bounds["b"], .some(ParamBound(.greater, .zero)))
        XCTAssertEqual(bounds["c"], .some(ParamBound(.greaterOrEqual, .one)))
        XCTAssertEqual(bounds["e"], .some(ParamBound(.greaterOrEqual, .one)))
        XCTAssertEqual(bounds["g"], .some(nil), "g follows the last constraint: unconstrained")
        XCTAssertEqual(bounds["h"], .some(ParamBound(.lessOrEqual, Rational(-1, 2))))
        XCTAssertEqual(bounds["w"], .some(ParamBound(.less, Rational(3))))
        XCTAssertEqual(d.params.filter(\.positive).map(\.name), ["a", "b", "c", "e"])
        // Training starts inside the constraint.
        let start = Dictionary(uniqueKeysWithValues: d.params.map { ($0.name, $0.initialValue) })
        XCTAssertEqual(start, ["a": 1, "b": 1, "c": 1, "e": 1, "g": 0, "h": -1.5, "w": 1])
        XCTAssertEqual(Param(name: "n", shape: [], bound: ParamBound(.less, Rational(-1))).initialValue, -2)
        XCTAssertEqual(Param(name: "n", shape: [], bound: ParamBound(.greater, Rational(3))).initialValue, 4)
    }

    func testAConstraintMustCompareWithANumber() {
        XCTAssertThrowsError(try declarations("param a > k")) { error in
            XCTAssertTrue("\(error)".contains("compares it with a number"), "\(error)")
        }
    }

    let betaSpec = """
    derivation weighted "bounds whose gaps are constants times a KL"
    variables
      x : observed real[k]
      z : latent real[m]
    param beta ≥ 1
    param b, c > 0
    param a
    model p(x, z) = p(x | z) p(z)
    guide q(z | x)
    steps
          E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) )
      (1) ≥ E_{q(z | x)}[ log p(x | z) ] - beta KL( q(z | x) || p(z) )
      (2) ≥ E_{q(z | x)}[ log p(x | z) ] - beta KL( q(z | x) || p(z) ) - b KL( q(z | x) || p(z) )
      (3) ≥ E_{q(z | x)}[ log p(x | z) ] - (beta + b + a^2) KL( q(z | x) || p(z) )
      (4) ≥ E_{q(z | x)}[ log p(x | z) ] - (beta + b + a^2 + a) KL( q(z | x) || p(z) )
          expect refuted
      (5) ≥ E_{q(z | x)}[ log p(x | z) ] - (beta + b + a^2 + b c^2) KL( q(z | x) || p(z) )
      (6) ≥ E_{q(z | x)}[ log p(x | z) ] - (beta + b + a^2 + b c^2 - c) KL( q(z | x) || p(z) )
          expect refuted
      (7) ≤ E_{q(z | x)}[ log p(x | z) ] - (beta + b + a^2 + b c^2 + 1) KL( q(z | x) || p(z) )
          expect refuted
    """

    func testConstantWeightsOfAKLAreProvedWhenTheirSignIsKnown() throws {
        let steps = verdicts(betaSpec)
        XCTAssertEqual(steps.count, 7)
        for label in ["(1)", "(2)", "(3)", "(5)"] {
            let s = try XCTUnwrap(steps[label])
            XCTAssertEqual(s.verdict, .verified, "\(label): \(s.message)")
            XCTAssertTrue(s.rules.contains("constant-weight") && s.rules.contains("kl-nonnegative"), "\(label): \(s.rules)")
        }
        XCTAssertTrue(steps["(1)"]!.rules.contains("constant-bound"), "(beta − 1) ≥ 0 needs beta ≥ 1: \(steps["(1)"]!.rules)")
        XCTAssertTrue(steps["(3)"]!.rules.contains("square-nonnegative"), "a² ≥ 0 for any real a: \(steps["(3)"]!.rules)")
        // a may be negative, c may exceed b c² + …: the witness finds values that break them.
        for label in ["(4)", "(6)", "(7)"] {
            XCTAssertEqual(steps[label]?.verdict, .refuted, "\(label): \(steps[label]?.message ?? "")")
            XCTAssertNotNil(steps[label]?.counterexample)
        }
    }

    func testTheWeightNeedsTheDeclaredBound() throws {
        // The same step with beta unconstrained, or bounded on the wrong side, is false.
        for decl in ["param beta", "param beta ≤ 1", "param beta > 0"] {
            let text = """
            derivation d "d"
            variables
              x : observed real[k]
              z : latent real[m]
            \(decl)
            model p(x, z) = p(x | z) p(z)
            guide q(z | x)
            steps
                  E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) )
              (1) ≥ E_{q(z | x)}[ log p(x | z) ] - beta KL( q(z | x) || p(z) )
            """
            let s = try XCTUnwrap(verdicts(text)["(1)"])
            XCTAssertEqual(s.verdict, .refuted, "\(decl): \(s.message)")
            XCTAssertNil(s.proof, decl)
        }
    }

    func testUpperBoundsAndNegativeConstants() throws {
        let steps = verdicts("""
        derivation d "d"
        variables
          x : observed real[k]
          z : latent real[m]
        param beta ≤ 1
        param g < -1
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        steps
              E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) )
          (1) ≤ E_{q(z | x)}[ log p(x | z) ] - beta KL( q(z | x) || p(z) )
          (2) ≥ E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) ) + g KL( q(z | x) || p(z) )
          (3) ≥ E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) ) - g KL( q(z | x) || p(z) )
              expect refuted
        """)
        XCTAssertEqual(steps["(1)"]?.verdict, .verified, steps["(1)"]?.message ?? "")
        XCTAssertEqual(steps["(2)"]?.verdict, .verified, steps["(2)"]?.message ?? "")
        XCTAssertEqual(steps["(3)"]?.verdict, .refuted, steps["(3)"]?.message ?? "")
    }

    func testScalarCertificatesUseTheBounds() throws {
        let steps = verdicts("""
        derivation d "d"
        variables
          x : observed real[k]
        param beta ≥ 1
        model p(x)
        steps
              beta^2
          (1) ≥ beta
          (2) ≥ 1
          (3) ≥ 2
              expect refuted

        derivation e "e"
        variables
          x : observed real[k]
        param s > 2
        model p(x)
        steps
              s^2 - 3
          (5) ≥ 1
          (6) ≥ 4
              expect refuted
        """)
        for label in ["(1)", "(2)", "(5)"] {
            XCTAssertEqual(steps[label]?.verdict, .verified, "\(label): \(steps[label]?.message ?? "")")
        }
        XCTAssertTrue(steps["(1)"]?.rules.contains("constant-bound") ?? false)
        XCTAssertEqual(steps["(3)"]?.verdict, .refuted, steps["(3)"]?.message ?? "")
        XCTAssertEqual(steps["(6)"]?.verdict, .refuted, steps["(6)"]?.message ?? "")
    }

    func testTheWitnessDrawsValuesInsideTheBounds() throws {
        // beta ≥ 1 is never refuted by a draw below 1; g < -1 never above -1; a free constant
        // takes negative values (a ≥ 0 is refuted).
        let steps = verdicts("""
        derivation d "d"
        variables
          x : observed real[k]
        param beta ≥ 1
        param g < -1
        param a
        model p(x)
        steps
              beta
          (1) ≥ 1
          (2) ≥ 1 + g + 1
          (3) ≥ 1 + a
              expect refuted
        """)
        XCTAssertEqual(steps["(1)"]?.verdict, .verified, steps["(1)"]?.message ?? "")
        XCTAssertEqual(steps["(2)"]?.verdict, .verified, steps["(2)"]?.message ?? "")
        XCTAssertEqual(steps["(3)"]?.verdict, .refuted, steps["(3)"]?.message ?? "")
    }

    /// The kernel checks a weight's side conditions itself: a corrupted factor is rejected.
    func testTheKernelRejectsCorruptedWeights() throws {
        let spec = try SpecParser.parse(source: betaSpec, path: "w.elbo")
        let d = try XCTUnwrap(spec.derivations.first)
        let prover = SymbolicProver(declarations: d.declarations)
        let outcome = prover.prove(lhs: try XCTUnwrap(d.start), rhs: d.steps[0].expr, relation: .greaterOrEqual, assumptions: [])
        guard case .proved(_, let proof) = outcome, case .decomposition(let terms) = proof.certificate.closing,
              let k = terms.firstIndex(where: { $0.factor != nil }) else {
            return XCTFail("step (1) is proved with a constant weight: \(outcome)")
        }
        let c = proof.certificate
        func rejected(_ change: (inout DecompositionTerm) -> Void) -> Bool {
            var altered = terms
            change(&altered[k])
            var bad = c
            bad.closing = .decomposition(altered)
            if case .failure = prover.replay(bad) { return true }
            return false
        }
        XCTAssertTrue(rejected { $0.factor = .add([.symbol("beta"), .int(1)]) }, "a weight that does not add up")
        XCTAssertTrue(rejected { $0.factor = .subtract(.int(1), .symbol("beta")) }, "a negative weight")
        XCTAssertTrue(rejected { $0.factorRules = [] }, "the certificate's rules left out")
        XCTAssertTrue(rejected { $0.factor = .symbol("x") }, "a weight that is a variable")
        if case .failure(let why) = prover.replay(c) { XCTFail("the original replays: \(why)") }
    }

    func testJSONIsValidWithNonFiniteNumbers() throws {
        var step = try XCTUnwrap(verdicts(betaSpec)["(4)"])
        step.counterexample = CounterexampleReport(lhs: .nan, rhs: -.infinity, instance: "i")
        step.approximationError = .infinity
        let report = CheckReport(files: [FileReport(path: "w.elbo", derivations: [
            DerivationReport(name: "d", title: "t", source: nil, steps: [step], objectives: [])])])
        let text = report.json()
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
        let files = try XCTUnwrap(json["files"] as? [[String: Any]])
        let s = try XCTUnwrap(((files.first?["derivations"] as? [[String: Any]])?.first?["steps"] as? [[String: Any]])?.first)
        let ce = try XCTUnwrap(s["counterexample"] as? [String: Any])
        XCTAssertEqual(ce["lhs"] as? String, "nan")
        XCTAssertEqual(ce["rhs"] as? String, "-inf")
        XCTAssertEqual(s["approximation_error"] as? String, "inf")
        // And it reads back with the documented strings.
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = CheckReport.nonFiniteDecoding
        let back = try decoder.decode(CheckReport.self, from: Data(text.utf8))
        XCTAssertTrue(back.files[0].derivations[0].steps[0].counterexample?.lhs.isNaN ?? false)
    }
}
