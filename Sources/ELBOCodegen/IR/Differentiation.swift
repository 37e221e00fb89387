/// Reverse-mode differentiation of the IR. Adjoints are built as ordinary IR values in the
/// same hash-consed graph, so the backward pass shares every subexpression it has in common
/// with the forward pass (σ(a) of a softplus, eˢ of a KL term) and with itself.
public enum Differentiation {
    /// The adjoint of every value that some root depends on, given the seed (incoming
    /// adjoint) of each root. Leaves are included: their adjoints are the gradients.
    ///
    /// A value used inside a loop it does not vary along receives the sum over that loop of
    /// its users' contributions (a reduction in the IR); a reduction's body receives the
    /// reduction's adjoint times the partial, broadcast along the loop.
    public static func adjoints(in g: inout KernelGraph, roots: [(value: ValueID, seed: ValueID)]) -> [ValueID: ValueID] {
        var contributions: [ValueID: [ValueID]] = [:]
        for (v, s) in roots { contributions[v, default: []].append(s) }
        let order = g.closure(of: roots.map(\.value))
        var adjoint: [ValueID: ValueID] = [:]
        for id in order.reversed() {
            guard let parts = contributions[id], !parts.isEmpty else { continue }
            var total = parts[0]
            for p in parts.dropFirst() { total = g.add(total, p) }
            adjoint[id] = total
            let node = g[id]
            if node.op.isLeaf { continue }
            let partials = g.partials(of: id)
            for (arg, partial) in zip(node.args, partials) {
                var c = g.mul(total, partial)
                if g.constantValue(c) == 0 { continue }
                if node.op.reducedLevel == nil {
                    // Sum over the loops the user sits in and the argument does not.
                    let outer = g[arg].path.count
                    for level in node.path[outer...].reversed() { c = g.reduce(.sum(level), level: level, c) }
                }
                contributions[arg, default: []].append(c)
            }
        }
        return adjoint
    }
}
