/// Splits a vectorised loop in two when an exponential in it feeds another long-latency
/// operation (a logarithm, a division, …): the first pass computes the exponentials of the
/// whole row into a scratch row, the second loads them and does the rest.
///
/// Why: a softplus with its sigmoid is one exponential, then a polynomial and a division that
/// wait for it, about 60 cycles of dependent instructions per eight lanes. The processor's
/// scheduler holds only one or two such chains at a time, so the loop runs at the speed of
/// the chain, not of the execution units. Two passes with half the chain each overlap far
/// better: the Bernoulli VAE's loss and gradient ran 25% faster in a microbenchmark, for one
/// extra store and load per step (the row stays in the first-level cache).
struct LoopFission {
    /// The exponentials computed by the first pass and stored, in body order.
    var staged: [ValueID]
    /// The values the first pass computes: the staged ones and what they depend on in the
    /// loop, in body order.
    var firstPass: [ValueID]
    /// The loop's body without the values that only the staged exponentials needed.
    var secondPass: [ScheduledItem]

    /// Ops that take many cycles before their result is ready.
    static func isLongLatency(_ op: KernelOp) -> Bool {
        switch op {
        case .log, .log1p, .log1pUnit, .expm1, .div, .sqrt, .powReal, .exp, .expNegAbs: return true
        default: return false
        }
    }

    /// The split of `loop`, or nil when no exponential in it feeds a long-latency op.
    /// `sinkValue` gives the value a `.sink` item writes.
    /// Values in `loaded` are loads from per-call tables (see `Scheduler.tables`), never staged.
    static func plan(_ loop: ScheduledLoop, graph: KernelGraph, loaded: Set<ValueID> = [],
                     sinkValue: (Int) -> ValueID) -> LoopFission? {
        guard loop.vectorized else { return nil }
        var bodyValues: [ValueID] = []
        var roots = loop.reductions.map { graph[$0].args[0] }
        for item in loop.body {
            switch item {
            case .value(let v): bodyValues.append(v)
            case .sink(let i): roots.append(sinkValue(i))
            case .table(let v), .stash(let v): roots.append(v)
            case .loop: return nil  // vectorised loops are innermost; stay correct if that changes
            }
        }
        let inBody = Set(bodyValues)
        var users: [ValueID: [ValueID]] = [:]
        for v in bodyValues {
            for a in Set(graph[v].args) where inBody.contains(a) { users[a, default: []].append(v) }
        }
        // An exponential is staged when a long-latency op depends on it within the body.
        func feedsLongLatency(_ v: ValueID) -> Bool {
            var stack = users[v] ?? [], seen = Set<ValueID>()
            while let u = stack.popLast() {
                guard seen.insert(u).inserted else { continue }
                if isLongLatency(graph[u].op) { return true }
                stack.append(contentsOf: users[u] ?? [])
            }
            return false
        }
        let staged = bodyValues.filter { v in
            !loaded.contains(v) && [KernelOp.exp, .expNegAbs].contains(graph[v].op) && feedsLongLatency(v)
        }
        guard !staged.isEmpty else { return nil }

        // Body values reachable from `roots` through arguments, not looking behind `opaque`.
        func reachable(from roots: [ValueID], opaque: Set<ValueID> = []) -> Set<ValueID> {
            var found = Set<ValueID>(), stack = roots
            while let v = stack.popLast() {
                guard inBody.contains(v), found.insert(v).inserted, !opaque.contains(v) else { continue }
                stack.append(contentsOf: graph[v].args)
            }
            return found
        }
        // First pass: the staged values and their dependencies. Second: what the sinks and
        // reductions need, not looking behind the staged values (loaded there).
        let first = reachable(from: staged)
        let second = reachable(from: roots, opaque: Set(staged))
        let secondPass = loop.body.filter { item in
            if case .value(let v) = item { return second.contains(v) || graph[v].op.reducedLevel != nil }
            return true
        }
        return LoopFission(staged: staged, firstPass: bodyValues.filter { first.contains($0) }, secondPass: secondPass)
    }
}
