/// Conditional independences a joint's factor graph already implies.
extension ProbabilityContext {
    /// Whether `a ⊥ b | given` holds in every distribution that factorises as the factors of
    /// `joint` currently do (d-separation, by the moral graph of the ancestral set).
    ///
    /// Conservative where a factor has several children: its children are connected to each
    /// other and to its parents, and each is an ancestor of the others, so a wrong `true` cannot
    /// come from a factor over several variables. A `false` only means "not shown".
    func impliesIndependence(in joint: String, _ a: Set<String>, _ b: Set<String>, given: Set<String>) -> Bool {
        let fs = (jointFactors[joint] ?? []).compactMap { factors[$0] }
        guard !a.isEmpty, !b.isEmpty, a.isDisjoint(with: b), a.isDisjoint(with: given), b.isDisjoint(with: given) else {
            return false
        }
        // Every variable a factor mentions must be one of this joint's: otherwise nothing is shown.
        let known = Set(fs.flatMap { $0.children.union($0.parents) })
        guard a.union(b).union(given).isSubset(of: known) else { return false }
        // The ancestral set of a ∪ b ∪ given.
        var ancestral = a.union(b).union(given)
        var changed = true
        while changed {
            changed = false
            for f in fs where !f.children.isDisjoint(with: ancestral) {
                let family = f.children.union(f.parents)
                if !family.isSubset(of: ancestral) { ancestral.formUnion(family); changed = true }
            }
        }
        // The moral graph on it: every factor's family is a clique.
        var neighbours: [String: Set<String>] = [:]
        for f in fs where f.children.isSubset(of: ancestral) || !f.children.isDisjoint(with: ancestral) {
            let family = f.children.union(f.parents)
            for v in family { neighbours[v, default: []].formUnion(family.subtracting([v])) }
        }
        // Is b reachable from a without passing through `given`?
        var seen = a
        var frontier = Array(a)
        while let v = frontier.popLast() {
            for w in neighbours[v] ?? [] where !seen.contains(w) && !given.contains(w) {
                if b.contains(w) { return false }
                seen.insert(w)
                frontier.append(w)
            }
        }
        return true
    }
}
