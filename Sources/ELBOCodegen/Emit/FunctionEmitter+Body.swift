/// The frame of a generated function: declarations of the buffers its body uses, gradient
/// allocation and zeroing, values computed once per call, then the loop over examples.
extension FunctionEmitter {
    /// The Swift name and signature of the function.
    func signature() -> String {
        let t = scalar
        switch function.kind {
        case .loss:
            return "public static func loss(inputs: KernelBatch<\(t)>, params: KernelParams<\(t)>) -> \(t)"
        case .lossAndGradient:
            return "public static func loss(inputs: KernelBatch<\(t)>, params: KernelParams<\(t)>,\n"
                + "                        gradients: inout KernelGradients<\(t)>) -> \(t)"
        case .sample(let o):
            return "static func \(Self.samplerName(o))(inputs: inout KernelBatch<\(t)>, params: KernelParams<\(t)>)"
        case .sampleBackward(let o):
            return "static func \(Self.samplerName(o))Backward(inputs: KernelBatch<\(t)>, params: KernelParams<\(t)>,\n"
                + "                               gradients: inout KernelGradients<\(t)>)"
        }
    }

    static func samplerName(_ output: String) -> String {
        "sample" + String(output.map { $0.isLetter || $0.isNumber ? $0 : "_" }).capitalizedFirst
    }

    var isLoss: Bool { function.kind == .loss || function.kind == .lossAndGradient }

    /// The whole function, as lines at indentation 0.
    mutating func emitFunction(doc: String) -> [String] {
        let (prelude, perExample, tables) = Scheduler(graph: graph, sinks: function.sinks).schedule()

        // The code first: it decides which buffers need declaring.
        var tableDeclarations = CodeWriter()
        tableDeclarations.indent = 1
        if !tables.isEmpty {
            tableDeclarations.comment("Per-call tables of values that are the same for every example (see Scheduler.tables).")
        }
        for v in tables {
            let name = names.unique("table")
            tableNames[v] = name
            let count = width(tableDims(v))
            if let label = graph.labels[v] { tableDeclarations.comment("\(name): \(label)") }
            tableDeclarations.line("let \(name) = UnsafeMutablePointer<\(scalar)>.allocate(capacity: \(count))")
            tableDeclarations.line("defer { \(name).deallocate() }")
            tableDeclarations.line("\(name).initialize(repeating: 0, count: \(count))")
        }
        var pre = CodeWriter()
        pre.indent = 1
        emit(prelude, &pre)
        loadedTables = tableNames
        var body = CodeWriter()
        body.indent = 2
        emit(perExample, &body)

        var rows = CodeWriter()
        rows.indent = 2
        for i in plan.program.inputs.map(\.name) where usedInputs.contains(i) {
            rows.line("let \(inputNames[i]!.row) = \(inputNames[i]!.pointer) + example * \(width(inputDims(i)))")
        }
        for s in plan.program.samplers.map(\.output) where usedIncoming.contains(s) {
            rows.line("let \(incomingNames[s]!.row) = \(incomingNames[s]!.pointer) + example * \(width(samplerDims(s)))")
        }
        for i in plan.program.inputs.map(\.name) where usedGradRows.contains(i) {
            rows.line("let \(gradNames[i]!.row) = \(gradNames[i]!.pointer) + example * \(width(inputDims(i)))")
        }
        for s in plan.program.samplers.map(\.output) where usedOutputs.contains(s) {
            rows.line("let \(outputNames[s]!.row) = \(outputNames[s]!.pointer) + example * \(width(samplerDims(s)))")
        }

        // Buffers.
        var buffers = CodeWriter()
        buffers.indent = 1
        for s in plan.program.samplers.map(\.output) where usedOutputs.contains(s) {
            buffers.line("let \(outputNames[s]!.pointer) = inputs.output(\"\(s)\", width: \(width(samplerDims(s))))")
        }
        for i in plan.program.inputs.map(\.name) where usedInputs.contains(i) {
            buffers.line("let \(inputNames[i]!.pointer) = inputs.pointer(\"\(i)\", width: \(width(inputDims(i))))")
        }
        for p in plan.program.params.map(\.name) where usedParams.contains(p) {
            buffers.line("let \(paramNames[p]!) = params.pointer(\"\(p)\", count: \(width(paramShape(p))))")
        }
        for s in plan.program.samplers.map(\.output) where usedIncoming.contains(s) {
            buffers.line("let \(incomingNames[s]!.pointer) = gradients.input(\"\(s)\", count: batch * \(width(samplerDims(s))))")
        }
        let owned = !function.accumulatesIntoExisting
        for i in function.inputGradients {
            let count = "batch * \(width(inputDims(i)))"
            let p = gradNames[i]!.pointer
            if usedGradRows.contains(i) || owned {
                buffers.line("let \(p) = gradients.input(\"\(i)\", count: \(count))")
            }
            if owned && !function.overwrittenGradients.contains(i) {
                if !usedGradRows.contains(i) { buffers.comment("The loss does not depend on \(i).") }
                buffers.line("\(p).update(repeating: 0, count: \(count))")
            }
        }
        var paramSums: [String] = []
        for p in function.paramGradients {
            let count = width(paramShape(p))
            let ptr = paramGradNames[p]!.pointer
            buffers.line("let \(ptr) = gradients.param(\"\(p)\", count: \(count))")
            if owned { buffers.line("\(ptr).update(repeating: 0, count: \(count))") }
            if usedParamGradSums.contains(p) { paramSums.append(p) }
        }

        // Assemble.
        var w = CodeWriter()
        for line in doc.split(separator: "\n", omittingEmptySubsequences: false) { w.line("/// " + line) }
        let sig = signature().split(separator: "\n").map(String.init)
        for (i, l) in sig.enumerated() { w.line(i == sig.count - 1 ? l + " {" : l) }
        w.indent = 1
        w.line("let batch = inputs.batchSize")
        if isLoss { w.line("guard batch > 0 else { return 0 }") }
        for d in plan.dimensions where usedDims.contains(d) {
            w.line("let \(dimNames[d]!) = inputs.dimension(\"\(d)\")")
        }
        var out = w.lines + buffers.lines + tableDeclarations.lines + pre.lines
        // The loop over examples, in chunks on all cores (KernelParallel).
        w = CodeWriter()
        w.indent = 1
        let shared = function.paramGradients.map { p in (p, paramGradNames[p]!.pointer, width(paramShape(p))) }
        let assign = isLoss ? "let total = " : "_ = "
        if shared.isEmpty {
            w.line(assign + "KernelParallel.forEachChunk(batch: batch) { examples in")
        } else {
            let list = shared.map { "(\($0.1), \($0.2))" }.joined(separator: ", ")
            w.line(assign + "KernelParallel.forEachChunk(batch: batch, paramGradients: [\(list)]) { examples, chunkGradients in")
            w.indent += 1
            w.comment("Each chunk adds parameter gradients into buffers of its own, summed in order after.")
            for (i, (_, ptr, _)) in shared.enumerated() { w.line("let \(ptr) = chunkGradients[\(i)]") }
            w.indent -= 1
        }
        w.indent += 1
        for p in paramSums { w.line("var \(paramGradNames[p]!.sum): \(scalar) = 0") }
        if isLoss { w.line("var total: Double = 0") }
        for row in scratchRows {
            w.line("let \(row.name) = UnsafeMutablePointer<\(scalar)>.allocate(capacity: \(row.count))")
            w.line("defer { \(row.name).deallocate() }")
        }
        w.line("for example in examples {")
        out += w.lines + rows.lines.map { "    " + $0 } + body.lines.map { "    " + $0 }
        w = CodeWriter()
        w.indent = 2
        w.line("}")
        for p in paramSums { w.line("\(paramGradNames[p]!.pointer)[0] += \(paramGradNames[p]!.sum)") }
        w.line(isLoss ? "return total" : "return 0")
        w.indent = 1
        w.line("}")
        if isLoss { w.line(scalar == "Double" ? "return total / Double(batch)" : "return \(scalar)(total / Double(batch))") }
        w.indent = 0
        w.line("}")
        out += w.lines
        return out
    }

    func samplerDims(_ output: String) -> [String] {
        [plan.program.samplers.first { $0.output == output }!.dimension]
    }
}
