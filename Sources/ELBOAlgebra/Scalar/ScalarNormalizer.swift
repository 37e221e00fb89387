/// Why a scalar expression has no canonical form.
public enum ScalarNormalizationError: Error, CustomStringConvertible, Sendable {
    /// The expression is at the probability level (a density, an integral, a KL…).
    case notScalar(Expr)
    /// A construct the scalar algebra does not handle; the message says which.
    case unsupported(String)
    /// A term without a value (`0^(-1)`, `log(-1)`): a step containing it is not proved.
    case undefined(String)
    /// An exact computation beyond a stated limit (`2^(2^20)`); the message states the limit.
    case beyondLimit(String)

    public var description: String {
        switch self {
        case .notScalar(let e): return "not a scalar expression: \(e)"
        case .unsupported(let m): return "unsupported scalar expression: \(m)"
        case .undefined(let m): return m
        case .beyondLimit(let m): return m
        }
    }
}

/// Rewrites scalar-level expressions (no densities) into `ScalarForm`. The laws it uses are
/// recorded in the `RuleLog`:
///
/// | rule | law |
/// | --- | --- |
/// | `scalar-algebra` | distribute products, collect like terms, integer and Laurent powers |
/// | `log-exp` | `log(ab) = log a + log b` for a, b > 0, `log exp A = A`, `exp(n log P) = P^n`, `x^r = exp(r log x)` for x > 0 |
/// | `finite-sum` | `Σ_j` is linear; a j-free summand gives `D ·` it |
/// | `componentwise` | a vector inside `norm2`, `N(·)`, `tr`, `det` is read per component |
/// | `gaussian-log-density` | `log N(x; m, v) = Σ_j −½ log 2π − ½ log v_j − (x_j − m_j)²/(2 v_j)` |
/// | `gaussian-moments` | `E[x] = m`, `E[x²] = m² + s`, … for `x ~ N(m, s)` |
/// | `bernoulli-logits` | `σ(f) = 1/(1 + exp(−f))`, `softplus(f) = log(1 + exp f)` |
/// | `definition-expanded` | a `define`d shorthand replaced by its body |
public enum ScalarNormalizer {
    /// The canonical form of `e` in `context`.
    public static func normalize(_ e: Expr, context: ScalarContext, rules: inout RuleLog) throws -> ScalarForm {
        var walker = Walker(ctx: context, rules: rules)
        let f = try walker.form(e, .top)
        rules = walker.rules
        return f.reducingOneHot(context, rules: &rules)
    }

    /// The canonical form of `e`, discarding the rules used.
    public static func normalize(_ e: Expr, context: ScalarContext = ScalarContext()) throws -> ScalarForm {
        var rules = RuleLog()
        return try normalize(e, context: context, rules: &rules)
    }

    /// `base^r` for an integer r, expanded exactly, or an `unsupported` error that states the
    /// limit it would exceed (`2^(2^20)`, `x^(10^9)`) or why it is undefined (`0^(-1)`).
    static func exactPower(_ base: ScalarForm, _ r: Rational, written e: Expr) throws -> ScalarForm {
        if let c = base.constantValue {
            do { return ScalarForm(constant: try c.power(r)) } catch {
                switch error {
                case .divisionByZero: throw ScalarNormalizationError.undefined("\(e): \(error)")
                case .tooLarge: throw ScalarNormalizationError.beyondLimit("\(e): \(error)")
                }
            }
        }
        let largest = base.terms.keys.map(\.largestExponent).max() ?? 0
        guard let n = r.intValue, n.magnitude <= UInt(ScalarForm.maximumExponent),
              largest * Int(n.magnitude) <= ScalarForm.maximumExponent else {
            throw ScalarNormalizationError.beyondLimit("\(e): exponents of at most \(ScalarForm.maximumExponent) are expanded")
        }
        // The coefficients of a single term are raised exactly; check their size first.
        if let (_, c) = base.singleTerm, c.bitWidth * Int(n.magnitude) > Rational.maximumBits + c.bitWidth {
            throw ScalarNormalizationError.beyondLimit("\(e): exact numbers have at most \(Rational.maximumBits) bits")
        }
        return base.integerPower(n)
    }

    /// Which index a component refers to, and whether bare vectors are read per component.
    struct Env {
        var bound: String?
        var outer: Set<String>
        var componentwise: Bool
        static let top = Env(bound: nil, outer: [], componentwise: false)
    }

    struct Walker {
        let ctx: ScalarContext
        var rules: RuleLog
        var fresh = 0

        /// The canonical form of `e`; sums with reciprocals are put over common denominators.
        mutating func form(_ e: Expr, _ env: Env) throws -> ScalarForm {
            let f = try build(e, env)
            return f.hasReciprocals ? f.combiningReciprocals() : f
        }

        private mutating func build(_ e: Expr, _ env: Env) throws -> ScalarForm {
            switch e {
            case .number(let r):
                return ScalarForm(constant: r)
            case .constant(.pi):
                return .pi
            case .constant(.e):
                return ScalarForm.one.exponential()
            case .symbol(let s) where ctx.matrices.contains(s), .component(let s, _) where ctx.matrices.contains(s):
                throw ScalarNormalizationError.unsupported("the matrix \(s): matrix products do not commute and the scalar algebra has no matrix forms")
            case .apply("transpose", _):
                throw ScalarNormalizationError.unsupported("a transpose: the scalar algebra has no matrix forms")
            case .symbol(let s):
                if env.componentwise, ctx.dimensions[s] != nil {
                    return ScalarForm(term: ScalarTerm(factors: [.component(s): 1]))
                }
                return .symbol(s)
            case .component(let base, let index):
                if index == env.bound { return ScalarForm(term: ScalarTerm(factors: [.component(base): 1])) }
                if env.outer.contains(index) {
                    throw ScalarNormalizationError.unsupported("\(base)_\(index) refers to an outer sum inside a nested one")
                }
                return ScalarForm(term: ScalarTerm(factors: [.indexed(base, index: index): 1]))
            case .density, .integral, .kl, .entropy, .stepRef:
                throw ScalarNormalizationError.notScalar(e)
            case .expectation(let measure, let body):
                return try expectation(measure, body, env, whole: e)
            case .normalDensity(let p, let m, let v):
                return try logNormal(p, m, v, env).exponential()
            case .sum(let parts):
                var acc = ScalarForm.zero
                if parts.count > 1 { rules.use(.scalarAlgebra) }
                for (i, p) in parts.enumerated() { acc = acc + (try sub(i, p, env)) }
                return acc
            case .product(let parts):
                var acc = ScalarForm.one
                rules.use(.scalarAlgebra)
                for (i, p) in parts.enumerated() { acc = acc * (try sub(i, p, env)) }
                return acc
            case .power(let b, let x):
                let base = try sub(0, b, env), exponent = try sub(1, x, env)
                if let r = exponent.constantValue, r.isInteger {
                    rules.use(.scalarAlgebra)
                    return try ScalarNormalizer.exactPower(base, r, written: e)
                }
                if base.isZero, let r = exponent.constantValue, r <= .zero {
                    throw ScalarNormalizationError.undefined("\(e): 0 raised to the power \(r) is undefined")
                }
                rules.use(.logExp)
                return base.raised(to: exponent, context: ctx)
            case .log(let x):
                if case .normalDensity(let p, let m, let v) = x { return try logNormal(p, m, v, env) }
                rules.use(.logExp)
                let argument = try sub(0, x, env)
                if let c = argument.constantValue, c <= .zero {
                    // Undefined terms are refused, so that `log(-1) − log(-1)` is not proved 0.
                    throw ScalarNormalizationError.undefined("\(e): the logarithm of \(c) ≤ 0 is undefined")
                }
                return argument.logarithm(context: ctx)
            case .exp(let x):
                rules.use(.logExp)
                return try sub(0, x, env).exponential()
            case .indexedSum(let index, let from, let to, let body):
                guard (try? form(from, env))?.constantValue == .one else {
                    throw ScalarNormalizationError.unsupported("a sum must start at 1: \(e)")
                }
                let d = try dimension(to)
                var inner = Env(bound: index, outer: env.outer, componentwise: false)
                if let b = env.bound { inner.outer.insert(b) }
                rules.use(.finiteSum)
                return ScalarForm.sigma(d, try sub(2, body, inner))
            case .norm2(let v):
                if let d = try vectorDimension([v]) {
                    rules.use(.componentwise); rules.use(.finiteSum)
                    let b = try sub(0, v, fresh(env))
                    return ScalarForm.sigma(d, b * b)
                }
                let b = try sub(0, v, env)
                return b * b
            case .apply(let name, let args):
                return try apply(name, args, env)
            }
        }

        /// The form of child `i` of the current node (its position is recorded).
        mutating func sub(_ i: Int, _ e: Expr, _ env: Env) throws -> ScalarForm {
            rules.enter(String(i))
            defer { rules.leave() }
            return try form(e, env)
        }

        /// A new binder for reading vectors per component.
        mutating func fresh(_ env: Env) -> Env {
            fresh += 1
            var outer = env.outer
            if let b = env.bound { outer.insert(b) }
            return Env(bound: "#\(fresh)", outer: outer, componentwise: true)
        }

        func dimension(_ e: Expr) throws -> Dimension {
            switch e {
            case .symbol(let s): return .symbol(s)
            case .number(let r) where (r.intValue ?? 0) >= 1: return .value(r.intValue!)
            default: throw ScalarNormalizationError.unsupported("a sum's upper bound must be a dimension: \(e)")
            }
        }

        /// The dimension of the bare vector symbols of `exprs` (nil when there are none).
        func vectorDimension(_ exprs: [Expr]) throws -> Dimension? {
            var found: Dimension? = nil
            func visit(_ e: Expr) throws {
                var d: Dimension? = nil
                switch e {
                case .symbol(let s): d = ctx.dimensions[s]
                case .apply(let n, _) where ctx.dimensions[n] != nil: d = ctx.dimensions[n]
                case .indexedSum, .norm2, .normalDensity, .expectation: return
                default: for c in e.children { try visit(c) }
                }
                if let d {
                    if let f = found, f != d {
                        throw ScalarNormalizationError.unsupported("vectors of dimensions \(f) and \(d) mixed componentwise")
                    }
                    found = d
                }
            }
            for e in exprs { try visit(e) }
            return found
        }

        // MARK: - Gaussians

        /// `log N(p; m, v)` for a diagonal Gaussian, summed over components when the arguments
        /// are vectors (a scalar variance broadcasts).
        mutating func logNormal(_ p: Expr, _ m: Expr, _ v: Expr, _ env: Env) throws -> ScalarForm {
            rules.use(.gaussianLogDensity)
            let variance = identityAsOne(v)
            if let d = try vectorDimension([p, m, variance]) {
                rules.use(.componentwise); rules.use(.finiteSum)
                let inner = fresh(env)
                let body = gaussianLogBody(try form(p, inner), try form(m, inner), try form(variance, inner))
                return ScalarForm.sigma(d, body)
            }
            return gaussianLogBody(try form(p, env), try form(m, env), try form(variance, env))
        }

        func gaussianLogBody(_ x: ScalarForm, _ m: ScalarForm, _ v: ScalarForm) -> ScalarForm {
            let half = Rational(-1, 2)
            let d = x - m
            return half * ScalarForm.logOfRational(Rational(2))
                + half * ScalarForm.pi.logarithm(context: ctx)
                + half * v.logarithm(context: ctx)
                + half * (d * d * ScalarForm.invert(v))
        }

        /// `I` as a variance is the identity: variance one per component.
        func identityAsOne(_ v: Expr) -> Expr {
            if case .symbol("I") = v, ctx.dimensions["I"] == nil, !ctx.variables.contains("I") { return .number(.one) }
            return v
        }

        mutating func expectation(_ measure: Expr, _ body: Expr, _ env: Env, whole: Expr) throws -> ScalarForm {
            guard case .normalDensity(.symbol(let v), let m, let s) = measure else {
                throw ScalarNormalizationError.notScalar(whole)
            }
            let f = try form(body, env)
            let mean = try form(m, env), variance = try form(identityAsOne(s), env)
            guard let r = ScalarNormalizer.gaussianExpectation(of: f, over: v, mean: mean, variance: variance,
                                                              context: ctx, rules: &rules) else {
                throw ScalarNormalizationError.unsupported("E over \(v) of a function that is not polynomial in \(v): \(f)")
            }
            return r
        }

        // MARK: - Named functions

        mutating func apply(_ name: String, _ args: [Expr], _ env: Env) throws -> ScalarForm {
            if let def = ctx.definitions[name], def.parameters.count == args.count {
                rules.use(.definitionExpanded, instantiation: name)
                var map: [String: Expr] = [:]
                for (p, a) in zip(def.parameters, args) { map[p] = a }
                rules.enter("define:\(name)")
                defer { rules.leave() }
                return try form(def.body.substituting(map), env)
            }
            let isFunctionSymbol = ctx.dimensions[name] != nil || ctx.functionsOf[name] != nil
            if isFunctionSymbol {
                // A network output written with its inputs, `mu_theta(z)`: the symbol itself;
                // its dependence is recorded in the context.
                return try form(.symbol(name), env)
            }
            if args.count == 1 {
                let a = args[0]
                switch name {
                case "sigmoid", "sigma", "logistic":
                    rules.use(.bernoulliLogits)
                    return ScalarForm.invert(ScalarForm.one + (-(try form(a, env))).exponential())
                case "softplus":
                    rules.use(.bernoulliLogits)
                    return (ScalarForm.one + (try form(a, env)).exponential()).logarithm(context: ctx)
                case "log1p":
                    rules.use(.logExp)
                    return (ScalarForm.one + (try form(a, env))).logarithm(context: ctx)
                case "expm1":
                    rules.use(.logExp)
                    return (try form(a, env)).exponential() - .one
                case "sqrt":
                    return try form(.power(a, .number(.half)), env)
                case "exp": return try form(.exp(a), env)
                case "log", "ln": return try form(.log(a), env)
                case "abs":
                    let f = try form(a, env)
                    if ctx.isPositive(f) { return f }
                    return ScalarForm(term: ScalarTerm(factors: [.opaque("abs", [f]): 1]))
                case "tr", "det":
                    if let d = try vectorDimension([a]) {
                        let body = try form(a, fresh(env))
                        rules.use(.componentwise); rules.use(.finiteSum)
                        if name == "tr" { return ScalarForm.sigma(d, body) }
                        if ctx.isPositive(body) {
                            rules.use(.logExp)
                            return ScalarForm.sigma(d, body.logarithm(context: ctx)).exponential()
                        }
                        return ScalarForm(term: ScalarTerm(factors: [.opaque("det", [try form(a, env)]): 1]))
                    }
                    return try form(a, env)
                case "inverse":
                    // The inverse of a diagonal matrix given by its diagonal.
                    return ScalarForm.invert(try form(a, env))
                default: break
                }
            }
            var forms: [ScalarForm] = []
            for a in args { forms.append(try form(a, env)) }
            return ScalarForm(term: ScalarTerm(factors: [.opaque(name, forms): 1]))
        }
    }
}
