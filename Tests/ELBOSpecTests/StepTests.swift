import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// The `steps` block: continuation lines, labels, relations and clauses.
final class StepTests: XCTestCase {
    static let header = """
    derivation t "steps"
    variables
      x : observed real[k]
      z : latent real[k]
      c : input real[1]
    param gamma > 0
    model p(x, z | c) = p(x | z) p(z)
    guide q(z | x)
    assume a1: p(x | z) = p(x | z)
    assume a2: p(z) = p(z)

    """

    private func steps(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> [Step] {
        parseOrFail(StepTests.header + body, file: file, line: line)?.derivations.first?.steps ?? []
    }

    func testEveryRelationSpelling() {
        let s = steps("""
        steps
          gamma
          = gamma
          >= gamma
          ≥ gamma
          <= gamma
          ≤ gamma
          ~= gamma assuming a1
          ≈ gamma assuming a1
          =c gamma
          ≐ gamma
          prop gamma
          ∝ gamma
        """)
        XCTAssertEqual(s.map(\.relation), [.equal, .greaterOrEqual, .greaterOrEqual, .lessOrEqual, .lessOrEqual,
                                           .approximately, .approximately, .equalUpToConstant, .equalUpToConstant,
                                           .proportional, .proportional])
        XCTAssertTrue(s.allSatisfy { $0.label == nil && $0.expr == .symbol("gamma") })
    }

    func testEqualsFollowedBySpaceAndCIsEquality() {
        let s = steps("""
        steps
          c
          (1) = c
          (2) =c c
        """)
        XCTAssertEqual(s.map(\.relation), [.equal, .equalUpToConstant])
        XCTAssertEqual(s.map(\.expr), [.symbol("c"), .symbol("c")])
    }

    func testContinuationLinesAndClausesInAnyOrder() {
        let s = steps("""
        steps
          log p(x)
            + gamma
          (1) = log p(x | z)
                + log p(z)
                - log p(z | x)
                by bayes rule, log-split
                assuming a1,
                  a2
          (2) = log p(x) expect refuted by arithmetic
          (2') = log p(x)
            assuming a2 expect refuted
        """)
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s[0].label, "1")
        guard case .sum(let terms) = s[0].expr else { return XCTFail("(1) is not a sum") }
        XCTAssertEqual(terms.count, 3)
        XCTAssertEqual(s[0].authorRules, ["bayes rule", "log-split"])
        XCTAssertEqual(s[0].assumptions, ["a1", "a2"])
        XCTAssertEqual(s[0].expectation, .holds)
        XCTAssertEqual(s[1].expectation, .refuted)
        XCTAssertEqual(s[1].authorRules, ["arithmetic"])
        XCTAssertEqual(s[2].label, "2'")
        XCTAssertEqual(s[2].assumptions, ["a2"])
        XCTAssertEqual(s[2].expectation, .refuted)
    }

    func testStartContinuesAndLocationsAreRecorded() throws {
        let file = try XCTUnwrap(parseOrFail(StepTests.header + """
        steps
          log p(x)
            - gamma
          (16) = gamma
        """))
        let d = try XCTUnwrap(file.derivations.first)
        XCTAssertEqual(d.start, .sum([.log(.density(Density(joint: "p", variables: ["x"]))), .product([.int(-1), .symbol("gamma")])]))
        XCTAssertEqual(d.startLocation, SourceLocation(file: "test.elbo", line: 12, column: 3))
        XCTAssertEqual(d.steps[0].location, SourceLocation(file: "test.elbo", line: 14, column: 3))
        XCTAssertEqual(d.steps[0].exprLocation, SourceLocation(file: "test.elbo", line: 14, column: 10))
    }

    func testKeywordLineEndsTheStepsBlock() throws {
        let d = try XCTUnwrap(parseOrFail(StepTests.header + """
        steps
          gamma
          (1) = gamma
        objective loss = -(1) + gamma
        """)?.derivations.first)
        XCTAssertEqual(d.steps.count, 1)
        XCTAssertEqual(d.objectives.first?.expr, .sum([.product([.int(-1), .stepRef("1")]), .symbol("gamma")]))
    }

    func testSeveralDerivationsInAFile() throws {
        let src = Fixtures.cdvae + "\n" + Fixtures.vae + "\n" + """
        derivation tiny
        variables
          x : observed real[1]
        model p(x)
        steps
          log p(x)
          (1) = log p(x)
        """
        let file = try XCTUnwrap(parseOrFail(src))
        XCTAssertEqual(file.derivations.map(\.name), ["cdvae", "vae", "tiny"])
        XCTAssertEqual(file.derivations.map(\.steps.count), [8, 5, 1])
        XCTAssertNil(file.derivations[2].declarations.variable("z_l"), "declarations do not leak between derivations")
    }

    func testVAEFixtureSteps() throws {
        let d = try XCTUnwrap(parseOrFail(Fixtures.vae)?.derivations.first)
        XCTAssertEqual(d.steps.map(\.label), ["1", "2", "3", "3'", "4"])
        XCTAssertEqual(d.steps.map(\.relation), [.greaterOrEqual, .equal, .equalUpToConstant, .equalUpToConstant, .proportional])
        XCTAssertEqual(d.steps[1].expr, d.steps[0].expr, "E_{z ~ M}(X) and KL(P, Q) are the same as E_{M}[X] and KL(P || Q)")
        XCTAssertEqual(d.steps[1].authorRules, ["elbo", "jensen"])
        XCTAssertEqual(d.steps[3].expectation, .refuted)
        XCTAssertEqual(d.steps[4].assumptions, ["prior_split"])
        XCTAssertEqual(d.steps[4].expr, .product([.int(-1), .apply("MSE", [.symbol("x"), .symbol("xhat")])]))
    }
}

/// Forms promised by `Specs/README.md`.
final class ReferenceTests: XCTestCase {
    func testTheReferenceExampleParses() throws {
        let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let readme = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Specs/README.md")
        guard let text = try? String(contentsOf: readme, encoding: .utf8) else {
            throw XCTSkip("Specs/README.md not found next to the tests")
        }
        let example = try XCTUnwrap(text.components(separatedBy: "```").dropFirst().first)
        let d = try XCTUnwrap(parseOrFail(example)?.derivations.first)
        XCTAssertEqual(d.steps.map(\.relation), [.greaterOrEqual, .equalUpToConstant])
        XCTAssertEqual(d.steps.last?.authorRules, ["gaussian-kl"])
        XCTAssertEqual(d.objectives.first?.expr, .product([.int(-1), .stepRef("2")]))
    }

    func testSmallPromises() throws {
        let src = """
        derivation r
        variables
          source : input real[1]
          a, b : latent real[2]
        model p(a, b | source)
        assume same: p(a | b) = p(a | b)
        steps
          ∫ p(a, b | source) d(a, b)
          (A) = ∬ p(a, b | source) da db expect holds
          (x) ≈ ∬ p(a, b | source) da db assuming same
        """
        let d = try XCTUnwrap(parseOrFail(src)?.derivations.first)
        XCTAssertEqual(d.declarations.variables.map(\.name), ["source", "a", "b"])
        XCTAssertEqual(d.start, d.steps[0].expr)
        XCTAssertEqual(d.steps.map(\.label), ["A", "x"])
        XCTAssertEqual(d.steps[0].expectation, .holds)
        assertDiagnostic("derivation r\nvariables\n  x : observed real[1]\nmodel p(x)\nsteps\n  p(x\u{0301})", at: (6, 5), contains: "unsupported accent")
    }
}
