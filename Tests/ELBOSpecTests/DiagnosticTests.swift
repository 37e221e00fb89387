import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// Every diagnostic the parser must give, with its position.
final class DiagnosticTests: XCTestCase {
    /// Lines 1–10 of a small spec; `step` becomes line 11 and `extra` follows it.
    private func spec(step: String, model: String = "model p(x, z | c) = p(x | z) p(z | c)", extra: String = "") -> String {
        """
        derivation d "D"
        variables
          x : observed real[k]
          z : latent real[m]
          c : input label[C]
        \(model)
        guide q(z | x) = q(z | x)
        assume a: p(x | z) = p(x | z)
        steps
          log p(x | c)
        \(step)
        \(extra)
        """
    }

    func testTheBaseSpecParses() {
        XCTAssertNotNil(parseOrFail(spec(step: "  (1) = log p(x | c)")))
    }

    func testFormatIsPathLineColumn() {
        let ds = diagnostics(spec(step: "  (1) = log p(w | z)"))
        XCTAssertEqual(ds.first?.description, "test.elbo:11:15: error: unknown variable 'w' in density")
        XCTAssertThrowsError(try SpecParser.parse(source: spec(step: "  (1) = log p(w | z)"), path: "test.elbo")) { error in
            XCTAssertEqual((error as? SpecErrors)?.diagnostics.count, 1)
        }
    }

    func testUnknownVariableInDensity() {
        assertDiagnostic(spec(step: "  (1) = log p(w | z)"), at: (11, 15), contains: "unknown variable 'w' in density")
    }

    func testDensityOfUndeclaredJoint() {
        assertDiagnostic(spec(step: "  (1) = log r(x | z)"), at: (11, 13), contains: "density of undeclared joint 'r'")
        // Capitalised names are not folded into p or q.
        assertDiagnostic(spec(step: "  (1) = log P(x | c)"), at: (11, 13), contains: "density of undeclared joint 'P'")
        assertDiagnostic(spec(step: "  (1) = log P_theta(x | c)"), at: (11, 13), contains: "density of undeclared joint 'P_theta'")
    }

    func testDensityOverVariablesItsJointDoesNotDeclare() {
        assertDiagnostic(spec(step: "  (1) = log q(c | x)"), at: (11, 15), contains: "density over undeclared variables: 'c' is not a variable of guide 'q'")
    }

    func testUnknownIdentifier() {
        assertDiagnostic(spec(step: "  (1) = log p(x | c) + foo"), at: (11, 24), contains: "unknown identifier 'foo'")
        assertDiagnostic(spec(step: "  (1) = log p(x | c) + bar(x)"), at: (11, 24), contains: "unknown function 'bar'")
        assertDiagnostic(spec(step: "  (1) = log p(x | c) + dz"), at: (11, 24), contains: "unknown identifier 'dz'")
    }

    func testUnbalancedBracketPointsAtTheOpeningOne() {
        assertDiagnostic(spec(step: "  (1) = log( p(x | c)"), at: (11, 12), contains: "unbalanced '('")
        assertDiagnostic(spec(step: "  (1) = E_{q(z | x)}[ log p(x | z) )"), at: (11, 21), contains: "unbalanced '[': closed by ')' at 11:36")
        assertDiagnostic(spec(step: "  (1) = log p(x | c) )"), at: (11, 22), contains: "unmatched ')'")
        // Across lines: the step ends at the next label and the error is at its opening bracket.
        let src = spec(step: "  (1) = log( p(x | c)\n        + 1", extra: "  (2) = log p(x | c)")
        assertDiagnostic(src, at: (11, 12), contains: "unbalanced '(': no matching ')'")
        let result = SpecParser.parseRecovering(source: src, path: "test.elbo")
        XCTAssertEqual(result.file.derivations.first?.steps.map(\.label), ["1", "2"], "no step is skipped")
        XCTAssertEqual(result.erroneousSteps[0], [0])
    }

    func testUnknownRelation() {
        assertDiagnostic(spec(step: "  (1) => log p(x | c)"), at: (11, 7), contains: "unknown relation '=>'")
        assertDiagnostic(spec(step: "  == log p(x | c)"), at: (11, 3), contains: "unknown relation '=='")
        assertDiagnostic(spec(step: "  (1) log p(x | c)"), at: (11, 7), contains: "unknown relation 'log'")
    }

    func testAssumingAnUndeclaredAssumption() {
        assertDiagnostic(spec(step: "  (1) = log p(x | c) assuming b"), at: (11, 31), contains: "unknown assumption 'b'")
        assertDiagnostic(spec(step: "  (1) = log p(x | c)\n      by rule assuming a, b"), at: (12, 27), contains: "unknown assumption 'b'")
    }

    func testApproximationWithoutAssuming() {
        assertDiagnostic(spec(step: "  (1) ≈ log p(x | c)"), at: (11, 7), contains: "'≈' needs 'assuming NAME'")
        assertDiagnostic(spec(step: "  (1) ~= log p(x | c)"), at: (11, 7), contains: "'~=' needs 'assuming NAME'")
        XCTAssertNotNil(parseOrFail(spec(step: "  (1) ≈ log p(x | c) assuming a")))
    }

    func testKLOverDifferentVariables() {
        assertDiagnostic(spec(step: "  (1) = KL(q(z | x) || p(x | z))"), at: (11, 9), contains: "KL compares densities over different variables: {z} and {x}")
        assertDiagnostic(spec(step: "  (1) = KL(q(z | x) || 1)"), at: (11, 24), contains: "not a density")
    }

    func testModelFactorsMustPartitionTheJoint() {
        assertDiagnostic(spec(step: "", model: "model p(x, z | c) = p(x | z)"), at: (6, 7),
                         contains: "factors of 'p' do not partition its variables: 'z' is on the left of no factor")
        assertDiagnostic(spec(step: "", model: "model p(x, z | c) = p(x | z) p(z) p(x | c)"), at: (6, 35),
                         contains: "'x' is on the left of both p(x | z) and p(x | c)")
        assertDiagnostic(spec(step: "", model: "model p(x, z | c) = p(x | z) p(z) p(c)"), at: (6, 35),
                         contains: "'c' is an input of 'p'")
    }

    func testModelFactorsMustBeDensitiesOfTheModel() {
        // q is declared on the next line; the factor is still recognised as a density of q.
        assertDiagnostic(spec(step: "", model: "model p(x, z | c) = p(x | z) q(z | x)"), at: (6, 30),
                         contains: "factor q(z | x) of model 'p' is a density of 'q'")
    }

    func testModelFactorsMustConditionOnDeclaredVariables() {
        let src = spec(step: "  (1) = log p(x)", model: "model p(x, z) = p(x | z, c) p(z)").replacingOccurrences(of: "log p(x | c)", with: "log p(x)")
        assertDiagnostic(src, at: (6, 17), contains: "factor p(x | z, c) conditions on 'c', which model 'p' does not declare")
        assertDiagnostic(spec(step: "", model: "model p(x, z | c) = p(x | z, w) p(z)"), at: (6, 30), contains: "unknown variable 'w' in density")
    }

    func testModelFactorsMustNotFormACycle() {
        assertDiagnostic(spec(step: "", model: "model p(x, z | c) = p(x | z) p(z | x)"), at: (6, 7),
                         contains: "factors of 'p' form a cycle: x → z → x")
    }

    func testStepsWithoutAStart() {
        let src = """
        derivation d
        variables
          x : observed real[1]
        model p(x)
        steps
          (1) = log p(x)
          (2) = log p(x)
        """
        assertDiagnostic(src, at: (6, 3), contains: "derivation 'd' has steps but no starting expression")
        XCTAssertEqual(SpecParser.parseRecovering(source: src, path: "test.elbo").file.derivations.first?.steps.count, 2)
    }

    func testIntegralDifferentials() {
        assertDiagnostic(spec(step: "  (1) = ∫ q(z | x) log p(x | z) dmu"), at: (11, 33),
                         contains: "integral differential 'dmu' is not over a declared variable")
        assertDiagnostic(spec(step: "  (1) = ∫ q(z | x) log p(x | z) d(k)"), at: (11, 35),
                         contains: "integral differential 'd(k)' is not over a declared variable")
        assertDiagnostic(spec(step: "  (1) = ∫ q(z | x) log p(x | z)"), at: (11, 9), contains: "integral without a differential")
        assertDiagnostic(spec(step: "  (1) = ∬ q(z | x) log p(x | z) dz"), at: (11, 9), contains: "'∬' takes 2 differentials, found 1")
    }

    func testDuplicateDeclarations() {
        assertDiagnostic(spec(step: "", extra: "variables\n  z : latent real[3]"), at: (13, 3),
                         contains: "duplicate declaration of 'z' (first declared as a variable at 4:3)")
        assertDiagnostic(spec(step: "", extra: "assume a: p(z) = p(z)"), at: (12, 8), contains: "duplicate declaration of 'a'")
        assertDiagnostic(spec(step: "", extra: "guide q_psi(z | x)"), at: (12, 7), contains: "duplicate declaration of 'q'")
        assertDiagnostic(spec(step: "", extra: "param x"), at: (12, 7), contains: "duplicate declaration of 'x'")
        assertDiagnostic(spec(step: "  (1) = log p(x | c)", extra: "  (1) = log p(x | c)"), at: (12, 3), contains: "duplicate step label (1)")
        assertDiagnostic(spec(step: "") + "\n" + spec(step: ""), at: (13, 12), contains: "duplicate declaration of derivation 'd'")
    }

    func testUnterminatedString() {
        assertDiagnostic("derivation d \"Title\nvariables\n  x : observed real[1]", at: (1, 14), contains: "unterminated string")
    }

    func testOtherMistakes() {
        assertDiagnostic(spec(step: "", extra: "family p(z | c) = Gamma(1, 2)"), at: (12, 19), contains: "unknown family 'Gamma'")
        assertDiagnostic(spec(step: "", extra: "variables\n  y : hidden real[1]"), at: (13, 7), contains: "unknown role 'hidden'")
        assertDiagnostic(spec(step: "  (1) = E_{x + 1}[ x ]"), at: (11, 12), contains: "must be a density or a product of densities")
        assertDiagnostic(spec(step: "  (1) = log p(x | c)", extra: "objective loss = -(9)"), at: (12, 19), contains: "(9) names no step")
        assertDiagnostic("variables\n  x : observed real[1]", at: (1, 1), contains: "'variables' outside a derivation")
        assertDiagnostic(spec(step: "  (1) = x @ x"), at: (11, 11), contains: "unexpected character '@'")
        assertDiagnostic(spec(step: "  (1) = N(0, 1)"), at: (11, 9), contains: "N(x; mean, variance)")
    }

    func testSeveralProblemsAreReportedInOneRun() {
        let src = spec(step: "  (1) = log p(w | z)", extra: "  (2) = foo\n  (3) ≈ log p(x | c)") + "\n" + """
        derivation e
        variables
          x : observed real[1]
        model p(x)
        steps
          log p(y)
        """
        let ds = diagnostics(src)
        XCTAssertEqual(ds.map { [$0.location.line, $0.location.column] }, [[11, 15], [12, 9], [13, 7], [19, 9]])
    }
}
