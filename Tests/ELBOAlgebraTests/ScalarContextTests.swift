import XCTest
@testable import ELBOAlgebra

/// The context a derivation's declarations give the scalar layer.
final class ScalarContextTests: XCTestCase {
    /// A Gaussian VAE: q(z | x) = N(mu, exp(s)), p(x | z) = N(xhat, gamma²), p(z) = N(0, 1).
    func vaeDeclarations() -> Declarations {
        var d = Declarations()
        d.variables = [Variable(name: "x", role: .observed, type: .real(.symbol("k"))),
                       Variable(name: "z", role: .latent, type: .real(.symbol("m"))),
                       Variable(name: "y", role: .input, type: .label(.symbol("C")))]
        d.params = [Param(name: "gamma", shape: [], positive: true), Param(name: "w", shape: [.symbol("k")], positive: false)]
        d.families = [
            Family(density: Density(joint: "q", variables: ["z"], given: ["x"]), kind: .normal(mean: .symbol("mu"), variance: .exp(.symbol("s")))),
            Family(density: Density(joint: "p", variables: ["x"], given: ["z"]), kind: .normal(mean: .symbol("xhat"), variance: .power(.symbol("gamma"), .int(2)))),
            Family(density: Density(joint: "p", variables: ["z"]), kind: .normal(mean: .int(0), variance: .symbol("v"))),
        ]
        d.networks = [Network(name: "encoder", inputs: ["x"], outputs: ["mu", "s"]),
                      Network(name: "decoder", inputs: ["z"], outputs: ["xhat"])]
        return d
    }

    func testFactsFromDeclarations() {
        let c = ScalarContext(declarations: vaeDeclarations())
        XCTAssertEqual(c.dimensions["x"], .symbol("k"))
        XCTAssertEqual(c.dimensions["z"], .symbol("m"))
        XCTAssertEqual(c.dimensions["mu"], .symbol("m"))
        XCTAssertEqual(c.dimensions["s"], .symbol("m"))
        XCTAssertEqual(c.dimensions["xhat"], .symbol("k"))
        XCTAssertEqual(c.dimensions["w"], .symbol("k"))
        XCTAssertNil(c.dimensions["gamma"])
        // A label's components are one-hot over its classes.
        XCTAssertEqual(c.dimensions["y"], .symbol("C"))
        XCTAssertEqual(c.labels, ["y"])
        XCTAssertTrue(c.positive.isSuperset(of: ["gamma", "k", "m", "v"]))
        XCTAssertFalse(c.positive.contains("mu"))
        XCTAssertEqual(c.dimensions["v"], .symbol("m"))
        XCTAssertEqual(c.variables, ["x", "z", "y"])
        XCTAssertEqual(c.dependencies(of: "xhat"), ["z"])
    }

    func testDerivationsInTheDeclaredContext() throws {
        let c = ScalarContext(declarations: vaeDeclarations())
        let x = Expr.symbol("x"), z = Expr.symbol("z"), xhat = Expr.symbol("xhat"), gamma = Expr.symbol("gamma")
        let k = Expr.symbol("k")
        let logLik = try ScalarNormalizer.normalize(.log(.normalDensity(point: x, mean: xhat, variance: .power(gamma, .int(2)))), context: c)
        let closed = try ScalarNormalizer.normalize(.add([
            .mul([.number(Rational(-1, 2)), k, .log(.mul([.int(2), .constant(.pi)]))]),
            .mul([.int(-1), k, .log(gamma)]),
            .mul([.number(Rational(-1, 2)), .norm2(.subtract(x, xhat)), .power(gamma, .int(-2))]),
        ]), context: c)
        XCTAssertEqual(logLik, closed)
        XCTAssertEqual(logLik.freeVariables(context: c), ["x", "z"])
        // KL(q(z | x) || p(z)) with p(z) = N(0, v): the prior variance is positive.
        var rules = RuleLog()
        let integrand = try ScalarNormalizer.normalize(.subtract(.log(.normalDensity(point: z, mean: .symbol("mu"), variance: .exp(.symbol("s")))),
                                                                 .log(.normalDensity(point: z, mean: .int(0), variance: .symbol("v")))),
                                                       context: c, rules: &rules)
        let kl = try XCTUnwrap(ScalarNormalizer.gaussianExpectation(of: integrand, over: "z", mean: .symbol("mu"),
                                                                    variance: try ScalarNormalizer.normalize(.exp(.symbol("s")), context: c),
                                                                    context: c, rules: &rules))
        XCTAssertTrue(ScalarNormalizer.isNonNegative(kl, context: c), "\(kl)")
        XCTAssertTrue(rules.used.isSuperset(of: [.gaussianLogDensity, .gaussianMoments, .componentwise, .finiteSum]))
        XCTAssertEqual(kl.freeVariables(context: c), ["x"])
    }
}
