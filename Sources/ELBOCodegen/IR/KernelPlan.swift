import ELBOAlgebra

/// A `LossProgram` lowered to the IR: the loss, its gradient, and each sampler forward and
/// backward, as `KernelFunction`s sharing one graph.
public struct KernelPlan: Sendable {
    public var program: LossProgram
    /// The loss after safe-form rewriting, and the rules that fired.
    public var safeLoss: Expr
    public var safeRules: [String]
    /// Every dimension symbol, sorted.
    public var dimensions: [String]
    /// Inputs whose gradient the loss kernel writes, in program order.
    public var gradientInputs: [String]
    /// Inputs the loss reads.
    public var lossReads: Set<String>
    public var loss: KernelFunction
    public var lossAndGradient: KernelFunction
    /// Per sampler, in program order: forward and backward.
    public var samplers: [SamplerFunctions]

    /// A sampler's two functions and what they touch.
    public struct SamplerFunctions: Sendable {
        public var output: String
        /// Writes the output from the mean, variance and noise.
        public var forward: KernelFunction
        /// Adds the output's incoming gradient into the gradients of the inputs and params.
        public var backward: KernelFunction
        /// Inputs the mean and variance read (noise excluded).
        public var reads: [String]
        public var gradientInputs: [String]
        public var gradientParams: [String]
    }

    /// Roles whose inputs get gradients by default.
    public static let defaultGradientRoles: Set<KernelInput.Role> = [.networkOutput, .sample]

    /// Lowers and differentiates `program`.
    public init(_ program: LossProgram, gradientRoles: Set<KernelInput.Role> = KernelPlan.defaultGradientRoles) throws {
        self.program = program
        var dims = Set<String>()
        for i in program.inputs { if let d = i.dimension { dims.insert(d) } }
        for p in program.params { dims.formUnion(p.shape) }
        for s in program.samplers { dims.insert(s.dimension) }
        collectBounds(program.loss, into: &dims)
        dims = dims.filter { Int($0) == nil }
        dimensions = dims.sorted()

        var inputDims: [String: String?] = [:]
        for i in program.inputs { inputDims[i.name] = i.dimension }
        let lowering = KernelLowering(inputs: inputDims, params: Dictionary(program.params.map { ($0.name, $0.shape) },
                                                                          uniquingKeysWith: { a, _ in a }),
                                      dimensions: dims)
        let differentiable = Set(program.inputs.filter { gradientRoles.contains($0.role) }.map(\.name))
        let paramNames = Set(program.params.map(\.name))

        var g = KernelGraph()
        (safeLoss, safeRules) = SafeForms.apply(program.loss)
        var lower = lowering
        let lossValue = try lower.lower(safeLoss, into: &g)
        lossReads = Self.reads(g, lossValue)

        // Gradient of the per-example loss, seeded with 1/B so it is the gradient of the mean.
        let seed = g.leaf(.seed)
        let adjoints = Differentiation.adjoints(in: &g, roots: [(lossValue, seed)])
        gradientInputs = program.inputs.map(\.name).filter { differentiable.contains($0) }
        let (gradSinks, counts) = KernelFunction.gradientSinks(g, adjoints: adjoints, inputs: differentiable,
                                                                params: paramNames, accumulate: true)
        let (sinks, overwritten) = KernelFunction.settingOverwrites(gradSinks, counts: counts)
        let lossSink = KernelSink(target: .loss, levels: [], path: [], value: lossValue, accumulate: true)

        var samplerFunctions: [SamplerFunctions] = []
        var samplerGraphs: [(KernelSampler, ValueID, LoopLevel)] = []
        for s in program.samplers {
            var l = lowering
            let mean = SafeForms.apply(lowering.componentwise(s.mean, "j")).0
            let variance = SafeForms.apply(lowering.componentwise(s.variance, "j")).0
            let term = Expr.add([mean, .mul([.power(variance, .number(.half)), .component(s.noise, index: "j")])])
            let (value, level) = try l.lower(term, index: "j", over: s.dimension, into: &g)
            samplerGraphs.append((s, value, level))
        }
        // Sampler backward passes, seeded with the incoming gradient of the output.
        var samplerAdjoints: [[ValueID: ValueID]] = []
        for (s, value, level) in samplerGraphs {
            let incoming = g.leaf(.incomingGradient(s.output, levels: [level]), context: [level])
            samplerAdjoints.append(Differentiation.adjoints(in: &g, roots: [(value, incoming)]))
        }

        loss = KernelFunction(kind: .loss, graph: g, sinks: [lossSink], inputGradients: [], overwrittenGradients: [],
                              paramGradients: [], accumulatesIntoExisting: false)
        lossAndGradient = KernelFunction(kind: .lossAndGradient, graph: g, sinks: [lossSink] + sinks,
                                         inputGradients: gradientInputs, overwrittenGradients: overwritten,
                                         paramGradients: program.params.map(\.name), accumulatesIntoExisting: false)
        for ((s, value, level), adj) in zip(samplerGraphs, samplerAdjoints) {
            let forward = KernelFunction(
                kind: .sample(s.output), graph: g,
                sinks: [KernelSink(target: .output(s.output), levels: [level], path: [level], value: value, accumulate: false)],
                inputGradients: [], overwrittenGradients: [], paramGradients: [], accumulatesIntoExisting: false)
            let (bs, _) = KernelFunction.gradientSinks(g, adjoints: adj, inputs: differentiable, params: paramNames,
                                                       accumulate: true)
            var gi: [String] = [], gp: [String] = []
            for sink in bs {
                switch sink.target {
                case .inputGradient(let n) where !gi.contains(n): gi.append(n)
                case .paramGradient(let n) where !gp.contains(n): gp.append(n)
                default: break
                }
            }
            let backward = KernelFunction(kind: .sampleBackward(s.output), graph: g, sinks: bs, inputGradients: gi,
                                          overwrittenGradients: [], paramGradients: gp, accumulatesIntoExisting: true)
            let reads = program.inputs.map(\.name).filter { Self.reads(g, value).contains($0) && $0 != s.noise }
            samplerFunctions.append(SamplerFunctions(output: s.output, forward: forward, backward: backward, reads: reads,
                                                     gradientInputs: gi, gradientParams: gp))
        }
        samplers = samplerFunctions
    }

    /// The inputs a value reads.
    static func reads(_ g: KernelGraph, _ v: ValueID) -> Set<String> {
        var out = Set<String>()
        for id in g.closure(of: [v]) { if case .input(let n, _) = g[id].op { out.insert(n) } }
        return out
    }
}

/// Adds the symbolic upper bounds of the finite sums in `e` to `dims`.
func collectBounds(_ e: Expr, into dims: inout Set<String>) {
    if case .indexedSum(_, _, .symbol(let d), _) = e { dims.insert(d) }
    for c in e.children { collectBounds(c, into: &dims) }
}
