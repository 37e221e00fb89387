import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

/// `≐` and `∝`: judged on instances that share everything non-learnable and re-draw the
/// learnable part (model and guide tables, `param`s).
final class WitnessRelationTests: XCTestCase {
    /// The VAE with `dim k`, `param gamma > 0`, and an input `c` of the model.
    func declarations() -> Declarations {
        var d = Declarations()
        d.variables = [wvar("x", .observed, wreal("k")), wvar("z", .latent, wreal("m")), wvar("c", .input, .label(.symbol("C")))]
        d.params = [Param(name: "gamma", shape: [], positive: true)]
        d.joints = [
            Joint(kind: .model, name: "p", variables: ["x", "z"], given: ["c"],
                  factors: [wdensity("p", ["x"], ["z", "c"]), wdensity("p", ["z"])]),
            Joint(kind: .guide, name: "q", variables: ["z"], given: ["x"], factors: nil),
        ]
        return d
    }

    var engine: WitnessEngine { WitnessEngine(declarations: declarations()) }
    let reconstruction = wE(wd("q", ["z"], ["x"]), wlog(wd("p", ["x"], ["z", "c"])))
    /// `k/2 log(2π)`.
    let gaussianConstant = wmul(wnum(1, 2), wsym("k"), wlog(wmul(wnum(2), .constant(.pi))))

    func testEqualUpToConstantDropsConstants() {
        assertWitnessAgrees(engine, wsub(reconstruction, gaussianConstant), .equalUpToConstant, reconstruction)
        // The input's own distribution is not learnable either.
        assertWitnessAgrees(engine, wadd(reconstruction, wlog(wd("p", ["c"]))), .equalUpToConstant, reconstruction)
    }

    func testEqualUpToConstantKeepsLearnableTerms() {
        let withParam = wsub(reconstruction, wmul(wsym("k"), wlog(wsym("gamma"))))
        let c = assertWitnessRefutes(engine, withParam, .equalUpToConstant, reconstruction)
        XCTAssertTrue(c?.instance.contains("learnable") ?? false, "\(String(describing: c))")
        // A prior term depends on the model's tables.
        assertWitnessRefutes(engine, wsub(reconstruction, wKL(wd("q", ["z"], ["x"]), wd("p", ["z"]))), .equalUpToConstant,
                      reconstruction)
        // And `=` is stricter than `≐`.
        assertWitnessRefutes(engine, wsub(reconstruction, gaussianConstant), .equal, reconstruction)
    }

    func testProportional() {
        assertWitnessAgrees(engine, wmul(wnum(2), reconstruction), .proportional, reconstruction)
        assertWitnessAgrees(engine, wadd(wmul(wnum(2), reconstruction), wnum(3), gaussianConstant), .proportional, reconstruction)
        // The factor may depend on non-learnable quantities such as a dimension.
        assertWitnessAgrees(engine, wdiv(reconstruction, wsym("k")), .proportional, reconstruction)
        // A negative factor changes the minimiser.
        let c = assertWitnessRefutes(engine, wneg(reconstruction), .proportional, reconstruction)
        XCTAssertTrue(c?.instance.contains("positive") ?? false, "\(String(describing: c))")
        // So does an extra learnable term.
        assertWitnessRefutes(engine, wadd(reconstruction, wlog(wsym("gamma"))), .proportional, reconstruction)
        // A side free of learnable quantities is proportional only to another such side.
        assertWitnessAgrees(engine, wnum(1), .proportional, gaussianConstant)
        assertWitnessRefutes(engine, reconstruction, .proportional, gaussianConstant)
    }
}
