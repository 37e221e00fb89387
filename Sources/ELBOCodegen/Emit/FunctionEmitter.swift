/// Emits one `KernelFunction` as a Swift static function for one scalar type.
///
/// The body is written first, recording which pointers and dimensions it touches, so that
/// only those are declared (generated code compiles without unused-value warnings).
struct FunctionEmitter {
    let plan: KernelPlan
    let function: KernelFunction
    /// `Float` or `Double`.
    let scalar: String
    var graph: KernelGraph { function.graph }

    var names = NameTable(reserved: ["batch", "example", "total", "lanes", "step", "inputs", "params", "gradients",
                                     "KernelMath", "KernelLanes", "KernelLogSumExp", "SIMD8", "Float", "Double"])
    var valueNames: [ValueID: String] = [:]
    var counter = 0

    // Names of dimensions and buffers, and which ones the body uses.
    var dimNames: [String: String] = [:]
    var usedDims = Set<String>()
    var inputNames: [String: (pointer: String, row: String)] = [:]
    var usedInputs = Set<String>()
    var gradNames: [String: (pointer: String, row: String)] = [:]
    var usedGradRows = Set<String>()
    var incomingNames: [String: (pointer: String, row: String)] = [:]
    var usedIncoming = Set<String>()
    var outputNames: [String: (pointer: String, row: String)] = [:]
    var usedOutputs = Set<String>()
    var paramNames: [String: String] = [:]
    var usedParams = Set<String>()
    var paramGradNames: [String: (pointer: String, sum: String)] = [:]
    var usedParamGradSums = Set<String>()

    // Loop context.
    var loopVars: [LoopLevel: String] = [:]
    var vectorLevel: LoopLevel?
    /// Scratch rows of split loops (`LoopFission`), allocated once per chunk of examples.
    var scratchRows: [(name: String, count: String)] = []
    /// Values a loop's second pass loads from a scratch row instead of computing.
    var loadedRows: [ValueID: String] = [:]
    /// The per-call tables (`Scheduler.tables`) by value: the prelude stores them.
    var tableNames: [ValueID: String] = [:]
    /// The tables the per-example body loads from instead of computing their values.
    var loadedTables: [ValueID: String] = [:]
    /// Scratch rows of values stashed by a loop for a later loop over the same index.
    var stashRows: [ValueID: String] = [:]
    /// The stashed values that later loops load (set when the stashing loop is finished).
    var loadedStashes: [ValueID: String] = [:]

    init(plan: KernelPlan, function: KernelFunction, scalar: String) {
        self.plan = plan
        self.function = Expansion.expand(function)
        self.scalar = scalar
        for d in plan.dimensions { dimNames[d] = names.unique(d) }
        for i in plan.program.inputs {
            let p = names.unique(i.name)
            inputNames[i.name] = (p, names.unique(p + "Row"))
        }
        for i in plan.program.inputs {
            let p = names.unique("d" + i.name.capitalizedFirst)
            gradNames[i.name] = (p, names.unique(p + "Row"))
        }
        for s in plan.program.samplers {
            let p = names.unique("d" + s.output.capitalizedFirst + "In")
            incomingNames[s.output] = (p, names.unique(p + "Row"))
            let o = names.unique(s.output + "Out")
            outputNames[s.output] = (o, names.unique(o + "Row"))
        }
        for p in plan.program.params {
            paramNames[p.name] = names.unique(p.name)
            let g = names.unique("d" + p.name.capitalizedFirst)
            paramGradNames[p.name] = (g, names.unique(g + "Sum"))
        }
    }

    // MARK: Names of things

    mutating func dim(_ d: String) -> String {
        if Int(d) != nil { return d }
        usedDims.insert(d)
        return dimNames[d]!
    }

    func inputDims(_ name: String) -> [String] {
        plan.program.inputs.first { $0.name == name }?.dimension.map { [$0] } ?? []
    }

    func paramShape(_ name: String) -> [String] { plan.program.params.first { $0.name == name }!.shape }

    mutating func width(_ dims: [String]) -> String {
        dims.isEmpty ? "1" : dims.map { dim($0) }.joined(separator: " * ")
    }

    mutating func ref(_ id: ValueID) -> String {
        if let c = graph.constantValue(id) { return swiftLiteral(c, scalar: scalar) }
        guard let n = valueNames[id] else { preconditionFailure("FunctionEmitter: %\(id) used before it is defined") }
        return n
    }

    mutating func newName(_ base: String? = nil) -> String {
        if let b = base { return names.unique(b) }
        counter += 1
        while names.isUsed("t\(counter)") { counter += 1 }
        return names.unique("t\(counter)")
    }

    /// The address of a component: `(base, offset, stride)` where the offset omits the
    /// vectorised index (if any) and `stride` is its step.
    mutating func address(_ dims: [String], _ levels: [LoopLevel]) -> (offset: String, vectorStride: String?) {
        var terms: [String] = []
        var vectorStride: String?
        for (p, l) in levels.enumerated() {
            let after = dims[(p + 1)...].map { dim($0) }
            let stride = after.isEmpty ? "1" : after.joined(separator: " * ")
            if l == vectorLevel { vectorStride = stride; continue }
            let v = loopVars[l]!
            terms.append(stride == "1" ? v : "\(v) * \(stride)")
        }
        return (terms.isEmpty ? "0" : terms.joined(separator: " + "), vectorStride)
    }

    mutating func load(_ base: String, _ dims: [String], _ levels: [LoopLevel]) -> String {
        let (offset, vs) = address(dims, levels)
        guard let stride = vs else { return "\(base)[\(offset)]" }
        let b = offset == "0" ? base : "\(base) + \(offset)"
        return stride == "1" ? "lanes.load(\(b))" : "lanes.load(\(b), stride: \(stride))"
    }

    mutating func write(_ value: String, _ base: String, _ dims: [String], _ levels: [LoopLevel], accumulate: Bool) -> String {
        let (offset, vs) = address(dims, levels)
        guard let stride = vs else { return "\(base)[\(offset)] \(accumulate ? "+=" : "=") \(value)" }
        let b = offset == "0" ? base : "\(base) + \(offset)"
        if stride == "1" { return "lanes.\(accumulate ? "accumulate" : "store")(\(value), \(b))" }
        return "lanes.accumulate(\(value), \(b), stride: \(stride))"
    }

    // MARK: Values

    /// The right-hand side of `let name = …` for a non-reduction value.
    mutating func expression(_ id: ValueID) -> String {
        let node = graph[id]
        let a = node.args.map { ref($0) }
        func f(_ name: String) -> String { "KernelMath.\(name)(\(a.joined(separator: ", ")))" }
        switch node.op {
        case .constant(let c): return swiftLiteral(c, scalar: scalar)
        case .input(let n, let ls):
            usedInputs.insert(n)
            return load(inputNames[n]!.row, inputDims(n), ls)
        case .param(let n, let ls):
            usedParams.insert(n)
            return load(paramNames[n]!, paramShape(n), ls)
        case .incomingGradient(let n, let ls):
            usedIncoming.insert(n)
            let d = plan.program.samplers.first { $0.output == n }!.dimension
            return load(incomingNames[n]!.row, [d], ls)
        case .dimension(let d): return "\(scalar)(\(dim(d)))"
        case .seed: return "1 / \(scalar)(batch)"
        case .add:
            if let c = graph.constantValue(node.args[1]), c < 0 { return "\(a[0]) - \(swiftLiteral(-c, scalar: scalar))" }
            return "\(a[0]) + \(a[1])"
        case .sub: return "\(a[0]) - \(a[1])"
        case .mul: return "\(a[0]) * \(a[1])"
        case .div: return "\(a[0]) / \(a[1])"
        case .neg: return "-\(a[0])"
        case .powInt(let n):
            if n == 2 { return "\(a[0]) * \(a[0])" }
            if n == 3 { return "\(a[0]) * \(a[0]) * \(a[0])" }
            return "KernelMath.pow(\(a[0]), \(n))"
        case .powReal(let r): return "KernelMath.pow(\(a[0]), \(r))"
        case .sqrt: return f("sqrt")
        case .log: return f("log")
        case .exp: return f("exp")
        case .softplus: return f("softplus")
        case .sigmoid: return f("sigmoid")
        case .logsigmoid: return f("logsigmoid")
        case .log1p: return f("log1p")
        case .expm1: return f("expm1")
        case .log1pUnit: return f("log1pUnit")
        case .expNegAbs: return f("expNegAbs")
        case .abs: return f("abs")
        case .relu: return f("relu")
        case .ifNonNegative: return f("ifNonNegative")
        case .sum, .logsumexp: preconditionFailure("FunctionEmitter: reductions are emitted with their loops")
        }
    }

    /// A readable name for a leaf (`x_j`, `gammaValue`, `kSize`), or nil for `tN`.
    func leafBase(_ id: ValueID) -> String? {
        func indexed(_ n: String, _ ls: [LoopLevel]) -> String {
            ls.isEmpty ? n + "Value" : n + "_" + ls.map { loopVars[$0] ?? "" }.joined()
        }
        switch graph[id].op {
        case .input(let n, let ls), .param(let n, let ls): return indexed(n, ls)
        case .incomingGradient(let n, let ls): return indexed("d" + n.capitalizedFirst, ls)
        case .dimension(let d): return d + "Size"
        case .seed: return "seed"
        default: return nil
        }
    }

    mutating func emitValue(_ id: ValueID, _ w: inout CodeWriter) {
        if let table = loadedTables[id] {
            let name = newName()
            valueNames[id] = name
            w.line("let \(name) = \(load(table, tableDims(id), graph[id].path))")
            return
        }
        if let row = loadedStashes[id], let level = graph[id].path.last {
            let name = newName()
            valueNames[id] = name
            w.line("let \(name) = \(load(row, [level.dimension], [level]))")
            return
        }
        if graph[id].op.reducedLevel != nil { return }  // defined after its loop
        let rhs = loadedRows[id].map { "lanes.load(\($0))" } ?? expression(id)
        let name = newName(leafBase(id))
        valueNames[id] = name
        w.line("let \(name) = \(rhs)")
    }

    /// The dimensions of a value's table: those of its loops, outermost first (row-major).
    func tableDims(_ id: ValueID) -> [String] { graph[id].path.map(\.dimension) }

    // MARK: Sinks

    mutating func emitSink(_ i: Int, _ w: inout CodeWriter) {
        let s = function.sinks[i]
        let v = ref(s.value)
        switch s.target {
        case .loss:
            w.line("total += Double(\(v))")
        case .inputGradient(let n):
            usedGradRows.insert(n)
            w.line(write(v, gradNames[n]!.row, inputDims(n), s.levels, accumulate: s.accumulate))
        case .paramGradient(let n):
            if s.levels.isEmpty {
                usedParamGradSums.insert(n)
                w.line("\(paramGradNames[n]!.sum) += \(v)")
            } else {
                w.line(write(v, paramGradNames[n]!.pointer, paramShape(n), s.levels, accumulate: true))
            }
        case .output(let n):
            usedOutputs.insert(n)
            let d = plan.program.samplers.first { $0.output == n }!.dimension
            w.line(write(v, outputNames[n]!.row, [d], s.levels, accumulate: false))
        }
    }

    // MARK: Blocks and loops

    /// Stores a value of the current loop's index into its scratch row (one per chunk of
    /// examples), for a later loop over the same index to load.
    mutating func emitStash(_ v: ValueID, _ w: inout CodeWriter) {
        let level = graph[v].path.last!
        let row: String
        if let r = stashRows[v] {
            row = r
        } else {
            row = names.unique((graph.labels[v] == nil ? "stash" : "stashed") + "Row")
            stashRows[v] = row
            scratchRows.append((row, dim(level.dimension)))
        }
        w.line(write(ref(v), row, [level.dimension], [level], accumulate: false))
    }

    mutating func emit(_ items: [ScheduledItem], _ w: inout CodeWriter) {
        for item in items {
            switch item {
            case .value(let v): emitValue(v, &w)
            case .sink(let i): emitSink(i, &w)
            case .table(let v): w.line(write(ref(v), tableNames[v]!, tableDims(v), graph[v].path, accumulate: false))
            case .stash(let v): emitStash(v, &w)
            case .loop(let l): emitLoop(l, &w)
            }
        }
    }

    mutating func emitLoop(_ loop: ScheduledLoop, _ w: inout CodeWriter) {
        let level = loop.level
        var v = graph.indexNames[level] ?? "j"
        if names.isUsed(v) || loopVars.values.contains(v) { v = names.unique(v + "\(level.depth)") }
        let bound = dim(level.dimension)
        // Accumulators, named after the reductions' results.
        var accumulators: [(ValueID, String, String)] = []  // (reduction, result name, accumulator)
        for r in loop.reductions {
            let result = newName()
            valueNames[r] = result
            if let label = graph.labels[r] { w.comment("\(result) = \(label)") }
            switch graph[r].op {
            case .sum where loop.vectorized:
                let acc = names.unique(result + "Lanes")
                w.line("var \(acc) = SIMD8<\(scalar)>()")
                accumulators.append((r, result, acc))
            case .sum:
                w.line("var \(result): \(scalar) = 0")
                accumulators.append((r, result, result))
            default:
                let acc = names.unique(result + "Terms")
                w.line("var \(acc) = KernelLogSumExp<\(scalar)>()")
                accumulators.append((r, result, acc))
            }
        }
        let savedVector = vectorLevel
        let savedNames = (names.snapshot, valueNames)
        loopVars[level] = v
        // The body, with the accumulators' updates at its end.
        func body(_ items: [ScheduledItem], _ w: inout CodeWriter) {
            emit(items, &w)
            for (r, _, acc) in accumulators {
                let body = ref(graph[r].args[0])
                switch graph[r].op {
                case .sum where loop.vectorized: w.line("\(acc) += lanes.masked(\(body))")
                case .sum: w.line("\(acc) += \(body)")
                default: w.line(loop.vectorized ? "\(acc).add(\(body), lanes)" : "\(acc).add(\(body))")
                }
            }
        }
        // A vectorised loop: full steps of eight lanes, then the remainder, with the same body
        // written out twice so that in the hot loop `lanes.active` is the constant 8 and every
        // lane helper is one vector instruction (a single loop over partial steps keeps the
        // per-lane fallbacks in it, which measured 1.5× slower). Addresses along the
        // vectorised level go through `lanes`, so the loop index is never named.
        func steps(_ body: (inout CodeWriter) -> Void) {
            let known = Int(bound)
            let before = (names.snapshot, valueNames, counter)
            if known.map({ $0 >= 8 }) ?? true {
                w.block("for step in 0..<\(known.map { "\($0 / 8)" } ?? "\(bound) / 8")") { w in
                    w.line("let lanes = KernelLanes<\(scalar)>(full: 8 * step)")
                    body(&w)
                }
            }
            if known.map({ $0 % 8 != 0 }) ?? true {
                (names, valueNames, counter) = (NameTable(restoring: before.0), before.1, before.2)
                let header = known != nil ? "do" : "if \(bound) % 8 != 0"
                let start = known.map { "\($0 - $0 % 8)" } ?? "\(bound) - \(bound) % 8"
                w.block(header) { w in
                    w.line("let lanes = KernelLanes<\(scalar)>(\(start), \(bound))")
                    body(&w)
                }
            }
            // The steps' values go out of scope (the t-numbers keep counting, as after any loop).
            (names, valueNames) = (NameTable(restoring: before.0), before.1)
        }
        if loop.vectorized {
            vectorLevel = level
            if let fission = LoopFission.plan(loop, graph: graph, loaded: Set(loadedTables.keys).union(loadedStashes.keys),
                                              sinkValue: { function.sinks[$0].value }) {
                let rows = fission.staged.map { v in (v, names.unique(graph[v].op.name + "Row")) }
                for (_, row) in rows { scratchRows.append((row, bound)) }
                w.comment("The exponentials of the row first, in a pass of their own (see LoopFission).")
                steps { w in
                    emit(fission.firstPass.map { .value($0) }, &w)
                    for (v, row) in rows { w.line("lanes.store(\(ref(v)), \(row))") }
                }
                for (v, row) in rows { loadedRows[v] = row }
                steps { w in body(fission.secondPass, &w) }
                for (v, _) in rows { loadedRows[v] = nil }
            } else {
                steps { w in body(loop.body, &w) }
            }
        } else {
            w.block("for \(v) in 0..<\(bound)") { w in body(loop.body, &w) }
        }
        loopVars[level] = nil
        vectorLevel = savedVector
        // What this loop stashed, later loops load (not before: a vectorised body is written
        // twice, and both copies compute the value).
        for case .stash(let v) in loop.body { loadedStashes[v] = stashRows[v] }
        // Values defined in the loop go out of scope; their names may be used again.
        (names, valueNames) = (NameTable(restoring: savedNames.0), savedNames.1)
        for row in scratchRows { _ = names.unique(row.name) }  // declared once per chunk
        for (r, result, acc) in accumulators {
            switch graph[r].op {
            case .sum where loop.vectorized: w.line("let \(result) = KernelMath.sum(\(acc))")
            case .sum: break
            default: w.line("let \(result) = \(acc).value")
            }
        }
    }
}
