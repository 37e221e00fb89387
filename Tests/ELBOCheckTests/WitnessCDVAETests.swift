import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

/// The CDVAE derivation of SPEC-LANGUAGE.md, steps (1)…(8), built programmatically.
final class WitnessCDVAETests: XCTestCase {
    static func declarations() -> Declarations {
        var d = Declarations()
        d.variables = [wvar("x", .observed, wreal("k")), wvar("c", .input, .label(.symbol("C"))),
                       wvar("z_l", .latent, wreal("m_l")), wvar("z_u", .latent, wreal("m_u"))]
        d.joints = [
            Joint(kind: .model, name: "p", variables: ["x", "z_l", "z_u"], given: ["c"],
                  factors: [wdensity("p", ["x"], ["z_l", "z_u", "c"]), wdensity("p", ["z_l"], ["c"]), wdensity("p", ["z_u"])]),
            Joint(kind: .guide, name: "q", variables: ["z_l", "z_u"], given: ["x"],
                  factors: [wdensity("q", ["z_l"], ["x"]), wdensity("q", ["z_u"], ["x"])]),
        ]
        d.assumptions = [Assumption(name: "decoder_ignores_class", kind: .equality(
            lhs: wdensity("p", ["x"], ["z_l", "z_u", "c"]), rhs: [wdensity("p", ["x"], ["z_l", "z_u"])]))]
        return d
    }

    /// `(label, relation, expression, assumptions)` for steps (1)…(8), and the start.
    static func steps() -> (start: Expr, steps: [(String, Relation, Expr, [String])]) {
        let q = wd("q", ["z_l", "z_u"], ["x"])
        let ql = wd("q", ["z_l"], ["x"]), qu = wd("q", ["z_u"], ["x"])
        let decoder = wd("p", ["x"], ["z_l", "z_u", "c"])
        let prior = wd("p", ["z_l", "z_u"], ["c"])
        let posterior = wd("p", ["z_l", "z_u"], ["c", "x"])
        let pl = wd("p", ["z_l"], ["c"]), pu = wd("p", ["z_u"])
        func iint(_ body: Expr) -> Expr { wint(wmul(q, body), "z_l", "z_u") }
        let klTerms = wadd(wneg(wKL(ql, pl)), wneg(wKL(qu, pu)))
        let start = wlog(wd("p", ["x"], ["c"]))
        let s1 = iint(wlog(wd("p", ["x"], ["c"])))
        let s2 = iint(wlog(wdiv(wmul(decoder, prior), posterior)))
        let s3 = iint(wlog(wdiv(wmul(decoder, prior, q), wmul(posterior, q))))
        let s4 = wadd(iint(wlog(decoder)), iint(wlog(wdiv(q, posterior))),
                      wneg(wint(wmul(ql, qu, wlog(wdiv(wmul(ql, qu), wmul(pl, pu)))), "z_l", "z_u")))
        let s5 = wadd(wE(q, wlog(decoder)), wKL(q, posterior),
                      wneg(wint(wmul(qu, wint(wmul(ql, wlog(wdiv(ql, pl))), "z_l")), "z_u")),
                      wneg(wint(wmul(ql, wint(wmul(qu, wlog(wdiv(qu, pu))), "z_u")), "z_l")))
        let s6 = wadd(wE(q, wlog(decoder)), wKL(q, posterior), klTerms)
        let s7 = wadd(wE(q, wlog(decoder)), klTerms)
        let s8 = wadd(wE(q, wlog(wd("p", ["x"], ["z_l", "z_u"]))), klTerms)
        return (start, [("(1)", .equal, s1, []), ("(2)", .equal, s2, []), ("(3)", .equal, s3, []),
                        ("(4)", .equal, s4, []), ("(5)", .equal, s5, []), ("(6)", .equal, s6, []),
                        ("(7)", .greaterOrEqual, s7, []), ("(8)", .equal, s8, ["decoder_ignores_class"])])
    }

    func testEveryStepAgrees() {
        let engine = WitnessEngine(declarations: Self.declarations())
        let (start, steps) = Self.steps()
        var previous = start
        for (label, relation, expr, assumptions) in steps {
            let outcome = engine.check(lhs: previous, rhs: expr, relation: relation, assumptions: assumptions)
            XCTAssertEqual(outcome, .agrees(instances: 8, approximationError: nil), "step \(label)")
            previous = expr
        }
    }

    func testStepEightNeedsTheAssumption() {
        let engine = WitnessEngine(declarations: Self.declarations())
        let steps = Self.steps().steps
        let c = assertWitnessRefutes(engine, steps[6].2, .equal, steps[7].2)
        XCTAssertTrue(c?.instance.contains("no assumptions") ?? false)
        // As an approximation it is exact under the assumption, with an error without it.
        let outcome = engine.check(lhs: steps[6].2, rhs: steps[7].2, relation: .approximately,
                                   assumptions: ["decoder_ignores_class"])
        guard case .agrees(_, let error?) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertGreaterThan(error, 0)
    }

    func testTypicalMistakesAreRefuted() {
        let engine = WitnessEngine(declarations: Self.declarations())
        let steps = Self.steps().steps
        // (7) with = instead of ≥ drops a KL that is not zero.
        assertWitnessRefutes(engine, steps[5].2, .equal, steps[6].2)
        // (7) the wrong way round.
        assertWitnessRefutes(engine, steps[5].2, .lessOrEqual, steps[6].2)
        // The class dropped from the prior.
        let ql = wd("q", ["z_l"], ["x"]), qu = wd("q", ["z_u"], ["x"])
        let wrongPrior = wadd(wE(wd("q", ["z_l", "z_u"], ["x"]), wlog(wd("p", ["x"], ["z_l", "z_u", "c"]))),
                              wneg(wKL(ql, wd("p", ["z_l"]))), wneg(wKL(qu, wd("p", ["z_u"]))))
        assertWitnessRefutes(engine, steps[6].2, .equal, wrongPrior)
    }

    func testCheckingTheDerivationIsFast() {
        let engine = WitnessEngine(declarations: Self.declarations())
        let (start, steps) = Self.steps()
        func checkAll() -> Double {
            let begin = DispatchTime.now().uptimeNanoseconds
            var previous = start
            for (_, relation, expr, assumptions) in steps {
                _ = engine.check(lhs: previous, rhs: expr, relation: relation, assumptions: assumptions)
                previous = expr
            }
            return Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6
        }
        // The first pass builds the instances; later passes (as for the next derivation
        // sharing declarations) reuse them.
        let cold = checkAll()
        let rounds = 20
        let warm = (0..<rounds).map { _ in checkAll() }.reduce(0, +) / Double(rounds)
        print("witness: CDVAE steps (1)…(8), 8 instances each: "
            + String(format: "%.2f ms first pass, %.2f ms with instances cached", cold, warm))
        XCTAssertLessThan(cold, 5000)  // generous: debug builds are much slower than release
    }
}
