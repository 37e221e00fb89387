/// The shape of a generated function body: values in dependency order, with loops placed
/// so that every value is computed once per example where it can be, and bodies that are
/// ready at the same time share one loop.
///
/// Within a block (a loop path), each value has a *time*: how many loops over the block's
/// children must finish before it can be computed. A reduction is ready one step after its
/// body; everything else as soon as its arguments. All child-loop work of one time and one
/// level is fused into a single loop, so the forward sum of a loss and the gradient stores
/// that do not depend on it run in the same pass over the components.
indirect enum ScheduledItem {
    /// `let name = …` for a value (a reduction's result, after its loop).
    case value(ValueID)
    /// A write of the sink at this index.
    case sink(Int)
    /// A store of a per-call table entry (`Scheduler.tables`), in the prelude.
    case table(ValueID)
    /// At the end of a loop's body: a store of a value of this loop's index into a scratch row,
    /// which a later loop over the same index loads instead of computing the value again.
    case stash(ValueID)
    case loop(ScheduledLoop)
}

struct ScheduledLoop {
    var level: LoopLevel
    /// Innermost loops step eight components at a time.
    var vectorized: Bool
    /// Reductions whose bodies this loop accumulates.
    var reductions: [ValueID]
    var body: [ScheduledItem]
}

struct Scheduler {
    let graph: KernelGraph
    let sinks: [KernelSink]

    enum Root { case value(ValueID), sink(Int), table(ValueID) }

    /// Values that are the same for every example (no per-example input below them).
    func batchInvariant() -> [Bool] {
        var invariant = [Bool](repeating: true, count: graph.nodes.count)
        for (id, n) in graph.nodes.enumerated() {
            switch n.op {
            case .input, .incomingGradient: invariant[id] = false
            default: invariant[id] = n.args.allSatisfy { invariant[$0] }
            }
        }
        return invariant
    }

    /// Per-call tables: values the same for every example that sit inside loops (over mixture
    /// components, say) and that a per-example value uses. The prelude computes each into a
    /// table indexed by its loops, and the per-example body loads it instead of recomputing it
    /// (e.g. e^−V and −½V − ½log 2π of every component, and per-component sums over V).
    /// Leaves stay where they are: a parameter is already a load.
    func tables() -> [ValueID] {
        let invariant = batchInvariant()
        let live = graph.closure(of: sinks.map(\.value))
        var boundary = Set<ValueID>()
        for id in live where !invariant[id] {
            for a in graph[id].args where invariant[a] { boundary.insert(a) }
        }
        for s in sinks where invariant[s.value] { boundary.insert(s.value) }
        return boundary.filter { !graph[$0].path.isEmpty && !graph[$0].op.isLeaf && graph.constantValue($0) == nil }.sorted()
    }

    /// The prelude (values computed once per call, and the tables) and the per-example body.
    func schedule() -> (prelude: [ScheduledItem], body: [ScheduledItem], tables: [ValueID]) {
        let invariant = batchInvariant()
        let tabled = tables()
        let live = graph.closure(of: sinks.map(\.value))
        var preludeRoots: [ValueID] = []
        var used = Set<ValueID>()
        for id in live where !invariant[id] || !graph[id].path.isEmpty { used.formUnion(graph[id].args) }
        for s in sinks { used.insert(s.value) }
        for id in live where invariant[id] && used.contains(id) && graph[id].path.isEmpty
            && graph.constantValue(id) == nil {
            preludeRoots.append(id)
        }
        let prelude = schedule(path: [], roots: preludeRoots.map { .value($0) } + tabled.map { .table($0) }, available: [])
        let body = schedule(path: [], roots: sinks.indices.map { .sink($0) }, available: Set(topLevelValues(prelude)),
                            loaded: Set(tabled), stashing: true)
        return (prelude, body, tabled)
    }

    func topLevelValues(_ items: [ScheduledItem]) -> [ValueID] {
        items.compactMap { if case .value(let v) = $0 { return v }; return nil }
    }

    /// Everything `roots` need in the block at `path` that is not already computed in an
    /// enclosing scope (`available`); values in `loaded` are needed but not what they are made of.
    func neededValues(path: [LoopLevel], roots: [Root], available: Set<ValueID>, loaded: Set<ValueID>) -> Set<ValueID> {
        let depth = path.count
        var needed = Set<ValueID>()
        var stack: [ValueID] = roots.map { r in
            switch r { case .value(let v), .table(let v): return v; case .sink(let i): return sinks[i].value }
        }
        while let v = stack.popLast() {
            if available.contains(v) || graph.constantValue(v) != nil || !needed.insert(v).inserted { continue }
            precondition(Array(graph[v].path.prefix(depth)) == path,
                         "Scheduler: value %\(v) at \(graph[v].path) is needed in \(path) but not computed outside it")
            if !loaded.contains(v) { stack.append(contentsOf: graph[v].args) }
        }
        return needed
    }

    /// The items of the block at `path` that compute `roots`. Values in `loaded` are loaded
    /// from their tables where they sit: leaves here, whatever they are computed from. With
    /// `stashing` (per-example code, where scratch rows exist), a loop over an index that an
    /// earlier loop of this block also ran over loads the values of that index the earlier loop
    /// computed (e.g. each mixture component's log density, summed for the logsumexp and needed
    /// again for the gradient) instead of computing them again.
    func schedule(path: [LoopLevel], roots: [Root], available: Set<ValueID>, loaded: Set<ValueID> = [],
                  stashing: Bool = false) -> [ScheduledItem] {
        let depth = path.count
        let needed = neededValues(path: path, roots: roots, available: available, loaded: loaded)
        var memo: [ValueID: Int] = [:]
        func time(_ v: ValueID) -> Int {
            if !needed.contains(v) { return 0 }
            if let t = memo[v] { return t }
            let n = graph[v]
            let t: Int
            if loaded.contains(v) {
                t = 0
            } else if n.path.count == depth, n.op.reducedLevel != nil {
                t = time(n.args[0]) + 1
            } else {
                t = n.args.map(time).max() ?? 0
            }
            memo[v] = t
            return t
        }

        struct ChildKey: Hashable { var level: LoopLevel; var time: Int }
        var childRoots: [ChildKey: [Root]] = [:]
        var childReductions: [ChildKey: [ValueID]] = [:]
        var here: [ValueID] = []
        for v in needed.sorted() where graph[v].path.count == depth {
            if graph[v].op.reducedLevel != nil && !loaded.contains(v) {
                let body = graph[v].args[0]
                let key = ChildKey(level: graph[body].path[depth], time: time(body))
                childRoots[key, default: []].append(.value(body))
                childReductions[key, default: []].append(v)
            } else {
                here.append(v)
            }
        }
        var sinksHere: [Int] = []
        for case .sink(let i) in roots {
            if sinks[i].path.count == depth {
                sinksHere.append(i)
            } else {
                let key = ChildKey(level: sinks[i].path[depth], time: time(sinks[i].value))
                childRoots[key, default: []].append(.sink(i))
            }
        }
        var tablesHere: [ValueID] = []
        for case .table(let v) in roots {
            if graph[v].path.count == depth {
                tablesHere.append(v)
            } else {
                let key = ChildKey(level: graph[v].path[depth], time: time(v))
                childRoots[key, default: []].append(.table(v))
            }
        }
        let maxTime = ([0] + here.map(time) + sinksHere.map { time(sinks[$0].value) } + tablesHere.map(time)
                       + childRoots.keys.map(\.time)).max()!
        var items: [ScheduledItem] = []
        var emitted = available
        // Per loop index, the values of that index computed by earlier loops, and by which item.
        var computedBy: [LoopLevel: [ValueID: Int]] = [:]
        for t in 0...maxTime {
            for v in here where time(v) == t {
                items.append(.value(v))
                emitted.insert(v)
            }
            for i in sinksHere where time(sinks[i].value) == t { items.append(.sink(i)) }
            for v in tablesHere where time(v) == t { items.append(.table(v)) }
            for key in childRoots.keys.filter({ $0.time == t }).sorted(by: { $0.level < $1.level }) {
                let childPath = path + [key.level]
                var childLoaded = loaded
                var reused: [ValueID] = []
                if stashing, let earlier = computedBy[key.level] {
                    let reach = neededValues(path: childPath, roots: childRoots[key]!, available: emitted,
                                             loaded: loaded.union(earlier.keys))
                    reused = reach.filter { earlier[$0] != nil }.sorted()
                    childLoaded.formUnion(reused)
                }
                let body = schedule(path: childPath, roots: childRoots[key]!, available: emitted, loaded: childLoaded,
                                    stashing: stashing)
                // The earlier loops store what this one reuses, at the end of their bodies.
                for v in reused {
                    let index = computedBy[key.level]![v]!
                    guard case .loop(var earlierLoop) = items[index] else { preconditionFailure("Scheduler: stash into a non-loop") }
                    if !earlierLoop.body.contains(where: { if case .stash(v) = $0 { return true }; return false }) {
                        earlierLoop.body.append(.stash(v))
                        items[index] = .loop(earlierLoop)
                    }
                }
                let nested = body.contains { if case .loop = $0 { return true }; return false }
                let reductions = childReductions[key] ?? []
                items.append(.loop(ScheduledLoop(level: key.level, vectorized: !nested, reductions: reductions, body: body)))
                if stashing {
                    let computed = neededValues(path: childPath, roots: childRoots[key]!, available: emitted, loaded: childLoaded)
                    for v in computed where graph[v].path == childPath && !childLoaded.contains(v) {
                        computedBy[key.level, default: [:]][v] = items.count - 1
                    }
                }
                for r in reductions {
                    items.append(.value(r))
                    emitted.insert(r)
                }
            }
        }
        return items
    }
}
