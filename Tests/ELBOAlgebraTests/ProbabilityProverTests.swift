import XCTest
import ELBOAlgebra

final class ProbabilityProverTests: XCTestCase {
    func prove(_ l: Expr, _ r: Expr, _ rel: Comparison = .equal, _ a: [String] = [],
               _ decl: Declarations = cdvaeDeclarations()) -> SymbolicOutcome {
        SymbolicProver(declarations: decl).prove(lhs: l, rhs: r, relation: rel, assumptions: a)
    }
    func assertProved(_ o: SymbolicOutcome, file: StaticString = #filePath, line: UInt = #line) {
        if case .proved = o { return }
        XCTFail("expected a proof, got \(o)", file: file, line: line)
    }
    func assertNotProved(_ o: SymbolicOutcome, file: StaticString = #filePath, line: UInt = #line) {
        if case .proved = o { XCTFail("unexpected proof", file: file, line: line) }
    }

    func testCDVAEChainIsProved() {
        let s = cdvaeSteps()
        for i in 1...5 { assertProved(prove(s[i - 1], s[i])) }
        assertProved(prove(s[5], s[6]))
        assertProved(prove(s[6], s[7], .greaterOrEqual))
        assertNotProved(prove(s[6], s[7], .lessOrEqual))
        assertNotProved(prove(s[7], s[8]))
        assertProved(prove(s[7], s[8], .equal, ["decoder_ignores_class"]))
    }

    func testMeanFieldNeedsTheDeclaredFactorisation() {
        let q = D("q", ["z_l", "z_u"], ["x"])
        let prod = D("q", ["z_l"], ["x"]) * D("q", ["z_u"], ["x"])
        assertProved(prove(q, prod))
        assertNotProved(prove(q, prod, .equal, [], cdvaeDeclarations(structuredGuide: false)))
    }

    func testSwappedKLAndSignFlipAreNotProved() {
        let ql = D("q", ["z_l"], ["x"]), pl = D("p", ["z_l"], ["c"])
        assertNotProved(prove(KL(ql, pl), KL(pl, ql)))
        assertNotProved(prove(KL(ql, pl), -KL(ql, pl)))
        assertProved(prove(KL(ql, pl), I(ql * (L(ql) - L(pl)), "z_l")))
    }

    func testJensenBoundFromImportanceWeights() {
        // log p(x|c) ≥ E_q[log p(x, z_l, z_u | c) − log q]: the KL is implicit in the difference.
        let q = D("q", ["z_l", "z_u"], ["x"])
        let elbo = E(q, L(D("p", ["x", "z_l", "z_u"], ["c"])) - L(q))
        assertProved(prove(L(D("p", ["x"], ["c"])), elbo, .greaterOrEqual))
        assertNotProved(prove(L(D("p", ["x"], ["c"])), elbo, .lessOrEqual))
    }
}
