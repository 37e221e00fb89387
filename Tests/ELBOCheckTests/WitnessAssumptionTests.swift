import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

/// Assumptions change the instances: a dropped conditioning variable, a split joint, a point
/// mass. A step that silently needs one is refuted without it and agrees with it.
final class WitnessAssumptionTests: XCTestCase {
    /// `model p(x, z | c) = p(x | z, c) p(z)`, `guide q(z | x)`, and
    /// `assume ignores: p(x | z, c) = p(x | z)`.
    func conditionalModel(unstructured: Bool = false) -> Declarations {
        var d = Declarations()
        d.variables = [wvar("x", .observed, wreal("k")), wvar("z", .latent, wreal("m")), wvar("c", .input, .label(.symbol("C")))]
        d.joints = [
            Joint(kind: .model, name: "p", variables: ["x", "z"], given: ["c"],
                  factors: unstructured ? nil : [wdensity("p", ["x"], ["z", "c"]), wdensity("p", ["z"])]),
            Joint(kind: .guide, name: "q", variables: ["z"], given: ["x"], factors: nil),
        ]
        d.assumptions = [
            Assumption(name: "ignores", kind: .equality(lhs: wdensity("p", ["x"], ["z", "c"]), rhs: [wdensity("p", ["x"], ["z"])])),
            Assumption(name: "posterior_ignores", kind: .equality(lhs: wdensity("p", ["z"], ["x", "c"]),
                                                                 rhs: [wdensity("p", ["z"], ["x"])])),
        ]
        return d
    }

    func testExtraConditioningVariableNeedsTheAssumption() {
        let engine = WitnessEngine(declarations: conditionalModel())
        let q = wd("q", ["z"], ["x"])
        let lhs = wE(q, wlog(wd("p", ["x"], ["z", "c"])))
        let rhs = wE(q, wlog(wd("p", ["x"], ["z"])))
        assertWitnessRefutes(engine, lhs, .equal, rhs)
        assertWitnessAgrees(engine, lhs, .equal, rhs, assuming: ["ignores"])
        assertWitnessAgrees(engine, wd("p", ["x"], ["z", "c"]), .equal, wd("p", ["x"], ["z"]), assuming: ["ignores"])
        let c = assertWitnessRefutes(engine, lhs, .equal, rhs)
        XCTAssertTrue(c?.instance.contains("no assumptions") ?? false)
    }

    func testApproximationReportsTheErrorWithoutTheAssumption() {
        let engine = WitnessEngine(declarations: conditionalModel())
        let q = wd("q", ["z"], ["x"])
        let outcome = engine.check(lhs: wE(q, wlog(wd("p", ["x"], ["z", "c"]))), rhs: wE(q, wlog(wd("p", ["x"], ["z"]))),
                                   relation: .approximately, assumptions: ["ignores"])
        guard case .agrees(_, let error?) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertGreaterThan(error, 1e-6)
        // An exact step has error zero.
        let exact = engine.check(lhs: wd("p", ["x", "z"], ["c"]), rhs: wmul(wd("p", ["x"], ["z", "c"]), wd("p", ["z"], ["c"])),
                                 relation: .approximately, assumptions: [])
        guard case .agrees(8, let exactError?) = exact else { return XCTFail("\(exact)") }
        XCTAssertLessThan(exactError, 1e-12)
    }

    func testAssumptionOnANonFactorInAnUnstructuredJoint() {
        let engine = WitnessEngine(declarations: conditionalModel(unstructured: true))
        let lhs = wd("p", ["z"], ["x", "c"]), rhs = wd("p", ["z"], ["x"])
        assertWitnessRefutes(engine, lhs, .equal, rhs)
        assertWitnessAgrees(engine, lhs, .equal, rhs, assuming: ["posterior_ignores"])
    }

    func testUnrealisableAssumptionIsSkipped() {
        // In the structured model, x is a child of z and c: the posterior of z cannot ignore c
        // by specialising one factor, so the witness declines rather than guesses.
        let engine = WitnessEngine(declarations: conditionalModel())
        assertWitnessSkips(engine, wd("p", ["z"], ["x", "c"]), .equal, wd("p", ["z"], ["x"]), assuming: ["posterior_ignores"],
                    mentioning: "posterior_ignores")
    }

    func testMeanFieldHoldsOnlyForAFactorisedGuide() {
        func declarations(factorised: Bool) -> Declarations {
            var d = Declarations()
            d.variables = [wvar("x", .observed, wreal("k")), wvar("z_l", .latent, wreal("m")), wvar("z_u", .latent, wreal("n"))]
            d.joints = [Joint(kind: .guide, name: "q", variables: ["z_l", "z_u"], given: ["x"],
                              factors: factorised ? [wdensity("q", ["z_l"], ["x"]), wdensity("q", ["z_u"], ["x"])] : nil)]
            d.assumptions = [Assumption(name: "mean_field", kind: .equality(
                lhs: wdensity("q", ["z_l", "z_u"], ["x"]), rhs: [wdensity("q", ["z_l"], ["x"]), wdensity("q", ["z_u"], ["x"])]))]
            return d
        }
        let lhs = wd("q", ["z_l", "z_u"], ["x"])
        let rhs = wmul(wd("q", ["z_l"], ["x"]), wd("q", ["z_u"], ["x"]))
        assertWitnessAgrees(WitnessEngine(declarations: declarations(factorised: true)), lhs, .equal, rhs)
        let unstructured = WitnessEngine(declarations: declarations(factorised: false))
        assertWitnessRefutes(unstructured, lhs, .equal, rhs)
        // Splitting the unstructured guide by assumption makes it hold.
        assertWitnessAgrees(unstructured, lhs, .equal, rhs, assuming: ["mean_field"])
        // KL of the joint splits only under the factorisation.
        let pl = wmul(wd("q", ["z_l"], ["x"]), wd("q", ["z_u"], ["x"]))
        let entropySplit = Expr.add([.entropy(wd("q", ["z_l"], ["x"])), .entropy(wd("q", ["z_u"], ["x"]))])
        assertWitnessRefutes(unstructured, .entropy(lhs), .equal, entropySplit)
        assertWitnessAgrees(unstructured, .entropy(lhs), .equal, entropySplit, assuming: ["mean_field"])
        assertWitnessAgrees(unstructured, .entropy(lhs), .lessOrEqual, entropySplit)
        assertWitnessAgrees(unstructured, .entropy(pl), .equal, entropySplit)
    }

    func testSplittingAJointAcrossItsFactors() {
        // guide q(z_l, z_u | x) = q(z_l | x) q(z_u | z_l, x); mean field drops z_l from the second factor.
        var d = Declarations()
        d.variables = [wvar("x", .observed, wreal("k")), wvar("z_l", .latent, wreal("m")), wvar("z_u", .latent, wreal("n"))]
        d.joints = [Joint(kind: .guide, name: "q", variables: ["z_l", "z_u"], given: ["x"],
                          factors: [wdensity("q", ["z_l"], ["x"]), wdensity("q", ["z_u"], ["z_l", "x"])])]
        d.assumptions = [Assumption(name: "mean_field", kind: .equality(
            lhs: wdensity("q", ["z_l", "z_u"], ["x"]), rhs: [wdensity("q", ["z_u"], ["x"]), wdensity("q", ["z_l"], ["x"])]))]
        let engine = WitnessEngine(declarations: d)
        let lhs = wd("q", ["z_l", "z_u"], ["x"])
        let rhs = wmul(wd("q", ["z_l"], ["x"]), wd("q", ["z_u"], ["x"]))
        assertWitnessRefutes(engine, lhs, .equal, rhs)
        assertWitnessAgrees(engine, lhs, .equal, rhs, assuming: ["mean_field"])
        assertWitnessAgrees(engine, wd("q", ["z_u"], ["z_l", "x"]), .equal, wd("q", ["z_u"], ["x"]), assuming: ["mean_field"])
    }

    func testNullConditioningEventsAreNotCompared() {
        // With y a function of x, some label y may have probability zero; q(x | y) is then
        // undefined there, and such assignments say nothing about the step.
        var d = Declarations()
        d.variables = [wvar("x", .observed, wreal("k")), wvar("y", .latent, .label(.symbol("C")))]
        d.joints = [Joint(kind: .guide, name: "q", variables: ["y"], given: ["x"], factors: nil)]
        d.assumptions = [Assumption(name: "hard", kind: .deterministic(variable: "y", given: ["x"], joint: "q"))]
        let engine = WitnessEngine(declarations: d)
        assertWitnessAgrees(engine, wd("q", ["x"], ["y"]), .equal, wdiv(wd("q", ["x", "y"]), wd("q", ["y"])), assuming: ["hard"])
        assertWitnessAgrees(engine, wmul(wd("q", ["x"], ["y"]), wd("q", ["y"])), .equal, wd("q", ["x", "y"]), assuming: ["hard"])
        assertWitnessRefutes(engine, wd("q", ["x"], ["y"]), .equal, wd("q", ["x"]), assuming: ["hard"])
        let values = engine.evaluate(wd("q", ["x"], ["y"]), assumptions: ["hard"], instanceIndex: 1)
        XCTAssertEqual(values.count, 9)
    }

    func testDeltaFamilyIsAPointMass() {
        var d = Declarations()
        d.variables = [wvar("x", .observed, wreal("k")), wvar("y", .latent, .label(.symbol("C")))]
        d.joints = [Joint(kind: .guide, name: "q", variables: ["y"], given: ["x"], factors: nil)]
        let negentropy = wE(wd("q", ["y"], ["x"]), wlog(wd("q", ["y"], ["x"])))
        assertWitnessRefutes(WitnessEngine(declarations: d), negentropy, .equal, wnum(0))
        d.families = [Family(density: wdensity("q", ["y"], ["x"]), kind: .delta(.apply("f", [wsym("x")])))]
        assertWitnessAgrees(WitnessEngine(declarations: d), negentropy, .equal, wnum(0))
    }

    func testDeterministicTransition() {
        // guide q(y, z | x) = q(y | x) q(z | y) with y a label that may be a function of x.
        func declarations(continuous: Bool) -> Declarations {
            var d = Declarations()
            d.variables = [wvar("x", .observed, wreal("k")),
                           wvar("y", .latent, continuous ? wreal("m") : .label(.symbol("C"))),
                           wvar("z", .latent, wreal("n"))]
            d.joints = [Joint(kind: .guide, name: "q", variables: ["y", "z"], given: ["x"],
                              factors: [wdensity("q", ["y"], ["x"]), wdensity("q", ["z"], ["y"])])]
            d.assumptions = [Assumption(name: "hard", kind: .deterministic(variable: "y", given: ["x"], joint: "q"))]
            return d
        }
        let engine = WitnessEngine(declarations: declarations(continuous: false))
        let negentropy = wE(wd("q", ["y"], ["x"]), wlog(wd("q", ["y"], ["x"])))
        assertWitnessRefutes(engine, negentropy, .equal, wnum(0))
        assertWitnessAgrees(engine, negentropy, .equal, wnum(0), assuming: ["hard"])
        // Identities that hold for every distribution still hold with the point mass, whose
        // zeros make log 0 appear under measure zero.
        assertWitnessAgrees(engine, wd("q", ["y", "z"], ["x"]), .equal, wmul(wd("q", ["y"], ["x"]), wd("q", ["z"], ["y"])),
                     assuming: ["hard"])
        assertWitnessAgrees(engine, .entropy(wd("q", ["y", "z"], ["x"])), .equal,
                     wE(wd("q", ["y"], ["x"]), .entropy(wd("q", ["z"], ["y"]))), assuming: ["hard"])
        assertWitnessAgrees(engine, wKL(wd("q", ["y"], ["x"]), wd("q", ["y"], ["x"])), .equal, wnum(0), assuming: ["hard"])
        // A point mass of a continuous variable has density 1/w, so its entropy is not zero.
        let continuous = WitnessEngine(declarations: declarations(continuous: true))
        assertWitnessRefutes(continuous, negentropy, .equal, wnum(0), assuming: ["hard"])
    }
}
