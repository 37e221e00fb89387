import Foundation
import XCTest
@testable import ELBOCodegen

/// The derivative table, op by op, against central differences of the reference interpreter,
/// including the safe forms at arguments where their naive versions overflow or cancel.
final class IRDerivativeTests: XCTestCase {
    let level = LoopLevel(dimension: "n", depth: 0)

    /// ∂op(args)/∂args[i] from the table vs a central difference with a relative step.
    func assertPartials(_ op: KernelOp, _ args: [Double], rtol: Double = 1e-6, atol: Double = 1e-300,
                        file: StaticString = #filePath, line: UInt = #line) {
        var g = KernelGraph()
        let names = args.indices.map { "a\($0)" }
        let leaves = names.map { g.leaf(.input($0, levels: [])) }
        let node = g.make(op, leaves)
        let one = g.constant(1)
        let adjoints = Differentiation.adjoints(in: &g, roots: [(node, one)])
        let env = { (xs: [Double]) in
            KernelEvaluator(dims: [:], inputs: Dictionary(uniqueKeysWithValues: zip(names, xs.map { [$0] })))
        }
        let value = env(args).value(node, in: g)
        let exact = KernelEvaluator.pointwise(op, args)!
        XCTAssertEqual(value, exact, "\(op.name)\(args)", file: file, line: line)
        XCTAssert(value.isFinite, "\(op.name)\(args) = \(value)", file: file, line: line)
        for i in args.indices {
            let analytic = adjoints[leaves[i]].map { env(args).value($0, in: g) } ?? 0
            let h = 1e-6 * max(1, Swift.abs(args[i]))
            var up = args, down = args
            up[i] += h
            down[i] -= h
            let numeric = (env(up).value(node, in: g) - env(down).value(node, in: g)) / (2 * h)
            XCTAssert(analytic.isFinite, "∂\(op.name)/∂a\(i) at \(args) = \(analytic)", file: file, line: line)
            assertClose(analytic, numeric, rtol: rtol, atol: atol, "∂\(op.name)/∂a\(i) at \(args)", file: file, line: line)
        }
    }

    func testArithmetic() {
        assertPartials(.add, [1.5, -2.25])
        assertPartials(.sub, [1.5, -2.25])
        assertPartials(.mul, [1.5, -2.25])
        assertPartials(.div, [1.5, -2.25])
        assertPartials(.neg, [0.7])
        assertPartials(.powInt(3), [-1.3])
        assertPartials(.powInt(-2), [0.8])
        assertPartials(.powReal(0.3), [2.5])
        assertPartials(.sqrt, [2.5])
        assertPartials(.log, [0.25])
        assertPartials(.exp, [1.2])
    }

    func testPiecewiseAwayFromKinks() {
        assertPartials(.abs, [-0.5])
        assertPartials(.abs, [0.5])
        assertPartials(.relu, [-0.5])
        assertPartials(.relu, [0.5])
        assertPartials(.ifNonNegative, [0.5, 1.5, -2.0])
        assertPartials(.ifNonNegative, [-0.5, 1.5, -2.0])
    }

    func testSafeFormsAtExtremeArguments() {
        for a in [-50.0, -3, 0.2, 3, 50] {
            assertPartials(.softplus, [a])
            // σ(a) rounds to 1 near a = 50, so the difference quotient is only good absolutely.
            assertPartials(.sigmoid, [a], rtol: 1e-5, atol: 1e-12)
            assertPartials(.logsigmoid, [a])
        }
        assertPartials(.exp, [30])
        assertPartials(.exp, [-30])
        assertPartials(.expm1, [1e-10])
        assertPartials(.expm1, [-1e-9])
        assertPartials(.expm1, [30])
        assertPartials(.log1p, [1e-10])
        assertPartials(.log1p, [-1e-9])
        assertPartials(.log1pUnit, [1e-12])
        assertPartials(.log1pUnit, [1])
        for a in [-30.0, -0.4, 0.4, 30] { assertPartials(.expNegAbs, [a]) }
    }

    func testSafeFormValuesAtExtremes() {
        let e50 = Foundation.exp(-50.0)
        assertClose(KernelEvaluator.pointwise(.softplus, [50])!, 50 + e50, rtol: 1e-15)
        assertClose(KernelEvaluator.pointwise(.softplus, [-50])!, e50, rtol: 1e-14)
        assertClose(KernelEvaluator.pointwise(.logsigmoid, [-50])!, -50 - e50, rtol: 1e-15)
        assertClose(KernelEvaluator.pointwise(.logsigmoid, [50])!, -e50, rtol: 1e-14)
        assertClose(KernelEvaluator.pointwise(.sigmoid, [-50])!, e50, rtol: 1e-14)
        assertClose(KernelEvaluator.pointwise(.expm1, [1e-10])!, 1e-10 + 5e-21, rtol: 1e-15)
        assertClose(KernelEvaluator.pointwise(.log1p, [1e-10])!, 1e-10 - 5e-21, rtol: 1e-15)
    }

    func testReductions() {
        // d/du_i Σ f(u) and d/du_i log Σ exp(u) against central differences.
        for op in [KernelOp.sum(level), .logsumexp(level)] {
            var g = KernelGraph()
            let u = g.leaf(.input("u", levels: [level]), context: [level])
            let body = g.apply(.sigmoid, [u])
            let r = g.reduce(op, level: level, op == .sum(level) ? body : u)
            let adj = Differentiation.adjoints(in: &g, roots: [(r, g.constant(1))])
            let xs = [0.3, -1.2, 2.5, 40, -40]
            let eval = { (v: [Double]) in KernelEvaluator(dims: ["n": v.count], inputs: ["u": v]) }
            for i in xs.indices {
                let analytic = eval(xs).value(adj[u]!, in: g, at: [level: i])
                var up = xs, down = xs
                up[i] += 1e-6
                down[i] -= 1e-6
                let numeric = (eval(up).value(r, in: g) - eval(down).value(r, in: g)) / 2e-6
                assertClose(analytic, numeric, rtol: 1e-6, atol: 1e-12, "\(op.name) at \(i)")
            }
            // log Σ exp of large terms does not overflow.
            XCTAssert(eval([800, 799, -800, 0, 1]).value(r, in: g).isFinite)
        }
    }

    func testLoopInvariantBodiesReduceInClosedForm() {
        var g = KernelGraph()
        let a = g.leaf(.input("a", levels: []))
        let s = g.reduce(.sum(level), level: level, a)
        let l = g.reduce(.logsumexp(level), level: level, a)
        let eval = KernelEvaluator(dims: ["n": 7], inputs: ["a": [0.5]])
        assertClose(eval.value(s, in: g), 3.5)
        assertClose(eval.value(l, in: g), 0.5 + Foundation.log(7))
    }

    func testHashConsingSharesValues() {
        var g = KernelGraph()
        let a = g.leaf(.input("a", levels: []))
        let b = g.leaf(.input("b", levels: []))
        XCTAssertEqual(g.mul(a, b), g.mul(b, a))
        XCTAssertEqual(g.add(a, g.constant(0)), a)
        XCTAssertEqual(g.log(g.exp(a)), a)
        XCTAssertEqual(g.sub(a, a), g.constant(0))
        // σ·s − x·s is factored into (σ − x)·s.
        let f = g.sub(g.mul(a, b), g.mul(g.constant(2), b))
        XCTAssertEqual(g[f].op, .mul)
    }

    func testRebuildingEveryValueGivesItBack() throws {
        // Hash-consing: a value rebuilt from its op, arguments and path is the same value.
        for program in LossProgramFixtures.all {
            var g = try KernelPlan(program).lossAndGradient.graph
            for id in g.nodes.indices {
                let n = g[id]
                XCTAssertEqual(g.intern(n.op, n.args, path: n.path), id, "\(program.name) %\(id)")
            }
        }
    }
}
