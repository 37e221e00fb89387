import XCTest
@testable import ELBOAlgebra

/// How long the scalar layer takes to prove the diagonal Gaussian KL for a symbolic dimension.
final class ScalarTimingTests: XCTestCase {
    /// Normalises the integrand, takes the Gaussian expectation, normalises the closed form,
    /// compares. Prints the mean time per proof.
    func testDiagonalKLProofTime() throws {
        let context = gaussianContext()
        let z = Expr.symbol("z"), mu = Expr.symbol("mu"), s = Expr.symbol("s")
        let integrand = Expr.subtract(.log(.normalDensity(point: z, mean: mu, variance: .exp(s))),
                                      .log(.normalDensity(point: z, mean: .int(0), variance: .int(1))))
        let mj = Expr.component("mu", index: "j"), sj = Expr.component("s", index: "j")
        let closed = Expr.mul([.number(.half), .indexedSum(index: "j", from: .int(1), to: .symbol("m"), body:
            .add([.power(mj, .int(2)), .exp(sj), .int(-1), .negate(sj)]))])
        func prove() throws -> Bool {
            var rules = RuleLog()
            let f = try ScalarNormalizer.normalize(integrand, context: context, rules: &rules)
            let mean = try ScalarNormalizer.normalize(mu, context: context, rules: &rules)
            let variance = try ScalarNormalizer.normalize(.exp(s), context: context, rules: &rules)
            guard let kl = ScalarNormalizer.gaussianExpectation(of: f, over: "z", mean: mean, variance: variance,
                                                                context: context, rules: &rules) else { return false }
            return kl == (try ScalarNormalizer.normalize(closed, context: context, rules: &rules))
        }
        XCTAssertTrue(try prove())
        let runs = 200
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<runs { _ = try prove() }
        let perProof = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(runs) / 1e6
        print("scalar layer: diagonal Gaussian KL proved in \(String(format: "%.3f", perProof)) ms per proof")
    }
}
