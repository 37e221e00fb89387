import XCTest
@testable import ELBOAlgebra

/// Random expressions: the canonical form must have the expression's value, rebuild to
/// itself, and not depend on how the expression was written (operands shuffled, products
/// expanded by hand).
final class ScalarFuzzTests: ScalarTestCase {
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }

        /// A scalar expression; inside a sum over k (`index` set) components of k-vectors appear.
        mutating func expr(_ depth: Int, index: String? = nil) -> Expr {
            let leaves: [Expr] = [.symbol("a"), .symbol("b"), .symbol("g"), .symbol("gamma"), .int(2), .number(Rational(-1, 3)),
                                  .constant(.pi)]
                + (index.map { j in [Expr.component("x", index: j), .component("f", index: j), .component("vk", index: j)] } ?? [])
            if depth == 0 || next(4) == 0 { return leaves[next(leaves.count)] }
            let positive: [Expr] = [.symbol("g"), .symbol("gamma"), .exp(expr(depth - 1, index: index)),
                                    .add([.int(1), .power(expr(depth - 1, index: index), .int(2))])]
                + (index.map { [Expr.component("vk", index: $0)] } ?? [])
            switch next(11) {
            case 0, 1: return .add([expr(depth - 1, index: index), expr(depth - 1, index: index)])
            case 2: return .subtract(expr(depth - 1, index: index), expr(depth - 1, index: index))
            case 3, 4: return .mul([expr(depth - 1, index: index), expr(depth - 1, index: index)])
            case 5: return .divide(expr(depth - 1, index: index), positive[next(positive.count)])
            case 6: return .power(expr(depth - 1, index: index), .int(next(4) - 1))
            case 7: return .log(.mul([positive[next(positive.count)], positive[next(positive.count)]]))
            case 8: return .exp(expr(depth - 1, index: index))
            case 9: return .squareRoot(positive[next(positive.count)])
            default:
                if index == nil {
                    return next(3) == 0
                        ? .norm2(.subtract(.symbol("x"), .symbol("xhat")))
                        : .indexedSum(index: "j", from: .int(1), to: .symbol("k"), body: expr(depth - 1, index: "j"))
                }
                return .apply("sigmoid", [expr(depth - 1, index: index)])
            }
        }
    }

    /// A summand polynomial in `z_j` (degree ≤ 8) with z-free non-polynomial parts.
    func polynomialInZ(_ depth: Int, _ g: inout Generator) -> Expr {
        let j = "j"
        let leaves: [Expr] = [.component("z", index: j), .component("z", index: j), .component("mu", index: j),
                              .component("v", index: j), .symbol("a"), .int(3), .number(Rational(1, 2)),
                              .exp(.component("s", index: j)), .log(.component("v", index: j))]
        if depth == 0 || g.next(4) == 0 { return leaves[g.next(leaves.count)] }
        switch g.next(4) {
        case 0: return .add([polynomialInZ(depth - 1, &g), polynomialInZ(depth - 1, &g)])
        case 1: return .subtract(polynomialInZ(depth - 1, &g), polynomialInZ(depth - 1, &g))
        case 2: return .mul([polynomialInZ(depth - 1, &g), polynomialInZ(depth - 1, &g)])
        default: return .divide(polynomialInZ(depth - 1, &g), .component("v", index: j))
        }
    }

    /// `E_{N(z; m, v)}[Σ_j p(z_j)]` by the moment rule agrees with quadrature.
    func testRandomGaussianExpectations() {
        var g = Generator(state: 777)
        var checked = 0
        for n in 0..<150 {
            let body: Expr = n % 5 == 0
                ? .add([.log(.normalDensity(point: .symbol("z"), mean: .symbol("mu"), variance: .symbol("v"))),
                        .indexedSum(index: "j", from: .int(1), to: .symbol("m"), body: polynomialInZ(2, &g))])
                : .indexedSum(index: "j", from: .int(1), to: .symbol("m"), body: polynomialInZ(3, &g))
            let means: [Expr] = [.symbol("mt"), .symbol("mu"), .int(0)]
            let variances: [Expr] = [.symbol("vt"), .exp(.symbol("s")), .int(1)]
            let e = Expr.expectation(measure: .normalDensity(point: .symbol("z"), mean: means[n % 3], variance: variances[(n / 3) % 3]),
                                     body: body)
            guard let f = try? ScalarNormalizer.normalize(e, context: context) else {
                XCTFail("expectation of a polynomial refused: \(e)"); continue
            }
            XCTAssertFalse(f.symbolNames.contains("z"), "\(f)")
            for seed in 1...2 {
                let p = NumericPoint(context: context, seed: UInt64(seed))
                guard let va = p.value(e), let vb = p.value(f.toExpr()), va.isFinite, vb.isFinite else { continue }
                checked += 1
                XCTAssertEqual(va, vb, accuracy: 1e-8 * max(1, abs(va)), "E[\(body)] = \(f)")
            }
        }
        XCTAssertGreaterThan(checked, 200)
    }

    /// Rewrites an expression into an equal one written differently.
    func shuffled(_ e: Expr, _ g: inout Generator) -> Expr {
        switch e {
        case .sum(let xs): return .add(xs.map { shuffled($0, &g) }.reversed())
        case .product(let xs):
            let ys = xs.map { shuffled($0, &g) }
            // (p + q) · r  →  p · r + q · r
            if ys.count == 2, case .sum(let ps) = ys[0] { return .add(ps.map { .mul([$0, ys[1]]) }) }
            return .mul(ys.reversed())
        case .power(let b, .number(let r)) where r == Rational(2):
            let s = shuffled(b, &g)
            return .mul([s, s])
        default:
            return e.children.isEmpty ? e : e.withChildren(e.children.map { shuffled($0, &g) })
        }
    }

    func testRandomExpressions() {
        let env = ProcessInfo.processInfo.environment
        var g = Generator(state: UInt64(env["SCALAR_FUZZ_SEED"] ?? "") ?? 12345)
        let count = Int(env["SCALAR_FUZZ_COUNT"] ?? "") ?? 400
        var checked = 0, numeric = 0, rewritten = 0
        defer { print("scalar fuzz: \(checked) forms, \(numeric) numeric comparisons, \(rewritten) rewritings") }
        for _ in 0..<count {
            let e = g.expr(4)
            guard let f = try? ScalarNormalizer.normalize(e, context: context) else { continue }
            checked += 1
            let rebuilt = f.toExpr()
            guard let again = try? ScalarNormalizer.normalize(rebuilt, context: context) else {
                XCTFail("rebuilt form does not normalise: \(f)"); continue
            }
            XCTAssertEqual(again, f, "round trip of \(f)")
            for seed in 1...2 {
                let p = NumericPoint(context: context, seed: UInt64(seed))
                guard let va = p.value(e), let vb = p.value(rebuilt), va.isFinite, vb.isFinite, abs(va) < 1e8 else { continue }
                numeric += 1
                XCTAssertEqual(va, vb, accuracy: 1e-7 * max(1, abs(va)), "value of \(f)")
            }
            let other = shuffled(e, &g)
            if let f2 = try? ScalarNormalizer.normalize(other, context: context) {
                rewritten += 1
                XCTAssertEqual(f2, f, "rewritten expression normalises differently:\n  \(f)\n  \(f2)")
            }
        }
        XCTAssertGreaterThan(checked, count * 3 / 4)
    }
}
