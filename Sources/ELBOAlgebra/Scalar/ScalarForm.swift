/// A factor of a scalar monomial.
///
/// Binding is positional: a `component` atom is the component, at the canonical index, of a
/// vector symbol, bound by the nearest enclosing finite sum (a ranged `ScalarTerm` or a `sum`
/// atom). Inside an unranged term of a sum's body it refers to that sum's index.
public enum ScalarAtom: Hashable, Sendable {
    /// A scalar symbol, a dimension symbol, or a vector symbol read elementwise.
    case symbol(String)
    /// The component of a vector symbol at the index of the enclosing sum.
    case component(String)
    /// `x_j` where no sum binds `j`: a free per-component quantity.
    case indexed(String, index: String)
    /// `π`.
    case pi
    /// `log F`; F is kept in the canonical shape described in `ScalarForm+Functions.swift`.
    case log(ScalarForm)
    /// `exp A`. A monomial holds at most one, with exponent one; `exp(1)` is `e`.
    case exp(ScalarForm)
    /// `1 / S` for a sum S (a single term is inverted by negating exponents).
    case inverse(ScalarForm)
    /// `Σ_{#=1}^{D} body`, a closed finite sum used as a factor: only products of two or more
    /// sums are kept this way; a single sum is a ranged term.
    case sum(Dimension, ScalarForm)
    /// `base ^ exponent` when no law applies (base not known positive, non-integer exponent).
    case power(ScalarForm, ScalarForm)
    /// A function the algebra does not interpret (`abs`, `det` of a non-positive vector,
    /// an unknown function), applied to canonical arguments.
    case opaque(String, [ScalarForm])
}

/// `Σ_{#=1}^{range}` (when `range` is set) of a product of atoms with integer exponents.
public struct ScalarTerm: Hashable, Sendable {
    /// The dimension summed over, or nil for a plain monomial.
    public let range: Dimension?
    /// Atoms with non-zero exponents.
    public let factors: [ScalarAtom: Int]

    public init(range: Dimension? = nil, factors: [ScalarAtom: Int] = [:]) {
        self.range = range
        self.factors = factors.filter { $0.value != 0 }
    }

    /// The empty monomial, 1.
    public static let one = ScalarTerm()

    /// The largest magnitude of an exponent of this monomial's atoms (0 for 1).
    var largestExponent: Int { factors.values.map { Int($0.magnitude) }.max() ?? 0 }

    /// The exponential factor, if any.
    var expArgument: ScalarForm? {
        for (a, _) in factors { if case .exp(let arg) = a { return arg } }
        return nil
    }
}

/// A canonical scalar expression: a linear combination of `ScalarTerm`s with exact rational
/// coefficients. Within the supported fragment two expressions are equal iff their forms are
/// equal (`==`). Forms are built only by the operations of this folder, which keep them
/// canonical.
///
/// The fragment: Laurent polynomials in symbols, components, `π`, `log`, `exp` and other atoms;
/// finite sums over a dimension; `log`/`exp` laws under the positivity the context knows;
/// reciprocals of sums, with common factors cancelled by exact division. Outside it equal
/// expressions may get different forms (never the reverse): rational functions whose identity
/// needs a factorisation of a denominator (`1/(1−x) + 1/(1+x)` against `2/(1−x²)`), powers of
/// sums too large to expand (kept as a `power` atom), and sums nested inside a sum that
/// mention the outer index (rejected by the normalizer).
public struct ScalarForm: Hashable, Sendable {
    /// Terms with non-zero coefficients.
    public private(set) var terms: [ScalarTerm: Rational]

    /// A form from terms; zero coefficients are dropped. The terms must already be canonical.
    init(terms: [ScalarTerm: Rational]) { self.terms = terms.filter { !$0.value.isZero } }

    public static let zero = ScalarForm(terms: [:])
    public static let one = ScalarForm(constant: .one)

    /// A rational constant.
    public init(constant r: Rational) { self.terms = r.isZero ? [:] : [.one: r] }

    /// A single term with coefficient `c` (the term must be canonical).
    init(term: ScalarTerm, coefficient c: Rational = .one) { self.init(terms: [term: c]) }

    /// A scalar (or elementwise vector) symbol.
    public static func symbol(_ name: String) -> ScalarForm {
        ScalarForm(term: ScalarTerm(factors: [.symbol(name): 1]))
    }

    /// `π`.
    public static let pi = ScalarForm(term: ScalarTerm(factors: [.pi: 1]))

    public var isZero: Bool { terms.isEmpty }

    /// The value if the form is a rational constant.
    public var constantValue: Rational? {
        if terms.isEmpty { return .zero }
        if terms.count == 1, let (t, c) = terms.first, t == .one { return c }
        return nil
    }

    /// The single term and its coefficient, if the form has exactly one term.
    var singleTerm: (ScalarTerm, Rational)? {
        terms.count == 1 ? terms.first.map { ($0.key, $0.value) } : nil
    }

    /// Terms in a fixed printing order.
    public var sortedTerms: [(term: ScalarTerm, coefficient: Rational)] {
        terms.map { ($0.key, $0.value, $0.key.key) }.sorted { $0.2 < $1.2 }.map { ($0.0, $0.1) }
    }

    /// The dimension symbol or literal as a form.
    static func dimension(_ d: Dimension) -> ScalarForm {
        switch d {
        case .symbol(let s): return .symbol(s)
        case .value(let n): return ScalarForm(constant: Rational(n))
        }
    }
}

// MARK: - Printing (also the sort keys of canonical choices)

extension ScalarAtom: CustomStringConvertible {
    public var description: String {
        switch self {
        case .symbol(let s): return s
        case .component(let s): return "\(s)_#"
        case .indexed(let s, let i): return "\(s)_\(i)"
        case .pi: return "π"
        case .log(let f): return "log(\(f))"
        case .exp(let f): return f == .one ? "e" : "exp(\(f))"
        case .inverse(let f): return "1/(\(f))"
        case .sum(let d, let f): return "Σ_{#≤\(d)}[\(f)]"
        case .power(let b, let e): return "(\(b))^(\(e))"
        case .opaque(let n, let args): return "\(n)(\(args.map(\.description).joined(separator: ", ")))"
        }
    }

    /// Whether the atom refers to the index of the enclosing sum.
    var hasFreeComponents: Bool {
        switch self {
        case .component: return true
        case .symbol, .indexed, .pi, .sum: return false
        case .log(let f), .exp(let f), .inverse(let f): return f.hasFreeComponents
        case .power(let b, let e): return b.hasFreeComponents || e.hasFreeComponents
        case .opaque(_, let args): return args.contains { $0.hasFreeComponents }
        }
    }

    var isSum: Bool { if case .sum = self { return true }; return false }
    var isExp: Bool { if case .exp = self { return true }; return false }
}

extension ScalarTerm {
    /// The printed monomial (with its range): the key that orders terms.
    public var key: String {
        let atoms = factors.map { a, n in n == 1 ? a.description : "\(a)^\(n)" }.sorted().joined(separator: "·")
        let body = atoms.isEmpty ? "1" : atoms
        return range.map { "Σ_{#≤\($0)}[\(body)]" } ?? body
    }

    /// Whether an unranged term mentions the index of an enclosing sum.
    var hasFreeComponents: Bool {
        range == nil && factors.keys.contains { $0.hasFreeComponents }
    }
}

extension ScalarForm: CustomStringConvertible {
    public var description: String {
        if terms.isEmpty { return "0" }
        var out = ""
        for (i, (t, c)) in sortedTerms.enumerated() {
            let negative = c < .zero
            let mag = negative ? -c : c
            let body: String
            if t == .one { body = "\(mag)" } else if mag == .one { body = t.key } else { body = "\(mag)·\(t.key)" }
            if i == 0 { out += negative ? "-" + body : body } else { out += negative ? " - " + body : " + " + body }
        }
        return out
    }

    /// Whether an unranged term mentions the index of an enclosing sum.
    var hasFreeComponents: Bool { terms.keys.contains { $0.hasFreeComponents } }

    /// Whether a term holds the reciprocal of a sum.
    var hasReciprocals: Bool {
        terms.keys.contains { $0.factors.keys.contains { if case .inverse = $0 { return true }; return false } }
    }
}
