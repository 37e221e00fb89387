import ELBOAlgebra
import ELBOSpec

/// The soundness corpus: from a step that holds, steps that should not (one careless change each)
/// and steps that must (the same value, written another way).
///
/// The changes are the mistakes derivations make: a coefficient or an exponent changed, a sign
/// flipped, a term dropped, the arguments of a KL swapped, the two sides of a conditional swapped,
/// ≥ and ≤ exchanged. Whether a change actually changes the value is not assumed here; the test
/// decides it by evaluating both sides at random instances with a witness seeded apart from the
/// checker's. The rewrites keep the value by construction: terms and factors commuted, regrouped,
/// and the log of a product of densities or exponentials split into a sum of logs.
struct SoundnessCorpus {
    /// One generated step: the changed right-hand side and relation, and what was done.
    struct Candidate {
        enum Kind: String, CaseIterable {
            // Unsound candidates.
            case coefficient = "change a coefficient", sign = "flip a sign", dropTerm = "drop a term"
            case swapKL = "swap p and q in a KL", flipRelation = "flip ≥/≤", swapConditional = "swap a conditional's sides"
            case exponent = "change an exponent"
            // Value-preserving rewrites.
            case commute, regroup, expandLog = "expand a log of a product"

            /// Whether the rewrite keeps the value by construction.
            var preservesValue: Bool { self == .commute || self == .regroup || self == .expandLog }
        }
        var kind: Kind
        var relation: Relation
        var expr: Expr
        /// Where in the step and how, for messages.
        var detail: String
    }

    let declarations: Declarations

    /// Every candidate for the step `relation expr`.
    func candidates(relation: Relation, expr: Expr) -> [Candidate] {
        var out: [Candidate] = []
        if let flipped = Self.flipped(relation) {
            out.append(Candidate(kind: .flipRelation, relation: flipped, expr: expr, detail: "\(relation.rawValue) → \(flipped.rawValue)"))
        }
        visit(expr, path: []) { node, path in
            for (kind, detail, replacement) in local(node) {
                out.append(Candidate(kind: kind, relation: relation, expr: expr.replacing(at: path, with: replacement), detail: detail))
            }
        }
        return out
    }

    static func flipped(_ r: Relation) -> Relation? {
        switch r {
        case .greaterOrEqual: return .lessOrEqual
        case .lessOrEqual: return .greaterOrEqual
        case .equal, .approximately, .equalUpToConstant, .proportional: return nil
        }
    }

    private func visit(_ e: Expr, path: [Int], _ f: (Expr, [Int]) -> Void) {
        f(e, path)
        for (i, c) in e.children.enumerated() { visit(c, path: path + [i], f) }
    }

    /// The changes and rewrites of one node (built from the raw cases, so that a regrouping is
    /// not flattened back before the checker sees it).
    private func local(_ node: Expr) -> [(Candidate.Kind, String, Expr)] {
        var out: [(Candidate.Kind, String, Expr)] = []
        switch node {
        case .sum(let terms):
            for i in terms.indices {
                var flipped = terms; flipped[i] = .product([.number(Rational(-1)), terms[i]])
                out.append((.sign, "negate term \(i + 1) of \(terms.count)", .sum(flipped)))
                var dropped = terms; dropped.remove(at: i)
                out.append((.dropTerm, "drop term \(i + 1) of \(terms.count)", dropped.count == 1 ? dropped[0] : .sum(dropped)))
                if case .number = terms[i] {
                    var changed = terms; changed[i] = .sum([terms[i], .number(Rational(1))])
                    out.append((.coefficient, "add 1 to the constant term \(i + 1)", .sum(changed)))
                }
            }
            if terms.count >= 2 {
                out.append((.commute, "reverse the \(terms.count) terms", .sum(terms.reversed())))
            }
            if terms.count >= 3 {
                out.append((.regroup, "group the first two terms", .sum([.sum(Array(terms.prefix(2)))] + terms.dropFirst(2))))
            }
        case .product(let factors):
            if let i = factors.firstIndex(where: { if case .number = $0 { return true } else { return false } }) {
                var changed = factors; changed[i] = .sum([factors[i], .number(Rational(1))])
                out.append((.coefficient, "add 1 to the coefficient \(factors[i])", .product(changed)))
            } else {
                out.append((.coefficient, "double the product", .product([.number(Rational(2))] + factors)))
            }
            if factors.count >= 2, !containsMatrixAlgebra(node) {
                out.append((.commute, "reverse the \(factors.count) factors", .product(factors.reversed())))
            }
            if factors.count >= 3, !containsMatrixAlgebra(node) {
                out.append((.regroup, "group the first two factors", .product([.product(Array(factors.prefix(2)))] + factors.dropFirst(2))))
            }
        case .power(let base, let exponent):
            if case .number = exponent {
                out.append((.exponent, "raise the exponent \(exponent) by 1", .power(base, .sum([exponent, .number(Rational(1))]))))
            }
        case .kl(let p, let q):
            out.append((.swapKL, "KL(\(q) || \(p))", .kl(q, p)))
        case .density(let d):
            if !d.given.isEmpty {
                out.append((.swapConditional, "\(d) → its sides swapped",
                            .density(Density(joint: d.joint, variables: d.given, given: d.variables))))
            }
        case .log(.product(let factors)) where factors.count >= 2 && factors.allSatisfy(isPositive):
            out.append((.expandLog, "log of \(factors.count) positive factors as a sum of logs", .sum(factors.map { .log($0) })))
        default: break
        }
        return out
    }

    /// Densities, Gaussian density values, exponentials and their powers (a quotient of
    /// densities): a log of their product is the sum of their logs.
    private func isPositive(_ e: Expr) -> Bool {
        switch e {
        case .density, .normalDensity, .exp: return true
        case .power(let base, _): return isPositive(base)
        default: return false
        }
    }

    /// Transposes, inverses, traces and determinants: factors that need not commute.
    private func containsMatrixAlgebra(_ e: Expr) -> Bool {
        if case .apply(let name, _) = e, ["transpose", "inverse", "tr", "det"].contains(name) { return true }
        return e.children.contains(where: containsMatrixAlgebra)
    }
}
