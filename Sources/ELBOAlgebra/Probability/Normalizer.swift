/// Why an expression has no canonical form.
public struct NormalizationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Rewrites probability-level expressions into `NormalForm`: densities into products of
/// component atoms (chain rule, Bayes, factorisation, marginalisation), logs of products
/// into sums, expectations, KL and entropy into integrals, then integrates out every variable
/// that only a normalised density mentions.
public struct Normalizer {
    public internal(set) var context: ProbabilityContext
    /// Rules used so far.
    public var rules = RuleLog()
    /// Facts for the scalar layer (dimensions, positivity, dependencies of network outputs).
    public var scalarContext: ScalarContext
    /// Whether log-densities with a declared family are expanded into scalar forms and
    /// Gaussian expectations taken by moments (the second pass of a proof).
    public var expandFamilies = false
    /// Families of synthetic factors made for `N(v; m, V)` written over a declared variable.
    var syntheticFamilies: [FactorID: FamilyKind] = [:]
    let declaredVariables: Set<String>
    /// Set when `canonicalize` ran out of its budget: the forms built since are not canonical
    /// and a proof must not compare them (the prover then answers `unsupported`).
    public private(set) var budgetExhausted = false
    /// Scalar terms that are undefined or beyond an exact limit, met while normalising.
    public internal(set) var refusals: [ScalarNormalizationError] = []
    /// The most monomials one `canonicalize` call processes (Gaussian moments can multiply them).
    public static let monomialBudget = 10_000
    /// The largest integer power of a density that is expanded (`p(x)^64`).
    public static let maximumDensityPower = 64
    /// The largest exponent of a density atom a product may build (nested powers multiply).
    public static let maximumDensityExponent = 1 << 20

    /// `a + b` for exponents of density atoms, within `maximumDensityExponent`.
    static func exponentSum(_ a: Int, _ b: Int) throws -> Int {
        let s = a + b // both are within ±2^20, so this cannot overflow
        guard s.magnitude <= UInt(maximumDensityExponent) else {
            throw NormalizationError("a density's power exceeds the limit of \(maximumDensityExponent)")
        }
        return s
    }

    public init(context: ProbabilityContext) {
        self.context = context
        self.declaredVariables = Set(context.declarations.variables.map(\.name))
        var sc = ScalarContext(declarations: context.declarations)
        // A family parameter that no network produces depends on its density's conditioning
        // variables (mu_theta in p(x | z) = Normal(mu_theta, …) is a function of z).
        let produced = Set(context.declarations.networks.flatMap(\.outputs))
        let familyParameters = context.declarations.familyParameters
        for fam in context.declarations.families {
            for e in fam.kind.expressions {
                for s in e.symbols where familyParameters.contains(s) && !produced.contains(s) {
                    sc.functionsOf[s, default: []].formUnion(fam.density.given)
                }
            }
        }
        self.scalarContext = sc
    }

    // MARK: - Entry

    /// The canonical form of `e`.
    public mutating func normalize(_ e: Expr) throws -> NormalForm {
        let raw = try build(expandDefinitions(e))
        return canonicalize(raw)
    }

    /// Expands `define`d shorthands (reports show both forms), outermost first and not inside
    /// an expansion; each expansion is recorded at its position with the definition's name.
    public mutating func expandDefinitions(_ e: Expr) -> Expr {
        let defs = context.declarations.definitions
        guard !defs.isEmpty else { return e }
        return expanding(e, defs)
    }

    private mutating func expanding(_ e: Expr, _ defs: [Definition]) -> Expr {
        if case .apply(let name, let args) = e, let d = defs.first(where: { $0.name == name }) {
            if let body = d.instantiated(with: args) {
                rules.use(.definitionExpanded, instantiation: name)
                return body
            }
        }
        let kids = e.children
        if kids.isEmpty { return e }
        var out: [Expr] = []
        for (i, k) in kids.enumerated() { out.append(expandingChild(k, i, defs)) }
        return e.withChildren(out)
    }

    private mutating func expandingChild(_ e: Expr, _ i: Int, _ defs: [Definition]) -> Expr {
        rules.enter(String(i))
        defer { rules.leave() }
        return expanding(e, defs)
    }

    // MARK: - Building

    private mutating func scalar(_ e: Expr) -> NormalForm {
        if case .number(let r) = e { return .constant(r) }
        return scalarForm(e)
    }

    private mutating func build(_ e: Expr) throws -> NormalForm {
        if !isProbabilityLevel(e) { return scalar(e) }
        switch e {
        case .normalDensity(.symbol(let v), let mean, let variance) where declaredVariables.contains(v):
            return gaussianDensity(point: v, mean: mean, variance: variance)
        case .number, .constant, .symbol, .component, .normalDensity, .stepRef:
            return scalar(e)
        case .density(let d):
            return NormalForm([Monomial(measure: context.conditional(d, rules: &rules)): .one])
        case .sum(let parts):
            rules.use(.linearity)
            var acc = NormalForm.zero
            for (i, p) in parts.enumerated() { acc = acc + (try child(i) { try $0.build(p) }) }
            return acc
        case .product(let parts):
            var acc = NormalForm.constant(.one)
            // Canonicalise each factor first: integrating out a dummy variable removes the
            // clash of `p(b | a) ∫ p(a, b) db`, where b is free on the left and bound on the right.
            for (i, p) in parts.enumerated() {
                let f = try child(i) { try $0.build(p) }
                acc = try multiply(acc, canonicalize(f))
            }
            return acc
        case .power(let base, let exponent):
            guard case .number(let r) = exponent, r.isInteger else {
                throw NormalizationError("a non-integer power of a density is not supported: \(e)")
            }
            // A density's power is expanded by repeated products: keep the exponent small.
            guard let n = r.intValue, n.magnitude <= UInt(Normalizer.maximumDensityPower) else {
                throw NormalizationError("the power \(r) of a density is beyond the limit of \(Normalizer.maximumDensityPower): \(e)")
            }
            let b = canonicalize(try child(0) { try $0.build(base) })
            if n >= 0 {
                var acc = NormalForm.constant(.one)
                for _ in 0..<n { acc = try multiply(acc, b) }
                return acc
            }
            guard b.terms.count == 1, let (m, c) = b.terms.first, m.logs.isEmpty, m.bound.isEmpty else {
                throw NormalizationError("cannot divide by a sum or an integral: \(base)")
            }
            var measure: [ComponentAtom: Int] = [:]
            for (a, k) in m.measure {
                // |k| ≤ 2^20 and |n| ≤ 64: the product fits; the result is checked against the limit.
                measure[a] = try Normalizer.exponentSum(k * n, 0)
            }
            let coef: Rational
            do { coef = try c.power(r) } catch { throw NormalizationError("\(error): \(e)") }
            return NormalForm([Monomial(measure: measure): coef])
        case .log(let inner):
            return try logarithm(inner)
        case .exp(let inner):
            let n = canonicalize(try child(0) { try $0.build(inner) })
            // exp(Σ e_i log a_i) = Π a_i^{e_i}
            var measure: [ComponentAtom: Int] = [:]
            for (m, c) in n.terms {
                guard m.bound.isEmpty, m.measure.isEmpty, m.logs.count == 1, case .density(let a) = m.logs[0],
                      let k = c.intValue, k.magnitude <= UInt(Normalizer.maximumDensityPower) else {
                    return NormalForm([Monomial(logs: [.opaque(key: "exp(\(key(n)))", free: free(n).sorted())]): .one])
                }
                measure[a] = try Normalizer.exponentSum(measure[a] ?? 0, k)
            }
            return NormalForm([Monomial(measure: measure): .one])
        case .integral(let body, let vars):
            let b = try child(0) { try $0.build(body) }
            return try integrate(b, over: vars)
        case .expectation(let measure, let body):
            if let (d, b) = reparameterised(measure: measure, body: body) {
                // The rewritten measure and body are derived terms, not nodes of the step.
                rules.use(.expectationDefinition)
                rules.enter("derived")
                defer { rules.leave() }
                let m = try build(.density(d)), bn = try build(b)
                return try integrate(try multiply(m, bn), over: d.variables)
            }
            rules.use(.expectationDefinition)
            let vars = try leftVariables(of: measure)
            let m = try child(0) { try $0.build(measure) }
            let b = try child(1) { try $0.build(body) }
            return try integrate(try multiply(m, b), over: vars)
        case .kl(let p, let q):
            rules.use(.klDefinition)
            let vp = try leftVariables(of: p), vq = try leftVariables(of: q)
            guard Set(vp) == Set(vq) else {
                throw NormalizationError("KL between densities over different variables: \(vp) vs \(vq)")
            }
            let pf = try child(0) { try $0.build(p) }
            let logP = try child(0) { try $0.logarithm(p, wrapped: true) }
            let logQ = try child(1) { try $0.logarithm(q, wrapped: true) }
            return try integrate(try multiply(pf, logP - logQ), over: vp)
        case .entropy(let p):
            rules.use(.entropyDefinition)
            let vp = try leftVariables(of: p)
            let pf = try child(0) { try $0.build(p) }
            let logP = try child(0) { try $0.logarithm(p, wrapped: true) }
            return -(try integrate(try multiply(pf, logP), over: vp))
        case .indexedSum, .norm2, .apply:
            throw NormalizationError("a finite sum, norm or function applied to densities is not supported: \(e)")
        }
    }

    /// Whether `e` mentions densities, integrals, expectations, KL, entropy, or a Gaussian
    /// `N(v; m, V)` over a declared variable (which is a density of v).
    func isProbabilityLevel(_ e: Expr) -> Bool {
        if e.containsProbability { return true }
        return e.allSubexpressions.contains {
            if case .normalDensity(.symbol(let v), _, _) = $0 { return declaredVariables.contains(v) }
            return false
        }
    }

    /// The variables a measure (a density or product of densities) integrates.
    public func leftVariables(of measure: Expr) throws -> [String] {
        switch measure {
        case .density(let d): return d.variables
        case .normalDensity(.symbol(let v), _, _): return [v]
        case .product(let parts):
            var out: [String] = []
            for p in parts {
                if case .number = p { continue }
                for v in try leftVariables(of: p) where !out.contains(v) { out.append(v) }
            }
            return out
        case .power(let b, .number(let r)) where r == .one: return try leftVariables(of: b)
        default:
            throw NormalizationError("not a density or a product of densities: \(measure)")
        }
    }

    private mutating func integrate(_ n: NormalForm, over vars: [String]) throws -> NormalForm {
        var out: [Monomial: Rational] = [:]
        for (m, c) in n.terms {
            if !Set(m.bound).isDisjoint(with: vars) {
                throw NormalizationError("variable integrated twice: \(Set(m.bound).intersection(vars).sorted())")
            }
            if !m.bound.isEmpty { rules.use(.fubini) }
            let nm = Monomial(measure: m.measure, logs: m.logs, bound: m.bound + vars)
            out[nm, default: .zero] = out[nm, default: .zero] + c
        }
        return NormalForm(out)
    }

    mutating func multiply(_ a: NormalForm, _ b: NormalForm) throws -> NormalForm {
        var out: [Monomial: Rational] = [:]
        for (ma, ca) in a.terms {
            for (mb, cb) in b.terms {
                if !Set(ma.bound).isDisjoint(with: freeVariables(mb).union(mb.bound))
                    || !Set(mb.bound).isDisjoint(with: freeVariables(ma)) {
                    throw NormalizationError("an integration variable is also used outside its integral")
                }
                var measure = ma.measure
                for (atom, k) in mb.measure { measure[atom] = try Normalizer.exponentSum(measure[atom] ?? 0, k) }
                let m = Monomial(measure: measure, logs: ma.logs + mb.logs, bound: ma.bound + mb.bound)
                for (mm, cc) in mergeScalars(m, ca * cb) { out[mm, default: .zero] = out[mm, default: .zero] + cc }
            }
        }
        return NormalForm(out)
    }

    /// Runs `body` at child `i` of the current position.
    mutating func child<T>(_ i: Int, _ body: (inout Normalizer) throws -> T) rethrows -> T {
        rules.enter(String(i))
        defer { rules.leave() }
        return try body(&self)
    }

    /// `log inner`; `wrapped` when `inner` is the current node itself (KL and entropy take
    /// the log of their argument), otherwise it is child 0 of a `log` node.
    private mutating func logarithm(_ inner: Expr, wrapped: Bool = false) throws -> NormalForm {
        if let (d, bindings) = inner.densityAtPoint { return try logDensityAtPoint(d, bindings) }
        let n = canonicalize(try wrapped ? build(inner) : child(0) { try $0.build(inner) })
        if n.terms.count == 1, let (m, c) = n.terms.first, m.bound.isEmpty, c > .zero,
           m.logs.allSatisfy({ if case .scalar = $0 { return true } else { return false } }),
           !m.measure.isEmpty {
            if m.measure.count > 1 || m.measure.values.contains(where: { $0 != 1 }) || c != .one || !m.logs.isEmpty {
                // Under a KL or an entropy the log is the one their definition introduces.
                if wrapped { rules.at("log") { $0.use(.logProduct) } } else { rules.use(.logProduct) }
            }
            var out = NormalForm.zero
            for (atom, k) in m.measure {
                out = out + NormalForm([Monomial(logs: [.density(atom)]): Rational(k)])
            }
            // The logs of the constant and scalar factors are derived terms.
            rules.enter("derived")
            if c != .one { out = out + scalar(.log(.number(c))) }
            for l in m.logs { if case .scalar(_, let e, _) = l { out = out + scalar(.log(e)) } }
            rules.leave()
            return expandingFamilies(out)
        }
        if !inner.containsProbability { return scalar(.log(inner)) }
        return NormalForm([Monomial(logs: [.opaque(key: "log(\(key(n)))", free: free(n).sorted())]): .one])
    }

    // MARK: - Canonicalisation

    /// Free variables of a monomial.
    public func freeVariables(_ m: Monomial) -> Set<String> {
        var vars = Set<String>()
        for a in m.measure.keys { vars.formUnion(context.freeVariables(of: a)) }
        for l in m.logs { vars.formUnion(free(l)) }
        return vars.subtracting(m.bound)
    }

    func free(_ l: LogAtom) -> Set<String> {
        switch l {
        case .density(let a): return context.freeVariables(of: a)
        case .scalar(_, _, let f), .opaque(_, let f): return Set(f)
        }
    }

    func free(_ n: NormalForm) -> Set<String> {
        n.terms.keys.reduce(into: Set<String>()) { $0.formUnion(freeVariables($1)) }
    }

    /// A printable canonical key of a normal form.
    public func key(_ n: NormalForm) -> String {
        n.sortedTerms.map { "\($0.1)·\($0.0.sortKey)" }.joined(separator: " + ")
    }

    /// Integrates out every bound variable that no log atom mentions and whose densities
    /// form a normalised product, and merges equal monomials.
    public mutating func canonicalize(_ n: NormalForm) -> NormalForm {
        var out: [Monomial: Rational] = [:]
        var pending = n.terms.map { ($0.key, $0.value) }
        var budget = Normalizer.monomialBudget
        while !pending.isEmpty {
            guard budget > 0 else {
                // Never drop the pending terms: the step ends as unsupported instead.
                budgetExhausted = true
                for (m, c) in pending { out[m, default: .zero] = out[m, default: .zero] + c }
                break
            }
            let (m, c) = pending.removeLast()
            budget -= 1
            let cm = canonicalize(m)
            if let expanded = gaussianMoments(cm, c) {
                pending += expanded.terms.map { ($0.key, $0.value) }
                continue
            }
            out[cm, default: .zero] = out[cm, default: .zero] + c
        }
        return NormalForm(out)
    }

    /// Canonicalises one monomial by variable elimination.
    public mutating func canonicalize(_ m: Monomial) -> Monomial {
        var measure = m.measure.filter { $0.value != 0 }
        var bound = Set(m.bound)
        var logFree = Set<String>()
        for l in m.logs { logFree.formUnion(free(l)) }
        var changed = true
        while changed {
            changed = false
            for v in bound.sorted() where !logFree.contains(v) {
                let touching = measure.filter { context.freeVariables(of: $0.key).contains(v) }
                guard !touching.isEmpty, touching.values.allSatisfy({ $0 == 1 }) else { continue }
                var fs: [FactorID] = []
                var marg: Set<String> = [v]
                for a in touching.keys { fs += a.factors; marg.formUnion(a.marginalized) }
                guard let merged = context.normalize(factors: fs, marginalized: marg, rules: &rules) else { continue }
                for a in touching.keys { measure[a] = nil }
                for a in merged { measure[a, default: 0] += 1 }
                measure = measure.filter { $0.value != 0 }
                bound.remove(v)
                rules.use(.marginalisation)
                changed = true
                break
            }
        }
        return Monomial(measure: measure, logs: m.logs, bound: Array(bound))
    }
}
