import XCTest
@testable import ELBOAlgebra

/// The laws of the scalar canonical form, one per line.
final class ScalarAlgebraTests: ScalarTestCase {
    let a = SX.v("a"), b = SX.v("b"), c = SX.v("c"), g = SX.v("g"), t = SX.v("t"), gamma = SX.v("gamma")
    let xj = SX.c("x", "j"), yj = SX.c("xhat", "j"), fj = SX.c("f", "j")

    func testPolynomials() {
        assertNormalizes((a + b).sq, equals: a.sq + 2 * a * b + b.sq)
        assertNormalizes((a - b) * (a + b), equals: a.sq - b.sq)
        assertNormalizes(a * b - b * a, equals: 0)
        assertNormalizes(SX.r(1, 10) + SX.r(2, 10), equals: SX.r(3, 10))
        assertNormalizes((a + 1).pow(3), equals: a.pow(3) + 3 * a.sq + 3 * a + 1)
        assertDiffers((a + b).sq, a.sq + b.sq)
    }

    func testLaurentMonomials() {
        assertNormalizes(a / a, equals: 1)
        assertNormalizes(a.sq / a, equals: a)
        assertNormalizes((a * b) / (2 * b), equals: SX.r(1, 2) * a)
        assertNormalizes(1 / (a * b).sq, equals: a.pow(-2) * b.pow(-2))
    }

    func testLogAndExpLaws() {
        assertNormalizes(SX.log(SX.exp(a)), equals: a)
        assertNormalizes(SX.exp(SX.log(g)), equals: g)
        assertNormalizes(SX.exp(a) * SX.exp(b), equals: SX.exp(a + b))
        assertNormalizes(SX.exp(a) / SX.exp(a), equals: 1)
        assertNormalizes(SX.exp(0), equals: 1)
        assertNormalizes(SX.e, equals: SX.exp(1))
        assertNormalizes(SX.log(SX.e), equals: 1)
        assertNormalizes(SX.log(1), equals: 0)
        assertNormalizes(SX.log(2 * SX.pi), equals: SX.log(2) + SX.log(SX.pi))
        assertNormalizes(SX.log(4), equals: 2 * SX.log(2))
        assertNormalizes(SX.log(SX.r(3, 4)), equals: SX.log(3) - 2 * SX.log(2))
        assertNormalizes(SX.exp(2 * SX.log(g)), equals: g.sq)
        assertNormalizes(SX.exp(SX.log(2) + a), equals: 2 * SX.exp(a))
    }

    func testLogOfProductsNeedsPositivity() {
        assertNormalizes(SX.log(g * gamma), equals: SX.log(g) + SX.log(gamma))
        assertNormalizes(SX.log(gamma.sq), equals: 2 * SX.log(gamma))
        assertNormalizes(SX.log(g / gamma), equals: SX.log(g) - SX.log(gamma))
        assertDiffers(SX.log(a * b), SX.log(a) + SX.log(b))
        assertDiffers(SX.log(a.sq), 2 * SX.log(a))
        // Positive factors split off, the rest stays.
        assertNormalizes(SX.log(2 * gamma * a.sq), equals: SX.log(2) + SX.log(gamma) + SX.log(a.sq))
    }

    func testRootsAndPowers() {
        assertNormalizes(SX.sqrt(gamma.sq), equals: gamma)
        assertDiffers(SX.sqrt(a.sq), a)
        assertNormalizes(SX.sqrt(g) * SX.sqrt(g), equals: g)
        assertNormalizes(SX.log(SX.sqrt(2 * SX.pi * g)), equals: SX.r(1, 2) * (SX.log(2) + SX.log(SX.pi) + SX.log(g)))
        assertNormalizes(SX.log((2 * SX.pi).pow(SX.v("k") / 2) * gamma.pow(SX.v("k"))),
                         equals: SX.v("k") / 2 * SX.log(2 * SX.pi) + SX.v("k") * SX.log(gamma))
        assertNormalizes(gamma.pow(SX.v("k")) * gamma, equals: gamma.pow(SX.v("k") + 1))
    }

    func testFiniteSums() {
        assertNormalizes(SX.sum("j", "k", xj + yj), equals: SX.sum("j", "k", xj) + SX.sum("i", "k", SX.c("xhat", "i")))
        assertNormalizes(SX.sum("j", "k", gamma), equals: SX.v("k") * gamma)
        assertNormalizes(SX.sum("j", "k", 2 * gamma * xj), equals: 2 * gamma * SX.sum("j", "k", xj))
        assertNormalizes(SX.sum("j", "k", 1) / SX.v("k"), equals: 1)
        assertNormalizes(SX.sum("j", "k", xj) * SX.sum("j", "k", yj), equals: SX.sum("i", "k", SX.c("xhat", "i")) * SX.sum("j", "k", xj))
        assertDiffers(SX.sum("j", "k", xj).sq, SX.sum("j", "k", xj.sq))
        assertDiffers(SX.sum("j", "k", xj), SX.sum("j", "m", SX.c("z", "j")))
    }

    func testComponentwiseReading() {
        let x = SX.v("x"), xhat = SX.v("xhat")
        assertNormalizes(SX.norm2(x - xhat), equals: SX.sum("j", "k", (xj - yj).sq))
        assertNormalizes(SX.norm2(x), equals: SX.sum("j", "k", xj.sq))
        assertNormalizes(SX.f("tr", SX.v("v")), equals: SX.sum("j", "m", SX.c("v", "j")))
        assertNormalizes(SX.log(SX.f("det", SX.v("v"))), equals: SX.sum("j", "m", SX.log(SX.c("v", "j"))))
        assertNormalizes(SX.log(SX.f("det", SX.exp(SX.v("s")))), equals: SX.sum("j", "m", SX.c("s", "j")))
    }

    func testReciprocalsOfSums() {
        assertNormalizes((1 + a) / (1 + a), equals: 1)
        assertNormalizes((a + b) / (2 * a + 2 * b), equals: SX.r(1, 2))
        assertNormalizes(1 / (a * b + a * c), equals: 1 / a * (1 / (b + c)))
        assertNormalizes(SX.f("sigmoid", t) * (1 + SX.exp(-t)), equals: 1)
        assertNormalizes(SX.f("sigmoid", t), equals: SX.exp(t) / (1 + SX.exp(t)))
        assertNormalizes(SX.log(SX.f("sigmoid", t)), equals: t - SX.f("softplus", t))
        assertNormalizes(SX.log(1 - SX.f("sigmoid", t)), equals: -SX.f("softplus", t))
        assertNormalizes(SX.log(1 + SX.exp(-t)), equals: -t + SX.log(1 + SX.exp(t)))
        assertNormalizes(SX.f("sigmoid", -t), equals: 1 - SX.f("sigmoid", t))
        assertNormalizes(a + 1 / (1 + b), equals: (a + a * b + 1) / (1 + b))
        assertNormalizes(1 / (SX.exp(a) + SX.exp(b)), equals: SX.exp(-a) / (1 + SX.exp(b - a)))
        assertNormalizes(SX.log(SX.exp(a) + SX.exp(b)), equals: a + SX.log(1 + SX.exp(b - a)))
        assertNormalizes(SX.log(2 + 2 * SX.exp(t)), equals: SX.log(2) + SX.f("softplus", t))
        assertNormalizes(SX.log(gamma.sq + gamma.sq * a.sq), equals: 2 * SX.log(gamma) + SX.log(1 + a.sq))
        assertNormalizes(SX.sum("j", "k", SX.log(SX.c("vk", "j") + SX.c("vk", "j") * SX.exp(fj))),
                         equals: SX.sum("j", "k", SX.log(SX.c("vk", "j")) + SX.f("softplus", fj)))
        assertDiffers(SX.f("sigmoid", -t), SX.f("sigmoid", t))
    }

    func testBernoulliDensityInLogits() {
        // log(σ(t)^y (1 − σ(t))^{1−y}) = y t − softplus(t): the base 1 − σ(t) is seen positive.
        let y = SX.v("y")
        assertNormalizes(SX.log(SX.f("sigmoid", t).pow(y) * (1 - SX.f("sigmoid", t)).pow(1 - y)),
                         equals: y * t - SX.f("softplus", t))
    }

    func testDefinitionsExpand() {
        var rules = RuleLog()
        _ = try? ScalarNormalizer.normalize(SX.f("MSE", SX.v("x"), SX.v("xhat")).e, context: context, rules: &rules)
        XCTAssertTrue(rules.used.contains(.definitionExpanded))
    }

    func testErrorsAndOpaqueAtoms() {
        XCTAssertThrowsError(try ScalarNormalizer.normalize(.density(Density(joint: "p", variables: ["x"])), context: context))
        let f = form(SX.f("abs", a))
        XCTAssertEqual(f?.description, "abs(a)")
        assertNormalizes(SX.f("abs", gamma), equals: gamma)
        assertNormalizes(SX.f("mu_theta", SX.v("z")), equals: SX.v("mu_theta"))
    }

    func testFreeVariables() {
        let f = form(SX.norm2(SX.v("x") - SX.v("xhat")) + SX.v("gamma"))!
        XCTAssertEqual(f.freeVariables(context: context), ["x", "z"])
        XCTAssertEqual(form(SX.v("gamma") + SX.v("mu"))!.freeVariables(context: context), [])
    }
}
