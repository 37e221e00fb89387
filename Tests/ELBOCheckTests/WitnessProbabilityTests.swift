import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

/// The witness on probability-level identities of a VAE: true ones agree, false ones are
/// refuted, and identities that hold only for discrete variables are refuted for continuous ones.
final class WitnessProbabilityTests: XCTestCase {
    let vae = WitnessEngine(declarations: vaeDeclarations())

    func testChainRule() {
        assertAgrees(vae, wd("p", ["x", "z"]), .equal, wmul(wd("p", ["x"], ["z"]), wd("p", ["z"])))
        assertAgrees(vae, wd("p", ["z", "x"]), .equal, wmul(wd("p", ["z"], ["x"]), wd("p", ["x"])))
    }

    func testBayes() {
        assertAgrees(vae, wd("p", ["z"], ["x"]), .equal,
                     wdiv(wmul(wd("p", ["x"], ["z"]), wd("p", ["z"])), wd("p", ["x"])))
        // Bayes with the prior left out is false.
        assertRefutes(vae, wd("p", ["z"], ["x"]), .equal, wdiv(wd("p", ["x"], ["z"]), wd("p", ["x"])))
    }

    func testIntegratingAConstantAgainstANormalisedDensity() {
        assertAgrees(vae, wint(wmul(wd("q", ["z"], ["x"]), wlog(wd("p", ["x"]))), "z"), .equal, wlog(wd("p", ["x"])))
        // Without the density the integral is the total base weight, not one.
        assertRefutes(vae, wint(wlog(wd("p", ["x"])), "z"), .equal, wlog(wd("p", ["x"])))
    }

    func testMarginalisation() {
        assertAgrees(vae, wint(wd("p", ["x", "z"]), "z"), .equal, wd("p", ["x"]))
        assertAgrees(vae, wE(wd("p", ["z"]), wd("p", ["x"], ["z"])), .equal, wd("p", ["x"]))
    }

    func testELBOIdentity() {
        let rhs = wadd(vaeELBO, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"], ["x"])))
        assertAgrees(vae, wlog(wd("p", ["x"])), .equal, rhs)
        // A flipped sign on the KL term is refuted.
        assertRefutes(vae, wlog(wd("p", ["x"])), .equal, wsub(vaeELBO, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"], ["x"]))))
        // The reconstruction + prior-KL form.
        let split = wsub(wE(wd("q", ["z"], ["x"]), wlog(wd("p", ["x"], ["z"]))), wKL(wd("q", ["z"], ["x"]), wd("p", ["z"])))
        assertAgrees(vae, vaeELBO, .equal, split)
    }

    func testEvidenceBound() {
        assertAgrees(vae, wlog(wd("p", ["x"])), .greaterOrEqual, vaeELBO)
        assertRefutes(vae, wlog(wd("p", ["x"])), .lessOrEqual, vaeELBO)
        assertAgrees(vae, vaeELBO, .lessOrEqual, wlog(wd("p", ["x"])))
    }

    func testKLIsNonNegative() {
        assertAgrees(vae, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"])), .greaterOrEqual, wnum(0))
        assertAgrees(vae, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"], ["x"])), .greaterOrEqual, wnum(0))
        assertAgrees(vae, wKL(wd("q", ["z"], ["x"]), wd("q", ["z"], ["x"])), .equal, wnum(0))
    }

    func testSwappedKLArgumentsAreRefuted() {
        assertRefutes(vae, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"])), .equal, wKL(wd("p", ["z"]), wd("q", ["z"], ["x"])))
    }

    func testEntropyIsNonNegativeOnlyForDiscreteVariables() {
        let h = Expr.entropy(wd("q", ["z"], ["x"]))
        let c = assertRefutes(vae, h, .greaterOrEqual, wnum(0))
        XCTAssertTrue(c?.instance.contains("continuous") ?? false, "\(String(describing: c))")
        XCTAssertLessThan(c?.lhs ?? 0, 0)
        let labelled = WitnessEngine(declarations: vaeDeclarations(z: .label(.symbol("C"))))
        assertAgrees(labelled, h, .greaterOrEqual, wnum(0))
        // H(q) = −E_q[log q] for either kind.
        assertAgrees(vae, h, .equal, wneg(wE(wd("q", ["z"], ["x"]), wlog(wd("q", ["z"], ["x"])))))
    }

    func testLogDensityIsNonPositiveOnlyForDiscreteVariables() {
        assertRefutes(vae, wlog(wd("p", ["x"])), .lessOrEqual, wnum(0))
        let binary = WitnessEngine(declarations: vaeDeclarations(x: .binary(.symbol("k"))))
        assertAgrees(binary, wlog(wd("p", ["x"])), .lessOrEqual, wnum(0))
    }

    func testCounterexampleIsReproducibleAndReadable() {
        let a = assertRefutes(vae, wlog(wd("p", ["x"])), .lessOrEqual, vaeELBO)
        let b = assertRefutes(WitnessEngine(declarations: vaeDeclarations()), wlog(wd("p", ["x"])), .lessOrEqual, vaeELBO)
        XCTAssertEqual(a, b)
        let text = a?.instance ?? ""
        for part in ["seed", "instance", "x:", "z:", "weights", "at x = point", "no assumptions"] {
            XCTAssertTrue(text.contains(part), "'\(part)' missing from \(text)")
        }
        let other = WitnessEngine(declarations: vaeDeclarations(), configuration: WitnessConfiguration(seed: 99))
        XCTAssertTrue(other.check(lhs: wlog(wd("p", ["x"])), rhs: vaeELBO, relation: .greaterOrEqual, assumptions: []).agrees)
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
        assertSkips(vae, wd("p", ["x"]), .equal, wd("r", ["x"]), mentioning: "undeclared joint")
        assertSkips(vae, wsym("nonsense"), .equal, wnum(0), mentioning: "nonsense")
        assertSkips(vae, wd("p", ["x"]), .equal, wd("p", ["x"]), assuming: ["missing"], mentioning: "missing")
        assertSkips(vae, .apply("frobnicate", [wsym("x")]), .equal, wnum(0), mentioning: "frobnicate")
        assertSkips(vae, .stepRef("7"), .equal, wnum(0), mentioning: "(7)")
    }
}
