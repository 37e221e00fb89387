import XCTest
import ELBOAlgebra
@testable import ELBOCodegen

/// Each safe-form rule on the term it is for, and that it leaves other terms alone.
final class SafeFormTests: XCTestCase {
    func assertRewrites(_ e: Expr, to expected: Expr, by rule: String,
                        file: StaticString = #filePath, line: UInt = #line) {
        let (r, fired) = SafeForms.apply(e)
        XCTAssertEqual(r, expected, "\(e) → \(r)", file: file, line: line)
        XCTAssert(fired.contains(rule), "\(rule) did not fire on \(e) (fired: \(fired))", file: file, line: line)
    }

    let a = E.s("a"), b = E.s("b")

    func testSoftplusFromLogOnePlusExp() {
        assertRewrites(.log(.add([.int(1), .exp(a)])), to: E.f("softplus", a), by: "softplus")
    }

    func testLogsigmoid() {
        assertRewrites(.log(E.f("sigmoid", a)), to: E.f("logsigmoid", a), by: "logsigmoid")
        assertRewrites(.log(.subtract(.int(1), E.f("sigmoid", a))), to: E.f("logsigmoid", .negate(a)),
                       by: "log-one-minus-sigmoid")
        // 1 / (1 + e^−a) is σ(a).
        assertRewrites(.power(.add([.int(1), .exp(.negate(a))]), .int(-1)), to: E.f("sigmoid", a), by: "sigmoid")
    }

    func testLog1pAndExpm1() {
        assertRewrites(.log(.add([.int(1), .mul([a, b])])), to: E.f("log1p", .mul([a, b])), by: "log1p")
        assertRewrites(.add([.exp(a), .int(-1), b]), to: .add([E.f("expm1", a), b]), by: "expm1")
        assertRewrites(.add([.mul([.int(3), .exp(a)]), .int(-3)]), to: .mul([.int(3), E.f("expm1", a)]), by: "expm1")
        // exp(a) − 2 is not exp(a) − 1 plus something the rule knows about.
        XCTAssertEqual(SafeForms.apply(.add([.exp(a), .int(-2)])).0, .add([.exp(a), .int(-2)]))
    }

    func testLogSumExp() {
        let body = E.sum("i", "K", .mul([E.c("w", "i"), .exp(E.c("u", "i"))]))
        let expected = E.f("logsumexp", E.sum("i", "K", .add([.log(E.c("w", "i")), E.c("u", "i")])))
        assertRewrites(.log(body), to: expected, by: "logsumexp")
        assertRewrites(.log(E.sum("i", "K", .exp(E.c("u", "i")))), to: E.f("logsumexp", E.sum("i", "K", E.c("u", "i"))),
                       by: "logsumexp")
    }

    func testInversePairsAndPowers() {
        assertRewrites(.log(.exp(a)), to: a, by: "log-exp")
        assertRewrites(.exp(.log(a)), to: a, by: "exp-log")
        assertRewrites(.power(.exp(a), .number(.half)), to: .exp(.mul([.number(.half), a])), by: "power-exp")
        assertRewrites(.log(.power(a, .number(Rational(-1, 2)))), to: .mul([.number(Rational(-1, 2)), .log(a)]), by: "log-power")
        // log(a²) ≠ 2·log(a) for negative a: left alone.
        XCTAssertEqual(SafeForms.apply(.log(.power(a, .int(2)))).0, .log(.power(a, .int(2))))
    }

    /// ‖x − x̂‖²/γ² as the normaliser writes it (three sums that cancel) folds back into one
    /// sum of squared differences; so does a scalar (a − b)²; near misses are left alone.
    func testSquareOfDifference() {
        let x = E.c("x", "j"), xhat = E.c("xhat", "j"), g = E.s("gamma")
        let inv = Expr.power(g, .int(-2))
        let expanded = Expr.add([
            .mul([.number(.half), E.sum("j", "k", .mul([.power(x, .int(2)), inv]))]),
            .mul([.int(-1), E.sum("j", "k", .mul([x, xhat, inv]))]),
            .mul([.number(.half), E.sum("j", "k", .mul([.power(xhat, .int(2)), inv]))]),
            .log(g),
        ])
        let (r, fired) = SafeForms.apply(expanded)
        XCTAssert(fired.contains("square-of-difference"), "\(fired)")
        let folded = E.sum("j", "k", .mul([.number(.half), inv, .power(.subtract(x, xhat), .int(2))]))
        XCTAssertEqual(r, .add([.log(g), folded]), "\(r)")
        assertRewrites(.add([.power(a, .int(2)), .mul([.int(-2), a, b]), .power(b, .int(2)), .int(3)]),
                       to: .add([.int(3), .power(.subtract(a, b), .int(2))]), by: "square-of-difference")
        // a² + b² − a·b, and squares over different ranges, are not squares of a difference.
        let notSquare = Expr.add([.power(a, .int(2)), .mul([.int(-1), a, b]), .power(b, .int(2))])
        XCTAssertEqual(SafeForms.apply(notSquare).0, notSquare)
        let mixedRanges = Expr.add([E.sum("j", "k", .power(x, .int(2))), .mul([.int(-2), E.sum("j", "k", .mul([x, xhat]))]),
                                    E.sum("j", "m", .power(xhat, .int(2)))])
        XCTAssertEqual(SafeForms.apply(mixedRanges).0, mixedRanges)
    }

    func testRulesHaveUniqueNames() {
        XCTAssertEqual(Set(SafeForms.rules.map(\.name)).count, SafeForms.rules.count)
    }
}

/// Lowering of terms to the IR: errors name the term, loops are placed where their indices are.
final class LoweringTests: XCTestCase {
    func lower(_ e: Expr) throws -> (KernelGraph, ValueID) {
        var l = KernelLowering(inputs: ["a": nil, "b": nil, "u": "n", "v": "n"], params: ["w": [], "P": ["K", "n"]],
                               dimensions: ["n", "K"])
        var g = KernelGraph()
        let v = try l.lower(e, into: &g)
        return (g, v)
    }

    func testErrorsNameTheTerm() {
        XCTAssertThrowsError(try lower(.add([E.s("a"), E.s("q")]))) { error in
            XCTAssertEqual(error as? KernelLoweringError, .unknownSymbol("q", term: "q"))
        }
        XCTAssertThrowsError(try lower(.exp(E.s("u")))) { error in
            XCTAssertEqual(error as? KernelLoweringError, .vectorAsScalar("u", term: "u"))
        }
        XCTAssertThrowsError(try lower(E.sum("j", "K", E.c("u")))) { error in
            XCTAssertEqual(error as? KernelLoweringError,
                           .dimensionMismatch(component: "u_j", vectorDimension: "n", indexDimension: "K"))
        }
        XCTAssertThrowsError(try lower(.kl(.density(Density(joint: "q", variables: ["z"])),
                                           .density(Density(joint: "p", variables: ["z"])))))
        XCTAssertThrowsError(try lower(E.c("u", "j"))) { error in
            XCTAssertEqual(error as? KernelLoweringError, .unboundIndex("j", term: "u_j"))
        }
    }

    func testSumsMatchTheInterpreter() throws {
        // Σ_j (u_j − v_j)² / (2w) + a·log(b)
        let e = Expr.add([.divide(E.sum("j", "n", .power(.subtract(E.c("u"), E.c("v")), .int(2))), .mul([.int(2), E.s("w")])),
                          .mul([E.s("a"), .log(E.s("b"))])])
        let (g, v) = try lower(e)
        let u = [0.5, -1, 2], w = [0.3, 0.2, -0.4]
        let eval = KernelEvaluator(dims: ["n": 3], inputs: ["a": [1.5], "b": [2.5], "u": u, "v": w], params: ["w": [0.7]])
        let expected = zip(u, w).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 1.4 + 1.5 * Foundation.log(2.5)
        assertClose(eval.value(v, in: g), expected, rtol: 1e-14)
    }

    func testInnerSumThatIgnoresTheOuterIndexIsHoisted() throws {
        // Σ_i (P_i,j summed over j) − log Σ_l exp(u_l): the second sum does not use i.
        let inner = E.sum("j", "n", .apply("entry", [E.s("P"), E.s("i"), E.s("j")]))
        let normaliser = E.f("logsumexp", E.sum("l", "n", E.c("u", "l")))
        let (g, v) = try lower(E.sum("i", "K", .subtract(inner, normaliser)))
        let lse = g.nodes.indices.first { if case .logsumexp = g[$0].op { return true }; return false }!
        XCTAssertEqual(g[lse].path, [], "log Σ exp u is computed outside the loop over i")
        let entry = g.nodes.indices.first { if case .param("P", _) = g[$0].op { return true }; return false }!
        XCTAssertEqual(g[entry].path.count, 2)
        let P = [1.0, 2, 3, 4, 5, 6], u = [0.1, 0.2, 0.3]
        let eval = KernelEvaluator(dims: ["n": 3, "K": 2], inputs: ["u": u], params: ["P": P])
        let lseValue = Foundation.log(u.map { Foundation.exp($0) }.reduce(0, +))
        assertClose(eval.value(v, in: g), P.reduce(0, +) - 2 * lseValue, rtol: 1e-14)
    }
}
