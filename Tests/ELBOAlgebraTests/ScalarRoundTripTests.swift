import XCTest
@testable import ELBOAlgebra

/// `normalize(form.toExpr()) == form`, and the rebuilt expression has the same value.
final class ScalarRoundTripTests: ScalarTestCase {
    func testRebuildGivesTheFormBack() {
        let (a, b, t, g, gamma) = (SX.v("a"), SX.v("b"), SX.v("t"), SX.v("g"), SX.v("gamma"))
        let (x, xhat, z, mu, s, v) = (SX.v("x"), SX.v("xhat"), SX.v("z"), SX.v("mu"), SX.v("s"), SX.v("v"))
        let j = { (n: String) in SX.c(n, "j") }
        let examples: [SX] = [
            0, 1, SX.r(-3, 7), a, -a, a + b, (a - b).sq, a / b, 1 / (a * b).sq, a.pow(5) - 2 * b,
            SX.pi, SX.e, SX.log(2 * SX.pi), SX.log(SX.r(5, 12)), SX.exp(a), SX.exp(-2 * a + b) * b,
            SX.log(a), SX.log(a.sq), SX.log(gamma), SX.sqrt(g), SX.sqrt(a.sq), SX.sqrt(2 * SX.pi * g),
            gamma.pow(SX.v("k")), (2 * SX.pi).pow(SX.v("k") / 2), a.pow(SX.v("k")),
            1 / (1 + a), (a + 1) / (b + 2), SX.f("sigmoid", t), SX.f("softplus", t), SX.log(1 - SX.f("sigmoid", t)),
            SX.f("abs", a), SX.f("unknown", a, b + 1),
            SX.sum("j", "k", j("x") * j("xhat")), SX.sum("j", "k", SX.exp(j("f")) + gamma * j("x")),
            SX.sum("j", "k", j("x")) * SX.sum("j", "k", j("xhat")), SX.sum("j", "k", j("x")).sq * gamma,
            SX.log(SX.sum("j", "k", SX.exp(j("f")))), 1 / SX.sum("j", "m", j("v")),
            SX.sum("j", "k", SX.log(1 + SX.exp(j("f")))) * SX.sum("j", "m", j("z")),
            SX.sum("j", "k", j("x") * SX.log(SX.sum("i", "m", SX.c("v", "i") * SX.exp(SX.c("z", "i"))))),
            SX.norm2(x - xhat) / (2 * gamma.sq), SX.log(SX.N(z, mu, v)), SX.N(z, mu, SX.exp(s)),
            SX.log(SX.N(x, xhat, gamma.sq)), SX.log(SX.N(x, xhat, a.sq)), SX.N(x, xhat, 1),
            SX.E("z", mu, SX.exp(s), SX.log(SX.N(z, mu, SX.exp(s))) - SX.log(SX.N(z, 0, 1))),
            SX.log(SX.f("det", v)), SX.f("det", z), SX.f("tr", v), SX.c("x", "q") * SX.c("x", "j"),
            SX.sum("j", "k", j("x") * SX.c("xhat", "i")),
            SX.exp(s) - 1 - s, mu.sq + SX.exp(s), SX.f("MSE", x, xhat) * SX.v("k") / (2 * gamma),
        ]
        for e in examples {
            guard let f = form(e) else { continue }
            assertRoundTrip(f, original: e.e)
        }
    }

    func testNestedSumsMayNotCaptureAnOuterIndex() {
        let e = SX.sum("j", "k", SX.sum("i", "m", SX.c("v", "i") * SX.c("x", "j")))
        XCTAssertThrowsError(try ScalarNormalizer.normalize(e.e, context: context))
    }

    func testDescriptionsAreStable() {
        let f = form(SX.r(1, 2) * SX.sum("j", "m", SX.c("mu", "j").sq + SX.exp(SX.c("s", "j")) - 1 - SX.c("s", "j")))!
        XCTAssertEqual(f.description, "-1/2·m + 1/2·Σ_{#≤m}[exp(s_#)] + 1/2·Σ_{#≤m}[mu_#^2] - 1/2·Σ_{#≤m}[s_#]")
        let g = form(SX.log(SX.N(SX.v("x"), SX.v("xhat"), SX.v("gamma").sq)))!
        XCTAssertEqual(g.description,
                       "-1/2·k·log(2) - k·log(gamma) - 1/2·k·log(π) - 1/2·Σ_{#≤k}[gamma^-2·x_#^2] + Σ_{#≤k}[gamma^-2·x_#·xhat_#] - 1/2·Σ_{#≤k}[gamma^-2·xhat_#^2]")
    }
}
