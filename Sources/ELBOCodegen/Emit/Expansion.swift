/// Rewrites safe forms into the pieces they are made of just before emission, so that the
/// common e^−|a| is computed once for a softplus in the loss and the sigmoid in its
/// gradient. (Differentiation sees the safe forms whole; only emission sees the pieces.)
///
/// - softplus(a)   = relu(a) + log1pUnit(e)
/// - sigmoid(a)    = (a ≥ 0 ? 1 : e) / (1 + e)
/// - logsigmoid(a) = (a − relu(a)) − log1pUnit(e)
///
/// where e = exp(−|a|) ≤ 1 (one `expNegAbs`, cheaper than a general exp), so nothing
/// overflows.
enum Expansion {
    static func expand(_ f: KernelFunction) -> KernelFunction {
        var g = f.graph
        var map: [ValueID: ValueID] = [:]
        for id in f.liveValues {
            let node = g[id]
            let args = node.args.map { map[$0]! }
            let new: ValueID
            switch node.op {
            case .softplus:
                let e = expNegAbs(&g, args[0])
                new = g.add(g.apply(.relu, [args[0]]), g.apply(.log1pUnit, [e]))
            case .sigmoid:
                let e = expNegAbs(&g, args[0])
                let one = g.constant(1)
                new = g.div(g.apply(.ifNonNegative, [args[0], one, e]), g.add(one, e))
            case .logsigmoid:
                let e = expNegAbs(&g, args[0])
                new = g.sub(g.sub(args[0], g.apply(.relu, [args[0]])), g.apply(.log1pUnit, [e]))
            default:
                new = node.op.isLeaf || args == node.args ? id : g.apply(node.op, args)
            }
            if g.labels[new] == nil, let l = g.labels[id] { g.labels[new] = l }
            map[id] = new
        }
        var out = f
        out.graph = g
        out.sinks = f.sinks.map { var s = $0; s.value = map[s.value]!; return s }
        return out
    }

    static func expNegAbs(_ g: inout KernelGraph, _ a: ValueID) -> ValueID {
        g.apply(.expNegAbs, [a])
    }
}
