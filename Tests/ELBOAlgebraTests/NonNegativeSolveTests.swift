import XCTest
@testable import ELBOAlgebra

/// The search for a non-negative combination behind a decomposition: its answer must not
/// depend on the order of the candidates (which follows the hash order of a difference's
/// terms, different in every process), and it must find a non-negative combination whenever
/// one exists, not only when the first basic solution happens to be one.
final class NonNegativeSolveTests: XCTestCase {
    func monomial(_ name: String) -> Monomial { Monomial(logs: [.opaque(key: name, free: [])]) }

    func form(_ terms: [(String, Int)]) -> NormalForm {
        var out = NormalForm.zero
        for (name, c) in terms { out = out + NormalForm([monomial(name): Rational(c)]) }
        return out
    }

    func candidate(_ terms: [(String, Int)], _ label: String) -> NonNegativityProver.Candidate {
        .init(form: form(terms), rule: .klNonNegative, label: label, instance: .written(.number(.zero)))
    }

    /// Checks `Σ λ_k c_k = target` with λ ≥ 0.
    func assertSolves(_ lambda: [Rational]?, _ target: NormalForm, _ candidates: [NonNegativityProver.Candidate],
                      file: StaticString = #filePath, line: UInt = #line) {
        guard let lambda else { return XCTFail("no solution", file: file, line: line) }
        XCTAssertTrue(lambda.allSatisfy { !($0 < .zero) }, "\(lambda)", file: file, line: line)
        var sum = NormalForm.zero
        for (c, l) in zip(candidates, lambda) { sum = sum + l * c.form }
        XCTAssertEqual(sum, target, file: file, line: line)
    }

    func testEveryOrderOfDependentCandidatesFindsTheNonNegativeCombination() {
        // a − b, a and b are dependent; b = 1·b, while eliminating in the order given takes
        // b = a − (a − b) with a negative weight on a − b.
        let candidates = [candidate([("a", 1), ("b", -1)], "a-b"), candidate([("a", 1)], "a"), candidate([("b", 1)], "b")]
        let target = form([("b", 1)])
        XCTAssertEqual(NonNegativityProver.solve(target, candidates).map { $0.contains { $0 < .zero } }, true,
                       "the basic solution of this order has a negative weight")
        for order in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            let c = order.map { candidates[$0] }
            assertSolves(NonNegativityProver.solveNonNegative(target, c), target, c)
            XCTAssertNotNil(NonNegativityProver.decompose(target, into: c))
        }
    }

    func testNoNonNegativeCombinationIsNil() {
        // −a is not a non-negative combination of a and a + b, though it is a combination.
        let candidates = [candidate([("a", 1)], "a"), candidate([("a", 1), ("b", 1)], "a+b")]
        XCTAssertNil(NonNegativityProver.solveNonNegative(form([("a", -1)]), candidates))
        XCTAssertNil(NonNegativityProver.solveNonNegative(form([("a", 1), ("b", -1)]), candidates))
        // An inconsistent system: c is in no candidate.
        XCTAssertNil(NonNegativityProver.solveNonNegative(form([("c", 1)]), candidates))
        assertSolves(NonNegativityProver.solveNonNegative(form([("a", 2), ("b", 1)]), candidates),
                     form([("a", 2), ("b", 1)]), candidates)
    }

    func testAChainOfExpectedConditionalKLsInAnyOrder() {
        // target = k1 + k2 + k3 where the candidates are the k_i and their partial sums: many
        // orders give a basic solution with a negative weight; every order must find one.
        let k = ["k1", "k2", "k3"]
        var candidates = k.map { candidate([($0, 1)], $0) }
        candidates.append(candidate([("k1", 1), ("k2", 1)], "k1+k2"))
        candidates.append(candidate([("k2", 1), ("k3", 1)], "k2+k3"))
        candidates.append(candidate([("k1", 1), ("k2", -1)], "k1-k2"))
        let target = form([("k1", 1), ("k2", 1), ("k3", 1)])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let c = candidates.shuffled(using: &generator)
            assertSolves(NonNegativityProver.solveNonNegative(target, c), target, c)
        }
    }
}
