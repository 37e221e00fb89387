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
        var pending = factors
        var remaining = Set(eliminate)
        while !remaining.isEmpty {
            // The cheapest variable: the fewest entries in the product of its factors.
            var best: (variable: Int, cost: Double)? = nil
            for v in remaining.sorted() {
                var scope = Set<Int>()
                for f in pending where f.slots.contains(v) { scope.formUnion(f.slots) }
                let cost = scope.reduce(1.0) { $0 * Double(sizes[$1]) }
                if best == nil || cost < best!.cost { best = (v, cost) }
            }
            let v = best!.variable
            remaining.remove(v)
            var touching: [WitnessFactor] = []
            var others: [WitnessFactor] = []
            for f in pending { if f.slots.contains(v) { touching.append(f) } else { others.append(f) } }
            guard !touching.isEmpty else {
                let total = weights[v].reduce(0, +)
                others.append(.constant(total))
                pending = others
                continue
            }
            var product = touching[0]
            for f in touching.dropFirst() {
                product = try WitnessFactor.combine(product, f, sizes: sizes, limit: limit, annihilate: annihilate, *)
            }
            others.append(try product.summingOut(v, weights: weights[v], sizes: sizes, limit: limit))
            pending = others
        }
        return pending
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
