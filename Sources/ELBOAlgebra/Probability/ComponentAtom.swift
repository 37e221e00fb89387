/// `∫ Π_{f ∈ factors} f  d(marginalized)`: a product of factors with some of their variables
/// integrated out, the building block of every density in the canonical form.
///
/// Marginals and conditionals of a factorised joint are products and ratios of such atoms.
/// The atom is kept canonical by `ProbabilityContext.normalize`: factors whose children are
/// integrated out and feed no other factor integrate to one and are removed, and the rest is
/// split into connected components, so that equal functions get equal atoms.
public struct ComponentAtom: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Sorted factor ids.
    public let factors: [FactorID]
    /// Sorted integrated variables.
    public let marginalized: [String]

    public init(factors: [FactorID], marginalized: [String]) {
        self.factors = factors.sorted()
        self.marginalized = marginalized.sorted()
    }

    public static func < (a: ComponentAtom, b: ComponentAtom) -> Bool {
        if a.factors != b.factors {
            return a.factors.lexicographicallyPrecedes(b.factors)
        }
        return a.marginalized.lexicographicallyPrecedes(b.marginalized)
    }

    public var description: String {
        let fs = factors.map(\.description).joined(separator: "·")
        return marginalized.isEmpty ? fs : "∫\(fs) d\(marginalized.joined(separator: ","))"
    }
}

extension ProbabilityContext {
    /// The variables an atom still depends on.
    public func freeVariables(of atom: ComponentAtom) -> Set<String> {
        var vars = Set<String>()
        for id in atom.factors { vars.formUnion(factors[id]?.variables ?? []) }
        return vars.subtracting(atom.marginalized)
    }

    /// Whether every factor of the atom is a non-learnable input root.
    public func isInputRootOnly(_ atom: ComponentAtom) -> Bool {
        atom.factors.allSatisfy { factors[$0]?.isInputRoot ?? false }
    }

    /// Printable form: `p(x | z)` for a single factor, `∫ p(x | z) p(z) dz` for a component.
    public func label(of atom: ComponentAtom) -> String {
        let fs = atom.factors.map { factors[$0]?.label ?? $0.description }.joined(separator: " ")
        return atom.marginalized.isEmpty ? fs : "∫ \(fs) d\(atom.marginalized.joined(separator: " d"))"
    }

    /// Canonicalises `∫ Π factors d(marginalized)` into a product of component atoms.
    /// Returns nil when a factor occurs twice (a square is not a density product).
    public func normalize(factors fs: [FactorID], marginalized: Set<String>,
                          rules: inout RuleLog) -> [ComponentAtom]? {
        guard Set(fs).count == fs.count else { return nil }
        // Peel factors whose children are all integrated and that feed no other live factor:
        // each integrates to one. Removing one can only free others, so the fixpoint does not
        // depend on the order; `users` counts the live factors that mention each variable, so
        // a factor feeds another exactly when one of its children has a second user.
        let all = fs.map { factors[$0]! }
        var alive = Array(repeating: true, count: fs.count)
        var users: [String: Int] = [:]
        for f in all { for v in f.variables { users[v, default: 0] += 1 } }
        var u = marginalized
        var changed = true
        while changed {
            changed = false
            for (i, f) in all.enumerated() where alive[i] {
                guard f.children.isSubset(of: u), !f.children.contains(where: { users[$0]! > 1 }) else { continue }
                alive[i] = false
                for v in f.variables { users[v]! -= 1 }
                u.subtract(f.children)
                rules.use(.normalisation)
                changed = true
            }
        }
        let live = fs.indices.filter { alive[$0] }.map { fs[$0] }
        let liveFactors = fs.indices.filter { alive[$0] }.map { all[$0] }
        var mentioned = Set<String>()
        for f in liveFactors { mentioned.formUnion(f.variables) }
        u.formIntersection(mentioned)
        // Split into connected components linked by shared integrated variables: the factors
        // that mention one integrated variable are one component.
        var parent = Array(0..<live.count)
        func find(_ x: Int) -> Int { var x = x; while parent[x] != x { x = parent[x] }; return x }
        var firstUser: [String: Int] = [:]
        for (i, f) in liveFactors.enumerated() {
            for v in f.variables where u.contains(v) {
                if let j = firstUser[v] { parent[find(i)] = find(j) } else { firstUser[v] = i }
            }
        }
        var groups: [Int: [FactorID]] = [:]
        for i in 0..<live.count { groups[find(i), default: []].append(live[i]) }
        if groups.count > 1 { rules.use(.factorisation) }
        return groups.values.map { group in
            var vars = Set<String>()
            for id in group { vars.formUnion(factors[id]!.variables) }
            return ComponentAtom(factors: group, marginalized: Array(vars.intersection(u)))
        }.sorted()
    }

    /// The marginal `P_joint(S)` as a product of component atoms (exponent one each).
    public func marginal(of joint: String, over s: Set<String>, rules: inout RuleLog) -> [ComponentAtom] {
        let ids = jointFactors[joint] ?? []
        var closure = s
        var used = Set<FactorID>()
        var changed = true
        while changed {
            changed = false
            for id in ids where !used.contains(id) {
                let f = factors[id]!
                if !f.children.isDisjoint(with: closure) {
                    used.insert(id)
                    closure.formUnion(f.variables)
                    changed = true
                }
            }
        }
        if closure != s { rules.use(.marginalisation) }
        return normalize(factors: Array(used), marginalized: closure.subtracting(s), rules: &rules) ?? []
    }

    /// The conditional density `joint(A | B)` as atoms with exponents: `P(A ∪ B) / P(B)`.
    public func conditional(_ d: Density, rules: inout RuleLog) -> [ComponentAtom: Int] {
        var result: [ComponentAtom: Int] = [:]
        let a = Set(d.variables), b = Set(d.given)
        for atom in marginal(of: d.joint, over: a.union(b), rules: &rules) { result[atom, default: 0] += 1 }
        if !b.isEmpty {
            for atom in marginal(of: d.joint, over: b, rules: &rules) { result[atom, default: 0] -= 1 }
            rules.use(.chainRule)
        }
        return result.filter { $0.value != 0 }
    }
}
