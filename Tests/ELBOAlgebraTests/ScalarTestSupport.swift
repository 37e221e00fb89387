import XCTest
@testable import ELBOAlgebra

/// A scalar expression under construction: a thin wrapper over `Expr` with arithmetic
/// operators (kept on its own type so that it cannot clash with other test helpers).
struct SX: ExpressibleByIntegerLiteral {
    let e: Expr
    init(_ e: Expr) { self.e = e }
    init(integerLiteral n: Int) { e = .int(n) }

    static func v(_ name: String) -> SX { SX(.symbol(name)) }
    static func r(_ n: Int, _ d: Int) -> SX { SX(.number(Rational(n, d))) }
    /// The component `name_index`.
    static func c(_ name: String, _ index: String) -> SX { SX(.component(name, index: index)) }
    static let pi = SX(.constant(.pi))
    static let e = SX(.constant(.e))

    static func + (a: SX, b: SX) -> SX { SX(.add([a.e, b.e])) }
    static func - (a: SX, b: SX) -> SX { SX(.subtract(a.e, b.e)) }
    static func * (a: SX, b: SX) -> SX { SX(.mul([a.e, b.e])) }
    static func / (a: SX, b: SX) -> SX { SX(.divide(a.e, b.e)) }
    static prefix func - (a: SX) -> SX { SX(.negate(a.e)) }
    var sq: SX { SX(.power(e, .int(2))) }
    func pow(_ x: SX) -> SX { SX(.power(e, x.e)) }

    static func log(_ a: SX) -> SX { SX(.log(a.e)) }
    static func exp(_ a: SX) -> SX { SX(.exp(a.e)) }
    static func sqrt(_ a: SX) -> SX { SX(.squareRoot(a.e)) }
    static func norm2(_ a: SX) -> SX { SX(.norm2(a.e)) }
    /// `Σ_{index=1}^{upper} body`.
    static func sum(_ index: String, _ upper: String, _ body: SX) -> SX {
        SX(.indexedSum(index: index, from: .int(1), to: .symbol(upper), body: body.e))
    }
    /// `N(x; m, v)`.
    static func N(_ x: SX, _ m: SX, _ v: SX) -> SX { SX(.normalDensity(point: x.e, mean: m.e, variance: v.e)) }
    /// `E_{N(variable; m, v)}[body]`.
    static func E(_ variable: String, _ m: SX, _ v: SX, _ body: SX) -> SX {
        SX(.expectation(measure: .normalDensity(point: .symbol(variable), mean: m.e, variance: v.e), body: body.e))
    }
    static func f(_ name: String, _ args: SX...) -> SX { SX(.apply(name, args.map(\.e))) }
}

/// The symbols of the Gaussian lemmas: data x, x̂, logits f in R^k; latent z, means and
/// log-variances in R^m; v, v1, v2, vt (variances) and sigma1, sigma2 (scales) positive.
func gaussianContext() -> ScalarContext {
    let k = ELBOAlgebra.Dimension.symbol("k"), m = ELBOAlgebra.Dimension.symbol("m")
    var dims: [String: ELBOAlgebra.Dimension] = [:]
    for s in ["x", "xhat", "f", "vk"] { dims[s] = k }
    for s in ["z", "mu", "s", "v", "m1", "m2", "v1", "v2", "mt", "vt", "sigma1", "sigma2", "w"] { dims[s] = m }
    let mse = Definition(name: "MSE", parameters: ["a", "b"],
                         body: .mul([.power(.symbol("k"), .int(-1)),
                                     .indexedSum(index: "j", from: .int(1), to: .symbol("k"),
                                                 body: .power(.subtract(.component("a", index: "j"), .component("b", index: "j")), .int(2)))]))
    return ScalarContext(dimensions: dims, positive: ["gamma", "v", "vk", "v1", "v2", "vt", "sigma1", "sigma2", "g"],
                         variables: ["x", "z"], functionsOf: ["mu_theta": ["z"], "xhat": ["z"]], definitions: [mse])
}

class ScalarTestCase: XCTestCase {
    var context = gaussianContext()

    func form(_ a: SX, file: StaticString = #filePath, line: UInt = #line) -> ScalarForm? {
        do { return try ScalarNormalizer.normalize(a.e, context: context) } catch {
            XCTFail("does not normalise: \(error)", file: file, line: line)
            return nil
        }
    }

    /// Both sides have the same canonical form, agree numerically, and each form rebuilds.
    func assertNormalizes(_ a: SX, equals b: SX, file: StaticString = #filePath, line: UInt = #line) {
        guard let fa = form(a, file: file, line: line), let fb = form(b, file: file, line: line) else { return }
        XCTAssertEqual(fa, fb, "\n  lhs: \(fa)\n  rhs: \(fb)\n  lhs - rhs: \(fa - fb)", file: file, line: line)
        assertAgreesNumerically(a.e, b.e, file: file, line: line)
        assertRoundTrip(fa, original: a.e, file: file, line: line)
        assertRoundTrip(fb, original: b.e, file: file, line: line)
    }

    /// The canonical forms differ.
    func assertDiffers(_ a: SX, _ b: SX, file: StaticString = #filePath, line: UInt = #line) {
        guard let fa = form(a, file: file, line: line), let fb = form(b, file: file, line: line) else { return }
        XCTAssertNotEqual(fa, fb, "both normalise to \(fa)", file: file, line: line)
    }

    /// `normalize(form.toExpr()) == form`, and the rebuilt expression has the original's value.
    func assertRoundTrip(_ f: ScalarForm, original: Expr? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let rebuilt = f.toExpr()
        do {
            let again = try ScalarNormalizer.normalize(rebuilt, context: context)
            XCTAssertEqual(again, f, "round trip of \(f) gave \(again)", file: file, line: line)
        } catch {
            XCTFail("rebuilt \(rebuilt) does not normalise: \(error)", file: file, line: line)
        }
        if let original { assertAgreesNumerically(original, rebuilt, file: file, line: line) }
    }

    /// Both expressions have the same value at random points where both are defined.
    func assertAgreesNumerically(_ a: Expr, _ b: Expr, file: StaticString = #filePath, line: UInt = #line) {
        var compared = 0
        for seed in 1...4 {
            let point = NumericPoint(context: context, seed: UInt64(seed))
            guard let va = point.value(a), let vb = point.value(b) else {
                XCTFail("the numeric reference cannot evaluate \(a) or \(b)", file: file, line: line)
                return
            }
            if !va.isFinite || !vb.isFinite { continue }
            compared += 1
            XCTAssertEqual(va, vb, accuracy: 1e-9 * max(1, abs(va), abs(vb)),
                           "numerically different at seed \(seed)", file: file, line: line)
        }
        XCTAssertGreaterThan(compared, 0, "undefined at every sample point", file: file, line: line)
    }
}

/// An independent evaluator for scalar expressions at random values (does not use the
/// rewrite rules): vectors of the context's dimensions, positive symbols positive,
/// expectations over a Gaussian by Gauss–Hermite quadrature (exact for polynomials of degree ≤ 9).
struct NumericPoint {
    var dims: [String: Int] = ["k": 3, "m": 2]
    var vectors: [String: [Double]] = [:]
    var scalars: [String: Double] = [:]
    let context: ScalarContext

    init(context: ScalarContext, seed: UInt64) {
        self.context = context
        var state = seed &* 0x9E3779B97F4A7C15 &+ 1
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        if seed % 2 == 0 { dims = ["k": 4, "m": 3] }
        func value(_ s: String) -> Double { context.positive.contains(s) ? 0.3 + 1.7 * next() : -2 + 4 * next() }
        for (s, d) in context.dimensions.sorted(by: { $0.key < $1.key }) {
            let n: Int
            switch d { case .symbol(let sym): n = dims[sym] ?? 2; case .value(let v): n = v }
            vectors[s] = (0..<n).map { _ in value(s) }
        }
        for s in ["a", "b", "c", "g", "gamma", "t", "u", "y"] + context.functionsOf.keys.sorted()
            where context.dimensions[s] == nil { scalars[s] = value(s) }
    }

    func value(_ e: Expr) -> Double? {
        var env = Env()
        return try? eval(e, &env)
    }

    struct Env { var index: [String: Int] = [:]; var component: Int? = nil; var overrides: [String: [Double]] = [:] }
    struct Unsupported: Error {}

    func vector(_ s: String, _ env: Env) -> [Double]? { env.overrides[s] ?? vectors[s] }

    func dimension(of e: Expr) -> Int? {
        switch e {
        case .symbol(let s): return vectors[s]?.count
        case .indexedSum, .norm2, .normalDensity: return nil
        default:
            for c in e.children { if let d = dimension(of: c) { return d } }
            return nil
        }
    }

    func eval(_ e: Expr, _ env: inout Env) throws -> Double {
        switch e {
        case .number(let r): return r.doubleValue
        case .constant(.pi): return Double.pi
        case .constant(.e): return M_E
        case .symbol(let s):
            if let d = dims[s] { return Double(d) }
            if s == "I" { return 1 }
            if let v = vector(s, env) {
                guard (env.component ?? 0) < v.count else { throw Unsupported() }
                return v[env.component ?? 0]
            }
            if let x = scalars[s] { return x }
            throw Unsupported()
        case .component(let b, let i):
            guard let v = vector(b, env) else { throw Unsupported() }
            // An index no sum binds stands for one fixed component.
            let j = env.index[i] ?? Int(i.unicodeScalars.first!.value) % v.count
            guard j < v.count else { throw Unsupported() }
            return v[j]
        case .sum(let xs): return try xs.reduce(0) { $0 + (try eval($1, &env)) }
        case .product(let xs): return try xs.reduce(1) { $0 * (try eval($1, &env)) }
        case .power(let b, let x): return Foundation.pow(try eval(b, &env), try eval(x, &env))
        case .log(let x): return Foundation.log(try eval(x, &env))
        case .exp(let x): return Foundation.exp(try eval(x, &env))
        case .indexedSum(let i, _, let to, let body):
            let n = Int(try eval(to, &env))
            var total = 0.0
            let saved = env.index[i]
            for j in 0..<n { env.index[i] = j; total += try eval(body, &env) }
            env.index[i] = saved
            return total
        case .norm2(let v):
            return try componentwise([v], &env) { env in let x = try eval(v, &env); return x * x }
        case .normalDensity(let p, let m, let v):
            return try componentwise([p, m, v], &env, product: true) { env in
                let x = try eval(p, &env), mu = try eval(m, &env), s = try eval(v, &env)
                return Foundation.exp(-(x - mu) * (x - mu) / (2 * s)) / (2 * Double.pi * s).squareRoot()
            }
        case .expectation(.normalDensity(.symbol(let z), let m, let v), let body):
            return try gaussHermite(z, m, v, body, &env)
        case .apply(let name, _) where context.functionsOf[name] != nil || context.dimensions[name] != nil:
            return try eval(.symbol(name), &env)
        case .apply(let name, let args):
            if let d = context.definitions[name] {
                var map: [String: Expr] = [:]
                for (p, a) in zip(d.parameters, args) { map[p] = a }
                return try eval(d.body.substituting(map), &env)
            }
            guard let first = args.first else { throw Unsupported() }
            let x = try eval(first, &env)
            switch name {
            case "sigmoid": return 1 / (1 + Foundation.exp(-x))
            case "softplus": return Foundation.log(1 + Foundation.exp(x))
            case "abs": return abs(x)
            case "tr": return try componentwise(args, &env) { env in try eval(args[0], &env) }
            case "det": return try componentwise(args, &env, product: true) { env in try eval(args[0], &env) }
            default:
                // An uninterpreted function: any fixed smooth function will do.
                var acc = 0.0
                for (n, arg) in args.enumerated() { acc += Double(n + 1) * (try eval(arg, &env)) }
                return Foundation.sin(acc) + Double(name.count)
            }
        default: throw Unsupported()
        }
    }

    func componentwise(_ args: [Expr], _ env: inout Env, product: Bool = false,
                       _ f: (inout Env) throws -> Double) throws -> Double {
        guard let n = args.lazy.compactMap({ dimension(of: $0) }).first else { return try f(&env) }
        var acc = product ? 1.0 : 0.0
        let saved = env.component
        for j in 0..<n {
            env.component = j
            let x = try f(&env)
            acc = product ? acc * x : acc + x
        }
        env.component = saved
        return acc
    }

    /// Tensor-product 5-point Gauss–Hermite quadrature over the components of `z`.
    func gaussHermite(_ z: String, _ m: Expr, _ v: Expr, _ body: Expr, _ env: inout Env) throws -> Double {
        let nodes = [0, 1.3556261799742657, -1.3556261799742657, 2.8569700138728056, -2.8569700138728056]
        let weights = [8.0 / 15, 0.2220759220056126, 0.2220759220056126, 0.011257411327720691, 0.011257411327720691]
        let n = vectors[z]?.count ?? 1
        var means: [Double] = [], sds: [Double] = []
        let saved = env.component
        for j in 0..<n {
            env.component = j
            means.append(try eval(m, &env)); sds.append(try eval(v, &env).squareRoot())
        }
        env.component = saved
        var total = 0.0
        var idx = Array(repeating: 0, count: n)
        while true {
            var w = 1.0, point: [Double] = []
            for j in 0..<n { w *= weights[idx[j]]; point.append(means[j] + sds[j] * nodes[idx[j]]) }
            var inner = env
            inner.overrides[z] = point
            total += w * (try eval(body, &inner))
            var j = 0
            while j < n { idx[j] += 1; if idx[j] < 5 { break }; idx[j] = 0; j += 1 }
            if j == n { break }
        }
        return total
    }
}
