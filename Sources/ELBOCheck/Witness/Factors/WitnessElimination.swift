/// Variable elimination: `Σ_{eliminated} w · Π factors`, one variable at a time, each time
/// multiplying only the factors that mention it (greedy order: the variable whose factors
/// span the fewest entries first). On a chain every step touches two or three variables, so
/// the cost is linear in the chain's length; in general it is exponential only in the width
/// the order finds, and a table beyond the limit is a diagnostic, never an allocation.
///
/// This is arithmetic on the instance's tables (distributivity of a finite weighted sum over
/// a product), not a rewrite of the step: the witness still evaluates what the step says.
struct WitnessElimination {
    let sizes: [Int]
    let weights: [[Double]]
    let limit: Int

    /// The factors that remain after summing out `eliminate` (the product of the result is
    /// the weighted sum of the product of `factors`). Factors that never mention an
    /// eliminated variable pass through unchanged; a variable no factor mentions contributes
    /// its total weight.
    func eliminate(_ eliminate: [Int], from factors: [WitnessFactor], annihilate: Bool = true) throws -> [WitnessFactor] {
        // The alive factors by creation order (the order the products are taken in), and for
        // each variable to eliminate the ids of the alive factors that mention it, so that a
        // step costs the size of its neighbourhood rather than a scan of every factor: on a
        // chain of L variables the whole elimination is then about L small steps.
        var pending: [Int: WitnessFactor] = [:]
        var nextID = 0
        var remaining = Set(eliminate)
        var touching: [Int: Set<Int>] = [:]
        // An eliminated variable is summed out of every factor that had it, so no factor
        // added later mentions it: `remaining` is the set to index by at every step.
        func add(_ f: WitnessFactor) {
            pending[nextID] = f
            for v in f.slots where remaining.contains(v) { touching[v, default: []].insert(nextID) }
            nextID += 1
        }
        for f in factors { add(f) }
        // The cost of eliminating v: the entries of the product of the factors that mention it.
        func cost(_ v: Int) -> Double {
            var scope = Set<Int>()
            for id in touching[v] ?? [] { scope.formUnion(pending[id]!.slots) }
            return scope.reduce(1.0) { $0 * Double(sizes[$1]) }
        }
        var costs: [Int: Double] = [:]
        for v in remaining { costs[v] = cost(v) }
        while !remaining.isEmpty {
            // The cheapest variable, the smallest slot among equals.
            var best: (variable: Int, cost: Double)? = nil
            for v in remaining {
                let c = costs[v]!
                if best == nil || c < best!.cost || (c == best!.cost && v < best!.variable) { best = (v, c) }
            }
            let v = best!.variable
            remaining.remove(v)
            costs[v] = nil
            let ids = (touching.removeValue(forKey: v) ?? []).sorted()
            guard !ids.isEmpty else {
                add(.constant(weights[v].reduce(0, +)))
                continue
            }
            var neighbours = Set<Int>()
            var product = pending.removeValue(forKey: ids[0])!
            neighbours.formUnion(product.slots)
            for id in ids.dropFirst() {
                let f = pending.removeValue(forKey: id)!
                neighbours.formUnion(f.slots)
                product = try WitnessFactor.combine(product, f, sizes: sizes, limit: limit, annihilate: annihilate, *)
            }
            for u in neighbours where u != v && remaining.contains(u) { touching[u]?.subtract(ids) }
            add(try product.summingOut(v, weights: weights[v], sizes: sizes, limit: limit))
            for u in neighbours where u != v && remaining.contains(u) { costs[u] = cost(u) }
        }
        return pending.keys.sorted().map { pending[$0]! }
    }

    /// The product of factors as one factor over the union of their scopes.
    func multiply(_ factors: [WitnessFactor], annihilate: Bool = true) throws -> WitnessFactor {
        guard var product = factors.first else { return .constant(1) }
        for f in factors.dropFirst() {
            product = try WitnessFactor.combine(product, f, sizes: sizes, limit: limit, annihilate: annihilate, *)
        }
        return product
    }
}
