import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

/// The witness on probability-level identities of a VAE: true ones agree, false ones are
/// refuted, and identities that hold only for discrete variables are refuted for continuous ones.
final class WitnessProbabilityTests: XCTestCase {
    let vae = WitnessEngine(declarations: witnessVAEDeclarations())

    func testChainRule() {
        assertWitnessAgrees(vae, wd("p", ["x", "z"]), .equal, wmul(wd("p", ["x"], ["z"]), wd("p", ["z"])))
        assertWitnessAgrees(vae, wd("p", ["z", "x"]), .equal, wmul(wd("p", ["z"], ["x"]), wd("p", ["x"])))
    }

    func testBayes() {
        assertWitnessAgrees(vae, wd("p", ["z"], ["x"]), .equal,
                     wdiv(wmul(wd("p", ["x"], ["z"]), wd("p", ["z"])), wd("p", ["x"])))
        // Bayes with the prior left out is false.
        assertWitnessRefutes(vae, wd("p", ["z"], ["x"]), .equal, wdiv(wd("p", ["x"], ["z"]), wd("p", ["x"])))
    }

    func testIntegratingAConstantAgainstANormalisedDensity() {
        assertWitnessAgrees(vae, wint(wmul(wd("q", ["z"], ["x"]), wlog(wd("p", ["x"]))), "z"), .equal, wlog(wd("p", ["x"])))
        // Without the density the integral is the total base weight, not one.
        assertWitnessRefutes(vae, wint(wlog(wd("p", ["x"])), "z"), .equal, wlog(wd("p", ["x"])))
    }

    func testMarginalisation() {
        assertWitnessAgrees(vae, wint(wd("p", ["x", "z"]), "z"), .equal, wd("p", ["x"]))
        assertWitnessAgrees(vae, wE(wd("p", ["z"]), wd("p", ["x"], ["z"])), .equal, wd("p", ["x"]))
    }

    func testELBOIdentity() {
        let rhs = wadd(witnessVAEELBO, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"], ["x"])))
        assertWitnessAgrees(vae, wlog(wd("p", ["x"])), .equal, rhs)
        // A flipped sign on the KL term is refuted.
        assertWitnessRefutes(vae, wlog(wd("p", ["x"])), .equal, wsub(witnessVAEELBO, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"], ["x"]))))
        // The reconstruction + prior-KL form.
        let split = wsub(wE(wd("q", ["z"], ["x"]), wlog(wd("p", ["x"], ["z"]))), wKL(wd("q", ["z"], ["x"]), wd("p", ["z"])))
        assertWitnessAgrees(vae, witnessVAEELBO, .equal, split)
    }

    func testEvidenceBound() {
        assertWitnessAgrees(vae, wlog(wd("p", ["x"])), .greaterOrEqual, witnessVAEELBO)
        assertWitnessRefutes(vae, wlog(wd("p", ["x"])), .lessOrEqual, witnessVAEELBO)
        assertWitnessAgrees(vae, witnessVAEELBO, .lessOrEqual, wlog(wd("p", ["x"])))
    }

    func testKLIsNonNegative() {
        assertWitnessAgrees(vae, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"])), .greaterOrEqual, wnum(0))
        assertWitnessAgrees(vae, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"], ["x"])), .greaterOrEqual, wnum(0))
        assertWitnessAgrees(vae, wKL(wd("q", ["z"], ["x"]), wd("q", ["z"], ["x"])), .equal, wnum(0))
    }

    func testSwappedKLArgumentsAreRefuted() {
        assertWitnessRefutes(vae, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"])), .equal, wKL(wd("p", ["z"]), wd("q", ["z"], ["x"])))
    }

    func testEntropyIsNonNegativeOnlyForDiscreteVariables() {
        let h = Expr.entropy(wd("q", ["z"], ["x"]))
        let c = assertWitnessRefutes(vae, h, .greaterOrEqual, wnum(0))
        XCTAssertTrue(c?.instance.contains("continuous") ?? false, "\(String(describing: c))")
        XCTAssertLessThan(c?.lhs ?? 0, 0)
        let labelled = WitnessEngine(declarations: witnessVAEDeclarations(z: .label(.symbol("C"))))
        assertWitnessAgrees(labelled, h, .greaterOrEqual, wnum(0))
        // H(q) = −E_q[log q] for either kind.
        assertWitnessAgrees(vae, h, .equal, wneg(wE(wd("q", ["z"], ["x"]), wlog(wd("q", ["z"], ["x"])))))
    }

    func testLogDensityIsNonPositiveOnlyForDiscreteVariables() {
        assertWitnessRefutes(vae, wlog(wd("p", ["x"])), .lessOrEqual, wnum(0))
        let binary = WitnessEngine(declarations: witnessVAEDeclarations(x: .binary(.symbol("k"))))
        assertWitnessAgrees(binary, wlog(wd("p", ["x"])), .lessOrEqual, wnum(0))
    }

    func testCounterexampleIsReproducibleAndReadable() {
        let a = assertWitnessRefutes(vae, wlog(wd("p", ["x"])), .lessOrEqual, witnessVAEELBO)
        let b = assertWitnessRefutes(WitnessEngine(declarations: witnessVAEDeclarations()), wlog(wd("p", ["x"])), .lessOrEqual, witnessVAEELBO)
        XCTAssertEqual(a, b)
        let text = a?.instance ?? ""
        for part in ["seed", "instance", "x:", "z:", "weights", "at x = point", "no assumptions"] {
            XCTAssertTrue(text.contains(part), "'\(part)' missing from \(text)")
        }
        let other = WitnessEngine(declarations: witnessVAEDeclarations(), configuration: WitnessConfiguration(seed: 99))
        XCTAssertTrue(other.check(lhs: wlog(wd("p", ["x"])), rhs: witnessVAEELBO, relation: .greaterOrEqual, assumptions: []).agrees)
    }

    func testEvaluateListsEveryFreeAssignment() {
        // Instance 1 gives every variable three points.
        let values = vae.evaluate(wd("p", ["x"], ["z"]), assumptions: [], instanceIndex: 1)
        XCTAssertEqual(values.count, 9)
        XCTAssertEqual(Set(values.map { $0.0.keys.sorted() }), [["x", "z"]])
        // A density is normalised against the base weights, not the counting measure.
        let closed = vae.evaluate(wint(wd("p", ["x"], ["z"]), "x"), assumptions: [], instanceIndex: 1)
        XCTAssertEqual(closed.count, 3)
        for (_, v) in closed { XCTAssertEqual(v, 1, accuracy: 1e-12) }
    }

    func testUnsupportedConstructsAreSkipped() {
        assertWitnessSkips(vae, wd("p", ["x"]), .equal, wd("r", ["x"]), mentioning: "undeclared joint")
        assertWitnessSkips(vae, wsym("nonsense"), .equal, wnum(0), mentioning: "nonsense")
        assertWitnessSkips(vae, wd("p", ["x"]), .equal, wd("p", ["x"]), assuming: ["missing"], mentioning: "missing")
        assertWitnessSkips(vae, .apply("frobnicate", [wsym("x")]), .equal, wnum(0), mentioning: "frobnicate")
        assertWitnessSkips(vae, .stepRef("7"), .equal, wnum(0), mentioning: "(7)")
    }
}
