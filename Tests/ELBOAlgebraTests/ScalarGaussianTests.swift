import XCTest
@testable import ELBOAlgebra

/// The Gaussian steps of the seeds, derived by normalising both sides (not looked up).
final class ScalarGaussianTests: ScalarTestCase {
    let x = SX.v("x"), xhat = SX.v("xhat"), z = SX.v("z"), mu = SX.v("mu"), s = SX.v("s"), v = SX.v("v")
    let gamma = SX.v("gamma"), k = SX.v("k"), m = SX.v("m")
    func at(_ name: String, _ j: String = "j") -> SX { SX.c(name, j) }

    /// `KL(N(m1, v1) || N(m2, v2))` as an expectation of the log-ratio, computed by the
    /// Gaussian-moment rule.
    func klByMoments(_ m1: SX, _ v1: SX, _ m2: SX, _ v2: SX) -> ScalarForm? {
        guard let integrand = form(SX.log(SX.N(z, m1, v1)) - SX.log(SX.N(z, m2, v2))),
              let mean = form(m1), let variance = form(v1) else { return nil }
        return gaussianExpectation(of: integrand, over: "z", mean: mean, variance: variance, context: context)
    }

    // MARK: (1) the log-density

    func testLogDensityExpansion() {
        let logN = SX.log(SX.N(z, mu, v))
        assertNormalizes(logN, equals: SX.sum("j", "m", -SX.r(1, 2) * SX.log(2 * SX.pi) - SX.r(1, 2) * SX.log(at("v"))
                                                     - (at("z") - at("mu")).sq / (2 * at("v"))))
        assertNormalizes(logN, equals: -m / 2 * SX.log(2 * SX.pi) - SX.r(1, 2) * SX.log(SX.f("det", v))
                                         - SX.r(1, 2) * SX.sum("i", "m", (at("z", "i") - at("mu", "i")).sq / at("v", "i")))
        // Seed 003: log(1 / sqrt((2π)^m |Σ|)) − ½ (ξ − μ)ᵀ Σ⁻¹ (ξ − μ), Σ diagonal.
        assertNormalizes(logN, equals: SX.log(1 / SX.sqrt((2 * SX.pi).pow(m) * SX.f("det", v)))
                                         - SX.r(1, 2) * SX.sum("j", "m", (at("z") - at("mu")).sq / at("v")))
        // The density itself.
        assertNormalizes(SX.N(z, mu, v), equals: (2 * SX.pi).pow(-m / 2) * SX.f("det", v).pow(-SX.r(1, 2))
                                             * SX.exp(-SX.r(1, 2) * SX.sum("j", "m", (at("z") - at("mu")).sq / at("v"))))
    }

    func testLogDensityWithScalarVarianceBroadcasts() {
        let logN = SX.log(SX.N(x, xhat, gamma.sq))
        assertNormalizes(logN, equals: -k / 2 * SX.log(2 * SX.pi) - k * SX.log(gamma) - SX.norm2(x - xhat) / (2 * gamma.sq))
        // Seed 001 (12): −log((2π)^{k/2} γ^k) − ‖x − x̂‖²/(2γ²).
        assertNormalizes(logN, equals: -SX.log((2 * SX.pi).pow(k / 2) * gamma.pow(k)) - SX.norm2(x - xhat) / (2 * gamma.sq))
        // Unit variance, `I`.
        assertNormalizes(SX.log(SX.N(z, 0, SX.v("I"))), equals: -m / 2 * SX.log(2 * SX.pi) - SX.r(1, 2) * SX.norm2(z))
    }

    // MARK: (2) KL between diagonal Gaussians

    func testDiagonalKLAgainstStandardNormal() {
        let kl = klByMoments(mu, SX.exp(s), 0, 1)
        let closed = form(SX.r(1, 2) * SX.sum("j", "m", at("mu").sq + SX.exp(at("s")) - 1 - at("s")))
        XCTAssertNotNil(kl)
        XCTAssertEqual(kl, closed, "\(kl.map(\.description) ?? "nil")  vs  \(closed.map(\.description) ?? "nil")")
        // The same through the expression form E_{N(z; mu, exp(s))}[…].
        assertNormalizes(SX.E("z", mu, SX.exp(s), SX.log(SX.N(z, mu, SX.exp(s))) - SX.log(SX.N(z, 0, SX.v("I")))),
                         equals: SX.r(1, 2) * SX.sum("j", "m", at("mu").sq + SX.exp(at("s")) - 1 - at("s")))
        // Seed 003's regulariser: ‖μ‖² + Σ (exp ς − (1 + ς)) is twice the KL.
        assertNormalizes(2 * SX.E("z", mu, SX.exp(s), SX.log(SX.N(z, mu, SX.exp(s))) - SX.log(SX.N(z, 0, 1))),
                         equals: SX.norm2(mu) + SX.sum("j", "m", SX.exp(at("s")) - (1 + at("s"))))
    }

    func testGeneralDiagonalKL() {
        let (m1, v1, m2, v2) = (SX.v("m1"), SX.v("v1"), SX.v("m2"), SX.v("v2"))
        let kl = klByMoments(m1, v1, m2, v2)
        let closed = form(SX.r(1, 2) * SX.sum("j", "m", SX.log(at("v2") / at("v1"))
                                               + (at("v1") + (at("m1") - at("m2")).sq) / at("v2") - 1))
        XCTAssertNotNil(kl)
        XCTAssertEqual(kl, closed)
    }

    func testPyTorchKLForm() {
        let (m1, m2, s1, s2) = (SX.v("m1"), SX.v("m2"), SX.v("sigma1"), SX.v("sigma2"))
        let varRatio = (at("sigma1") / at("sigma2")).sq
        let t1 = ((at("m1") - at("m2")) / at("sigma2")).sq
        let torch = SX.sum("j", "m", SX.r(1, 2) * (varRatio + t1 - 1 - SX.log(varRatio)))
        XCTAssertEqual(klByMoments(m1, s1.sq, m2, s2.sq), form(torch))
        assertNormalizes(SX.E("z", m1, s1.sq, SX.log(SX.N(z, m1, s1.sq)) - SX.log(SX.N(z, m2, s2.sq))), equals: torch)
    }

    func testKLClosedFormsAreNonNegative() {
        let standard = form(SX.r(1, 2) * SX.sum("j", "m", at("mu").sq + SX.exp(at("s")) - 1 - at("s")))!
        let general = form(SX.r(1, 2) * SX.sum("j", "m", SX.log(at("v2") / at("v1"))
                                                + (at("v1") + (at("m1") - at("m2")).sq) / at("v2") - 1))!
        let torch = form(SX.sum("j", "m", SX.r(1, 2) * ((at("sigma1") / at("sigma2")).sq
            + ((at("m1") - at("m2")) / at("sigma2")).sq - 1 - SX.log((at("sigma1") / at("sigma2")).sq))))!
        for f in [standard, general, torch] {
            XCTAssertTrue(ScalarNormalizer.isNonNegative(f, context: context), "\(f)")
            XCTAssertFalse(ScalarNormalizer.isNonNegative(-f, context: context), "\(-f)")
        }
        XCTAssertEqual(ScalarNormalizer.nonNegativityCertificate(general, context: context),
                       [.squareNonNegative, .logConvexity])
        XCTAssertTrue(ScalarNormalizer.isNonNegative(form(SX.exp(s) - 1 - s)!))
        XCTAssertTrue(ScalarNormalizer.isNonNegative(form(SX.exp(s) - s)!))
        XCTAssertTrue(ScalarNormalizer.isNonNegative(form((SX.v("a") - SX.v("b")).sq + 1)!))
        XCTAssertFalse(ScalarNormalizer.isNonNegative(form(SX.exp(s) - 2 - s)!))
        XCTAssertFalse(ScalarNormalizer.isNonNegative(form(SX.v("a") * SX.v("b"))!))
        // With γ > 0 the summand γ − 1 − log γ is recognised; without positivity it is not.
        XCTAssertTrue(ScalarNormalizer.isNonNegative(form(gamma - 1 - SX.log(gamma))!, context: context))
        XCTAssertFalse(ScalarNormalizer.isNonNegative(form(SX.v("a") - 1 - SX.log(SX.v("a")))!, context: context))
    }

    // MARK: (3) seed 003's lemma

    func testExpectedLogDensityLemma() {
        let (mt, vt) = (SX.v("mt"), SX.v("vt"))
        let lhs = SX.E("z", mt, vt, SX.log(SX.N(z, mu, v)))
        assertNormalizes(lhs, equals: SX.log(SX.N(mt, mu, v)) - SX.r(1, 2) * SX.sum("j", "m", at("vt") / at("v")))
        assertNormalizes(lhs, equals: SX.log(1 / SX.sqrt((2 * SX.pi).pow(m) * SX.f("det", v)))
            - SX.r(1, 2) * (SX.sum("j", "m", (at("mt") - at("mu")).sq / at("v")) + SX.f("tr", vt / v)))
        // In particular E_{N(μ, Σ)}[log N(ξ; μ, Σ)] = −(m/2) log(2π e |Σ|^{1/m}).
        assertNormalizes(SX.E("z", mu, v, SX.log(SX.N(z, mu, v))),
                         equals: -m / 2 * SX.log(2 * SX.pi * SX.e * SX.f("det", v).pow(1 / m)))
    }

    // MARK: (4) Bernoulli in logits

    func testBernoulliLogLikelihoodInLogits() {
        let (xj, fj) = (at("x"), at("f"))
        let sigmoid = 1 / (1 + SX.exp(-fj))
        let closed = SX.sum("j", "k", xj * fj - SX.log(1 + SX.exp(fj)))
        assertNormalizes(SX.sum("j", "k", xj * SX.log(sigmoid) + (1 - xj) * SX.log(1 - sigmoid)), equals: closed)
        assertNormalizes(SX.sum("j", "k", xj * SX.log(SX.f("sigmoid", fj)) + (1 - xj) * SX.log(1 - SX.f("sigmoid", fj))),
                         equals: SX.sum("j", "k", xj * fj - SX.f("softplus", fj)))
        assertDiffers(SX.sum("j", "k", xj * SX.log(sigmoid) + (1 - xj) * SX.log(1 - sigmoid)),
                      SX.sum("j", "k", xj * fj - SX.log(1 + SX.exp(-fj))))
    }

    // MARK: (5) MSE and scale forms

    func testMSEForms() {
        let mse = SX.f("MSE", x, xhat)
        assertNormalizes(SX.norm2(x - xhat) / (2 * gamma.sq), equals: k / (2 * gamma.sq) * mse)
        // Seed 001 (14) → (16), corrected: the scale is squared.
        assertNormalizes(k * SX.log(gamma) + SX.norm2(x - xhat) / (2 * gamma.sq),
                         equals: k * SX.log(gamma) + k / (2 * gamma.sq) * mse)
        assertNormalizes(-SX.log(SX.N(x, xhat, gamma.sq)),
                         equals: k / 2 * SX.log(2 * SX.pi) + k * SX.log(gamma) + k / (2 * gamma.sq) * mse)
    }

    // MARK: (6) false steps must differ

    func testWrongStepsDiffer() {
        let kl = SX.E("z", mu, SX.exp(s), SX.log(SX.N(z, mu, SX.exp(s))) - SX.log(SX.N(z, 0, 1)))
        // Wrong sign of the log-variance.
        assertDiffers(kl, SX.r(1, 2) * SX.sum("j", "m", at("mu").sq + SX.exp(at("s")) - 1 + at("s")))
        // Missing ½.
        assertDiffers(kl, SX.sum("j", "m", at("mu").sq + SX.exp(at("s")) - 1 - at("s")))
        // Scale not squared (seed 001 (16)).
        assertDiffers(SX.norm2(x - xhat) / (2 * gamma.sq), k / (2 * gamma) * SX.f("MSE", x, xhat))
        // Wrong log-partition.
        assertDiffers(SX.log(SX.N(x, xhat, gamma.sq)),
                      -k * SX.log(2 * SX.pi) - k * SX.log(gamma) - SX.norm2(x - xhat) / (2 * gamma.sq))
        // log(a²) = 2 log a needs a > 0.
        let a = SX.v("a")
        assertDiffers(SX.log(SX.N(x, xhat, a.sq)),
                      -k / 2 * SX.log(2 * SX.pi) - k * SX.log(a) - SX.norm2(x - xhat) / (2 * a.sq))
        // Seed 001 (15): the MSE without its square.
        assertDiffers(k * SX.f("MSE", x, xhat), SX.sum("j", "k", at("x") - at("xhat")))
        // The lemma without the trace term.
        assertDiffers(SX.E("z", SX.v("mt"), SX.v("vt"), SX.log(SX.N(z, mu, v))), SX.log(SX.N(SX.v("mt"), mu, v)))
    }

    func testExpectationIsRefusedWhenNotPolynomial() {
        let f = form(SX.exp(SX.sum("j", "m", at("z"))))!
        XCTAssertNil(gaussianExpectation(of: f, over: "z", mean: .symbol("mu"), variance: .symbol("v"), context: context))
        let g = form(SX.norm2(x - SX.v("xhat")))!
        XCTAssertNil(gaussianExpectation(of: g, over: "z", mean: .symbol("mu"), variance: .symbol("v"), context: context),
                     "x̂ is a network output of z")
        XCTAssertEqual(gaussianExpectation(of: form(SX.v("gamma"))!, over: "z", mean: .symbol("mu"),
                                           variance: .symbol("v"), context: context), form(SX.v("gamma")))
        XCTAssertEqual(gaussianExpectation(of: form(z.pow(4))!, over: "z", mean: .symbol("mu"),
                                           variance: .symbol("v"), context: context),
                       form(mu.pow(4) + 6 * mu.sq * v + 3 * v.sq))
    }
}
