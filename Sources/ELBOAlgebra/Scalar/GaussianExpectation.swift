/// `E_{v ~ N(mean, diag(variance))}[form]` when `form` is polynomial in the components of v
/// (terms that do not mention v are unchanged: the measure is normalised). Returns nil when v
/// occurs non-polynomially (inside log, exp, a reciprocal, an opaque function, a product of
/// sums, or a symbol that is a function of v); the caller then keeps the expectation.
public func gaussianExpectation(of form: ScalarForm, over variable: String, mean: ScalarForm,
                                variance: ScalarForm, context: ScalarContext) -> ScalarForm? {
    var rules = RuleLog()
    return ScalarNormalizer.gaussianExpectation(of: form, over: variable, mean: mean, variance: variance,
                                                context: context, rules: &rules)
}

extension ScalarNormalizer {
    /// `gaussianExpectation(of:over:mean:variance:context:)`, recording `gaussian-moments`.
    /// `mean` and `variance` are elementwise forms (bare vector symbols), as normalising
    /// `mu` or `exp(s)` gives.
    public static func gaussianExpectation(of form: ScalarForm, over v: String, mean: ScalarForm,
                                           variance: ScalarForm, context ctx: ScalarContext,
                                           rules: inout RuleLog) -> ScalarForm? {
        let depends: (String) -> Bool = { s in s == v || ctx.dependencies(of: s).contains(v) }
        guard !mean.mentions(depends), !variance.mentions(depends) else { return nil }
        let meanC = mean.componentwise(ctx), varianceC = variance.componentwise(ctx)
        var out = ScalarForm.zero
        var used = false
        for (t, c) in form.terms {
            var degree = 0, asComponent = false, asSymbol = false
            var rest: [ScalarAtom: Int] = [:]
            for (a, k) in t.factors {
                switch a {
                case .component(v): degree = k; asComponent = true
                case .symbol(v): degree = k; asSymbol = true
                default:
                    if a.mentions(depends) { return nil }
                    rest[a] = k
                }
            }
            if degree == 0 { out = out + ScalarForm(term: t, coefficient: c); continue }
            guard degree > 0, !(asComponent && asSymbol) else { return nil }
            used = true
            let restForm = ScalarForm.canonical(range: nil, factors: rest)
            if let d = t.range {
                guard asComponent else { return nil }
                if let vd = ctx.dimensions[v], vd != d { return nil }
                out = out + c * ScalarForm.sigma(d, restForm * gaussianMoment(degree, mean: meanC, variance: varianceC))
            } else if asComponent {
                out = out + c * restForm * gaussianMoment(degree, mean: meanC, variance: varianceC)
            } else {
                out = out + c * restForm * gaussianMoment(degree, mean: mean, variance: variance)
            }
        }
        if used { rules.use(.gaussianMoments) }
        return out
    }

    /// `E[x^n]` for `x ~ N(m, s)`: `Σ_{k even} C(n, k) m^{n−k} s^{k/2} (k − 1)!!`.
    public static func gaussianMoment(_ n: Int, mean m: ScalarForm, variance s: ScalarForm) -> ScalarForm {
        var out = ScalarForm.zero
        var binomial = 1
        var doubleFactorial = 1 // (k − 1)!! for the current even k
        for k in 0...n {
            if k > 0 { binomial = binomial * (n - k + 1) / k }
            if k % 2 == 0 {
                if k >= 2 { doubleFactorial *= (k - 1) }
                out = out + Rational(binomial * doubleFactorial) * (m.power(n - k) * s.power(k / 2))
            }
        }
        return out
    }
}

extension ScalarAtom {
    /// Whether the atom mentions a symbol satisfying `p` (symbols, components, function names).
    func mentions(_ p: (String) -> Bool) -> Bool {
        switch self {
        case .symbol(let s), .component(let s), .indexed(let s, _): return p(s)
        case .pi: return false
        case .log(let f), .exp(let f), .inverse(let f), .sum(_, let f): return f.mentions(p)
        case .power(let b, let e): return b.mentions(p) || e.mentions(p)
        case .opaque(let n, let args): return p(n) || args.contains { $0.mentions(p) }
        }
    }
}

extension ScalarForm {
    /// Whether the form mentions a symbol satisfying `p`.
    func mentions(_ p: (String) -> Bool) -> Bool {
        terms.keys.contains { t in t.factors.keys.contains { $0.mentions(p) } }
    }

    /// Reads an elementwise form per component: bare vector symbols (outside sums) become
    /// components of the enclosing index.
    func componentwise(_ ctx: ScalarContext) -> ScalarForm {
        mapUnrangedAtoms { a in
            if case .symbol(let s) = a, ctx.dimensions[s] != nil { return .component(s) }
            return nil
        }
    }

    /// Rebuilds the form with `f` applied to the atoms of unranged terms (recursively inside
    /// log, exp, reciprocals, powers and opaque arguments; not inside sums, which bind their
    /// own index).
    func mapUnrangedAtoms(_ f: (ScalarAtom) -> ScalarAtom?) -> ScalarForm {
        var out = ScalarForm.zero
        for (t, c) in terms {
            if t.range != nil { out = out + ScalarForm(term: t, coefficient: c); continue }
            var factors: [ScalarAtom: Int] = [:]
            for (a, n) in t.factors {
                let mapped: ScalarAtom
                if let r = f(a) { mapped = r } else {
                    switch a {
                    case .log(let x): mapped = .log(x.mapUnrangedAtoms(f))
                    case .exp(let x): mapped = .exp(x.mapUnrangedAtoms(f))
                    case .inverse(let x): mapped = .inverse(x.mapUnrangedAtoms(f))
                    case .power(let b, let e): mapped = .power(b.mapUnrangedAtoms(f), e.mapUnrangedAtoms(f))
                    case .opaque(let name, let args): mapped = .opaque(name, args.map { $0.mapUnrangedAtoms(f) })
                    default: mapped = a
                    }
                }
                factors[mapped] = (factors[mapped] ?? 0) + n
            }
            out = out + c * ScalarForm.canonical(range: nil, factors: factors)
        }
        return out
    }
}
