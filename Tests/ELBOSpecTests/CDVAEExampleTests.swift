import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// The whole example of SPEC-LANGUAGE.md parses exactly as the document says.
final class CDVAEExampleTests: XCTestCase {
    private let zlzu = ["z_l", "z_u"]
    private func p(_ v: [String], _ g: [String] = []) -> Expr { .density(Density(joint: "p", variables: v, given: g)) }
    private func q(_ v: [String], _ g: [String] = []) -> Expr { .density(Density(joint: "q", variables: v, given: g)) }

    private func derivation() throws -> Derivation {
        let file = try XCTUnwrap(parseOrFail(Fixtures.cdvae))
        XCTAssertEqual(file.derivations.count, 1)
        return try XCTUnwrap(file.derivations.first)
    }

    func testHeaderAndDeclarations() throws {
        let d = try derivation()
        XCTAssertEqual(d.name, "cdvae")
        XCTAssertEqual(d.title, "Derivation of the Loss in the CDVAE")
        XCTAssertNil(d.source)
        let decls = d.declarations
        XCTAssertEqual(decls.variables, [
            Variable(name: "x", role: .observed, type: .real(.symbol("k"))),
            Variable(name: "c", role: .input, type: .label(.symbol("C"))),
            Variable(name: "z_l", role: .latent, type: .real(.symbol("m_l"))),
            Variable(name: "z_u", role: .latent, type: .real(.symbol("m_u"))),
        ])
        XCTAssertEqual(Set(decls.dimensions), ["k", "C", "m_l", "m_u"])
        XCTAssertEqual(decls.joint("p"), Joint(kind: .model, name: "p", variables: ["x", "z_l", "z_u"], given: ["c"], factors: [
            Density(joint: "p", variables: ["x"], given: ["z_l", "z_u", "c"]),
            Density(joint: "p", variables: ["z_l"], given: ["c"]),
            Density(joint: "p", variables: ["z_u"]),
        ]))
        XCTAssertEqual(decls.joint("q"), Joint(kind: .guide, name: "q", variables: zlzu, given: ["x"], factors: [
            Density(joint: "q", variables: ["z_l"], given: ["x"]),
            Density(joint: "q", variables: ["z_u"], given: ["x"]),
        ]))
        XCTAssertEqual(decls.assumptions, [Assumption(name: "decoder_ignores_class", kind: .equality(
            lhs: Density(joint: "p", variables: ["x"], given: ["z_l", "z_u", "c"]),
            rhs: [Density(joint: "p", variables: ["x"], given: ["z_l", "z_u"])]))])
        XCTAssertEqual(d.declarationLocations["decoder_ignores_class"]?.line, 13)
        XCTAssertEqual(d.declarationLocations["z_u"], SourceLocation(file: "test.elbo", line: 8, column: 3))
    }

    func testStartAndLabels() throws {
        let d = try derivation()
        XCTAssertEqual(d.start, .log(p(["x"], ["c"])))
        XCTAssertEqual(d.startLocation?.line, 16)
        XCTAssertEqual(d.steps.map(\.label), ["1", "2", "3", "4", "5", "6", "7", "8"])
        XCTAssertEqual(d.steps.map(\.relation), [.equal, .equal, .equal, .equal, .equal, .equal, .greaterOrEqual, .equal])
        XCTAssertEqual(d.steps.map(\.location.line), [17, 18, 19, 21, 24, 27, 29, 30])
        XCTAssertEqual(d.steps[0].location.column, 3)
        XCTAssertEqual(d.steps[0].exprLocation.column, 9)
        XCTAssertTrue(d.steps.allSatisfy { $0.expectation == .holds && $0.authorRules.isEmpty })
    }

    func testStep1IsADoubleIntegral() throws {
        let d = try derivation()
        XCTAssertEqual(d.steps[0].expr, .integral(.product([q(zlzu, ["x"]), .log(p(["x"], ["c"]))]), over: zlzu))
    }

    func testStep3SpansTwoLines() throws {
        let d = try derivation()
        let ratio = Expr.divide(
            Expr.mul([p(["x"], ["z_l", "z_u", "c"]), p(zlzu, ["c"]), q(zlzu, ["x"])]),
            Expr.mul([p(zlzu, ["c", "x"]), q(zlzu, ["x"])]))
        XCTAssertEqual(d.steps[2].expr, .integral(.product([q(zlzu, ["x"]), .log(ratio)]), over: zlzu))
    }

    func testStep4HasThreeTerms() throws {
        let d = try derivation()
        guard case .sum(let terms) = d.steps[3].expr else { return XCTFail("(4) is not a sum: \(d.steps[3].expr)") }
        XCTAssertEqual(terms.count, 3)
        XCTAssertEqual(terms[0], .integral(.product([q(zlzu, ["x"]), .log(p(["x"], ["z_l", "z_u", "c"]))]), over: zlzu))
        XCTAssertEqual(terms[1], .integral(.product([q(zlzu, ["x"]), .log(Expr.divide(q(zlzu, ["x"]), p(zlzu, ["c", "x"])))]), over: zlzu))
        let meanField = Expr.mul([q(["z_l"], ["x"]), q(["z_u"], ["x"])])
        let third = Expr.integral(Expr.mul([meanField, .log(Expr.divide(meanField, Expr.mul([p(["z_l"], ["c"]), p(["z_u"])])))]), over: zlzu)
        XCTAssertEqual(terms[2], Expr.negate(third))
    }

    func testStep5NestsIntegrals() throws {
        let d = try derivation()
        guard case .sum(let terms) = d.steps[4].expr else { return XCTFail("(5) is not a sum") }
        XCTAssertEqual(terms.count, 4)
        XCTAssertEqual(terms[0], .expectation(measure: q(zlzu, ["x"]), body: .log(p(["x"], ["z_l", "z_u", "c"]))))
        XCTAssertEqual(terms[1], .kl(q(zlzu, ["x"]), p(zlzu, ["c", "x"])))
        // ∫ q(z_u | x) ∫ q(z_l | x) log(…) dz_l dz_u: the inner integral takes dz_l, the outer dz_u.
        let inner1 = Expr.integral(.product([q(["z_l"], ["x"]), .log(Expr.divide(q(["z_l"], ["x"]), p(["z_l"], ["c"])))]), over: ["z_l"])
        XCTAssertEqual(terms[2], Expr.negate(.integral(.product([q(["z_u"], ["x"]), inner1]), over: ["z_u"])))
        let inner2 = Expr.integral(.product([q(["z_u"], ["x"]), .log(Expr.divide(q(["z_u"], ["x"]), p(["z_u"])))]), over: ["z_l"])
        XCTAssertEqual(terms[3], Expr.negate(.integral(.product([q(["z_l"], ["x"]), inner2]), over: ["z_u"])))
    }

    func testStep7And8() throws {
        let d = try derivation()
        let klL = Expr.kl(q(["z_l"], ["x"]), p(["z_l"], ["c"]))
        let klU = Expr.kl(q(["z_u"], ["x"]), p(["z_u"]))
        XCTAssertEqual(d.steps[6].expr, Expr.add([
            .expectation(measure: q(zlzu, ["x"]), body: .log(p(["x"], ["z_l", "z_u", "c"]))),
            Expr.negate(klL), Expr.negate(klU)]))
        XCTAssertEqual(d.steps[7].expr, Expr.add([
            .expectation(measure: q(zlzu, ["x"]), body: .log(p(["x"], ["z_l", "z_u"]))),
            Expr.negate(klL), Expr.negate(klU)]))
        XCTAssertEqual(d.steps[7].assumptions, ["decoder_ignores_class"])
        XCTAssertTrue(d.steps[0..<7].allSatisfy { $0.assumptions.isEmpty })
    }
}
