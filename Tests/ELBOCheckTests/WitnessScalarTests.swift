import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

/// The scalar level: vectors of dimension `k`, finite sums, norms, `define`d shorthands and
/// Gaussian density values.
final class WitnessScalarTests: XCTestCase {
    func declarations() -> Declarations {
        var d = Declarations()
        d.variables = [wvar("x", .observed, wreal("k")), wvar("z", .latent, wreal("m"))]
        d.dimensions = ["k"]
        d.params = [Param(name: "a", shape: [.symbol("k")], positive: false),
                    Param(name: "b", shape: [.symbol("k")], positive: false),
                    Param(name: "v", shape: [.symbol("k")], positive: true),
                    Param(name: "alpha", shape: [], positive: true),
                    Param(name: "beta", shape: [], positive: true)]
        d.definitions = [Definition(name: "MSE", parameters: ["a", "b"],
                                    body: wmul(wdiv(wnum(1), wsym("k")),
                                               wsum("j", wsym("k"), .power(wsub(wc("a"), wc("b")), wnum(2))))),
                         Definition(name: "diff", parameters: ["a", "b"], body: wsum("i", wsym("k"), wsub(wc("a", "i"), wc("b", "i"))))]
        d.joints = [Joint(kind: .model, name: "p", variables: ["x", "z"], given: [],
                          factors: [wdensity("p", ["x"], ["z"]), wdensity("p", ["z"])])]
        d.families = [Family(density: wdensity("p", ["x"], ["z"]), kind: .normal(mean: wsym("mu"), variance: wnum(1)))]
        return d
    }

    var engine: WitnessEngine { WitnessEngine(declarations: declarations()) }

    func testFiniteSumsSplit() {
        let k = wsym("k")
        assertWitnessAgrees(engine, wsum("j", k, wadd(wc("a"), wc("b"))), .equal, wadd(wsum("j", k, wc("a")), wsum("i", k, wc("b", "i"))))
        assertWitnessRefutes(engine, wsum("j", k, wmul(wc("a"), wc("b"))), .equal, wmul(wsum("j", k, wc("a")), wsum("j", k, wc("b"))))
        assertWitnessAgrees(engine, wsum("j", k, wnum(1)), .equal, k)
    }

    func testSquaredNorm() {
        let k = wsym("k")
        assertWitnessAgrees(engine, .norm2(wsym("v")), .equal, wsum("j", k, .power(wc("v"), wnum(2))))
        assertWitnessAgrees(engine, .norm2(wsub(wsym("a"), wsym("b"))), .equal,
                     wsum("j", k, .power(wsub(wc("a"), wc("b")), wnum(2))))
        // A dropped square: true only when k = 1, refuted on the instances with k = 2, 3.
        assertWitnessRefutes(engine, .norm2(wsym("v")), .equal, .power(wsum("j", k, wc("v")), wnum(2)))
    }

    func testLogarithmsOfPositiveValues() {
        let (a, b) = (wsym("alpha"), wsym("beta"))
        assertWitnessAgrees(engine, wlog(wmul(a, b)), .equal, wadd(wlog(a), wlog(b)))
        assertWitnessAgrees(engine, wlog(.power(a, wnum(3))), .equal, wmul(wnum(3), wlog(a)))
        assertWitnessAgrees(engine, .exp(wlog(a)), .equal, a)
        assertWitnessRefutes(engine, wlog(wadd(a, b)), .equal, wadd(wlog(a), wlog(b)))
        assertWitnessAgrees(engine, wlog(.apply("det", [wsym("v")])), .equal, wsum("j", wsym("k"), wlog(wc("v"))))
        assertWitnessAgrees(engine, .apply("tr", [wsym("v")]), .equal, wsum("j", wsym("k"), wc("v")))
    }

    func testDefinitionsExpandByValue() {
        let mse = Expr.apply("MSE", [wsym("a"), wsym("b")])
        assertWitnessAgrees(engine, wmul(wsym("k"), mse), .equal, .norm2(wsub(wsym("a"), wsym("b"))))
        assertWitnessAgrees(engine, Expr.apply("MSE", [wsym("b"), wsym("a")]), .equal, mse)
        // The arguments are bound by position, not by name, and shadow the params a and b.
        let k = wsym("k")
        assertWitnessAgrees(engine, Expr.apply("diff", [wsym("b"), wsym("a")]), .equal,
                     wsub(wsum("j", k, wc("b")), wsum("j", k, wc("a"))))
        assertWitnessRefutes(engine, Expr.apply("diff", [wsym("b"), wsym("a")]), .equal,
                      wsub(wsum("j", k, wc("a")), wsum("j", k, wc("b"))))
        assertWitnessRefutes(engine, mse, .equal, .norm2(wsub(wsym("a"), wsym("b"))))
    }

    func testGaussianDensityValueWithAFreeVariable() {
        // log N(x; a, v) written out per component; x is a free variable used as a vector.
        let k = wsym("k")
        let expanded = wsum("j", k, wsub(wmul(wnum(-1, 2), wlog(wmul(wnum(2), .constant(.pi), wc("v")))),
                                         wdiv(.power(wsub(wc("x"), wc("a")), wnum(2)), wmul(wnum(2), wc("v")))))
        assertWitnessAgrees(engine, wlog(.normalDensity(point: wsym("x"), mean: wsym("a"), variance: wsym("v"))), .equal, expanded)
        assertWitnessRefutes(engine, wlog(.normalDensity(point: wsym("x"), mean: wsym("a"), variance: wsym("v"))), .equal,
                      wsum("j", k, wneg(wdiv(.power(wsub(wc("x"), wc("a")), wnum(2)), wmul(wnum(2), wc("v"))))))
    }

    func testFamilyLevelStepsAreLeftToTheGaussianWitness() {
        let q = wd("p", ["z"])
        assertWitnessSkips(engine, wE(q, wlog(wd("p", ["x"], ["z"]))), .equal,
                    wE(q, wlog(.normalDensity(point: wsym("x"), mean: wsym("mu"), variance: wnum(1)))),
                    mentioning: "family-level")
        // A purely scalar step about a family parameter is checked; mu has x's dimension.
        assertWitnessAgrees(engine, .norm2(wsym("mu")), .equal, wsum("j", wsym("k"), .power(wc("mu"), wnum(2))))
        assertWitnessAgrees(engine, .norm2(wsub(wsym("x"), wsym("mu"))), .greaterOrEqual, wnum(0))
    }
}
