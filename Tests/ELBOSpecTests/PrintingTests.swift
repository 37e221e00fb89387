import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// `Expr.description` is spec syntax that parses back to the same term.
final class PrintingTests: XCTestCase {
    let x = Expr.symbol("x"), z = Expr.symbol("z"), gamma = Expr.symbol("gamma"), k = Expr.symbol("k")

    /// Parses every start, step, objective and definition of `source`, prints it and parses it back.
    private func assertRoundTrips(_ source: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let spec = parseOrFail(source, file: file, line: line) else { return }
        var count = 0
        for d in spec.derivations {
            let labels = Set(d.steps.compactMap(\.label))
            var terms = d.steps.map(\.expr) + d.objectives.map(\.expr) + [d.start].compactMap { $0 }
            terms += d.declarations.families.flatMap { $0.kind.expressions }
            for e in terms {
                count += 1
                do {
                    let back = try SpecParser.parseExpression(e.description, in: d.declarations, stepLabels: labels)
                    XCTAssertEqual(back, e, "\(e.description) reads back as \(back.description)", file: file, line: line)
                } catch {
                    XCTFail("\(e.description) does not parse: \(error)", file: file, line: line)
                }
            }
            for def in d.declarations.definitions {
                var decls = d.declarations
                decls.params += def.parameters.map { Param(name: $0, shape: [], positive: false) }
                let back = try? SpecParser.parseExpression(def.body.description, in: decls)
                XCTAssertEqual(back, def.body, def.body.description, file: file, line: line)
            }
        }
        XCTAssertGreaterThan(count, 3, file: file, line: line)
    }

    func testEveryStepOfTheFixturesRoundTrips() {
        assertRoundTrips(Fixtures.cdvae)
        assertRoundTrips(Fixtures.vae)
        assertRoundTrips(Fixtures.srvae)
    }

    func testMinimalParentheses() {
        XCTAssertEqual(Expr.subtract(x, z).description, "x - z")
        XCTAssertEqual(Expr.divide(x, z).description, "x / z")
        XCTAssertEqual(Expr.divide(x, Expr.mul([z, gamma])).description, "x / (z gamma)")
        XCTAssertEqual(Expr.power(Expr.add([x, z]), .int(2)).description, "(x + z)^2")
        XCTAssertEqual(Expr.negate(.power(x, .int(2))).description, "-x^2")
        XCTAssertEqual(Expr.power(Expr.negate(x), .int(2)).description, "(-x)^2")
        XCTAssertEqual(Expr.power(x, .power(z, .int(2))).description, "x^z^2")
        XCTAssertEqual(Expr.power(.power(x, z), .int(2)).description, "(x^z)^2")
        XCTAssertEqual(Expr.power(x, .int(-2)).description, "x^-2")
        XCTAssertEqual(Expr.squareRoot(x).description, "x^(1/2)")
        XCTAssertEqual(Expr.subtract(x, Expr.add([z, gamma])).description, "x - (z + gamma)")
        XCTAssertEqual(Expr.mul([.number(Rational(1, 2)), x]).description, "1/2 x")
        XCTAssertEqual(Expr.add([x, .int(-3)]).description, "x - 3")
        XCTAssertEqual(Expr.mul([.int(2), .int(3), x]).description, "6 x")
        let s = Expr.indexedSum(index: "j", from: .int(1), to: k, body: .component("x", index: "j"))
        XCTAssertEqual(Expr.mul([s, gamma]).description, "(sum_{j=1}^{k} x_j) gamma")
        XCTAssertEqual(Expr.mul([gamma, s]).description, "gamma sum_{j=1}^{k} x_j")
        XCTAssertEqual(Expr.add([s, gamma]).description, "sum_{j=1}^{k} x_j + gamma")
        XCTAssertEqual(Expr.integral(Expr.add([x, z]), over: ["z"]).description, "int x + z dz")
        XCTAssertEqual(Expr.integral(x, over: ["a", "b", "c", "d"]).description, "int x d(a, b, c, d)")
        XCTAssertEqual(Expr.stepRef("16'").description, "(16')")
    }

    func testHandBuiltTermsRoundTrip() throws {
        let decls = Fixtures.vaeDeclarations
        let s = Expr.indexedSum(index: "j", from: .int(1), to: k, body: Expr.divide(.component("x", index: "j"), gamma))
        let terms: [Expr] = [
            Expr.mul([s, gamma, Expr.divide(.int(1), s)]),
            Expr.divide(x, Expr.integral(.symbol("mu"), over: ["z"])),
            Expr.negate(Expr.divide(.int(1), Expr.add([x, z]))),
            Expr.mul([.number(Rational(-1, 2)), x, .power(gamma, .int(-1))]),
            Expr.power(.number(Rational(1, 2)), .number(Rational(-3, 2))),
            .apply("transpose", [Expr.add([x, z])]),
            Expr.add([.kl(.density(Density(joint: "q", variables: ["z"], given: ["x"])), .density(Density(joint: "p", variables: ["z"]))), .int(-1)]),
            .normalDensity(point: x, mean: Expr.negate(z), variance: .power(gamma, .int(2))),
            .integral(.integral(.density(Density(joint: "p", variables: ["x", "z"])), over: ["x"]), over: ["z"]),
        ]
        for e in terms {
            let back = try SpecParser.parseExpression(e.description, in: decls)
            XCTAssertEqual(back, e, "\(e.description) reads back as \(back.description)")
        }
    }

    func testUnicodeDescription() throws {
        let e = try XCTUnwrap(expr("-k log(gamma) - 1/(2 gamma^2) E_{q(z | x)}[norm2(x - xhat)] + KL(q(z | x) || p(z)) + int p(z) mu dz"))
        XCTAssertEqual(e.unicodeDescription, "−k log(γ) − 1 / (2 γ²) 𝔼_{q(z | x)}[‖x − x̂‖²] + KL(q(z | x) ‖ p(z)) + ∫ p(z) μ dz")
        let s = try XCTUnwrap(expr("sum_{j=1}^{m} mu_j^2 + x^T"))
        XCTAssertEqual(s.unicodeDescription, "Σ_{j=1}^{m} μ_j² + xᵀ")
    }
}
