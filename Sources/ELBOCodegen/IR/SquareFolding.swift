import ELBOAlgebra

/// The square-of-difference safe form: the normaliser expands ‖x − x̂‖² into
/// Σ x² − 2 Σ x·x̂ + Σ x̂², three sums that nearly cancel when the reconstruction is good
/// (in Float, an error of a few ulp of Σ x², scaled by 1/γ², in a loss that is the small
/// difference). Folded back, the kernel computes Σ (x − x̂)² and its gradient from x − x̂.
extension SafeForms {
    /// One term of a sum as coefficient × factors, over an optional index range.
    struct ScaledTerm: Equatable {
        var coefficient: Rational
        var range: IndexRange?
        var factors: [Expr]

        struct IndexRange: Equatable {
            var index: String
            var from: Expr
            var to: Expr
        }

        init(coefficient: Rational, range: IndexRange?, factors: [Expr]) {
            (self.coefficient, self.range, self.factors) = (coefficient, range, factors)
        }

        /// `c · F₁ · … · Σ_i (c' · G₁ · …)` (at most one indexed sum among the factors).
        init(_ e: Expr) {
            var coefficient = Rational.one
            var range: IndexRange?
            var factors: [Expr] = []
            func split(_ e: Expr, inSum: Bool) {
                switch e {
                case .number(let r): coefficient = coefficient * r
                case .product(let fs): for f in fs { split(f, inSum: inSum) }
                case .indexedSum(let i, let from, let to, let body) where !inSum && range == nil:
                    range = IndexRange(index: i, from: from, to: to)
                    split(body, inSum: true)
                default: factors.append(e)
                }
            }
            split(e, inSum: false)
            (self.coefficient, self.range, self.factors) = (coefficient, range, factors)
        }

        var expr: Expr {
            let body = Expr.mul([.number(coefficient)] + factors)
            guard let r = range else { return body }
            return .indexedSum(index: r.index, from: r.from, to: r.to, body: body)
        }

        /// The factors without one copy of each of `f`, or nil when one is not among them.
        func factors(removing f: [Expr]) -> [Expr]? { SafeForms.removing(f, from: factors) }

        /// `(a, rest)` for each factor `a²` of the term.
        var squares: [(Expr, [Expr])] {
            factors.indices.compactMap { i in
                guard case .power(let a, .number(let two)) = factors[i], two == Rational(2) else { return nil }
                var rest = factors
                rest.remove(at: i)
                return (a, rest)
            }
        }
    }

    /// c·r·a² + c·r·b² − 2c·r·a·b (each possibly an indexed sum over the same range, the
    /// factors r shared) folded into c·r·(a − b)², or nil when the sum has no such triple.
    static func foldSquare(_ terms: [Expr]) -> Expr? {
        let scaled = terms.map(ScaledTerm.init)
        for i in scaled.indices {
            for (a, rest) in scaled[i].squares {
                for j in scaled.indices where j != i && scaled[j].range == scaled[i].range
                    && scaled[j].coefficient == scaled[i].coefficient {
                    for (b, restB) in scaled[j].squares where b != a && sameFactors(rest, restB) {
                        guard let k = scaled.indices.first(where: { k in
                            k != i && k != j && scaled[k].range == scaled[i].range
                                && scaled[k].coefficient == Rational(-2) * scaled[i].coefficient
                                && scaled[k].factors(removing: [a, b]).map { sameFactors($0, rest) } == true
                        }) else { continue }
                        let folded = ScaledTerm(coefficient: scaled[i].coefficient, range: scaled[i].range,
                                                factors: rest + [.power(.subtract(a, b), .number(Rational(2)))])
                        let others = terms.indices.filter { ![i, j, k].contains($0) }.map { terms[$0] }
                        return .add(others + [folded.expr])
                    }
                }
            }
        }
        return nil
    }

    /// Whether two factor lists are equal as multisets.
    static func sameFactors(_ a: [Expr], _ b: [Expr]) -> Bool {
        a.count == b.count && removing(a, from: b) != nil
    }

    /// `list` without one copy of each of `xs` (a multiset difference), or nil when one of
    /// them is missing.
    static func removing(_ xs: [Expr], from list: [Expr]) -> [Expr]? {
        var rest = list
        for x in xs {
            guard let i = rest.firstIndex(of: x) else { return nil }
            rest.remove(at: i)
        }
        return rest
    }
}
