/// A model assembled from a generated kernel's descriptor: one MLP per network (inputs
/// concatenated, labels one-hot), the kernel's samplers and transforms, and the kernel's own
/// parameters. Nothing about the loss is written by hand: it is all `K`.
///
/// A training step runs transforms, then the networks in order, drawing each sampler's
/// output (with noise from the trainer's generator) as soon as its inputs exist; then the
/// kernel's loss and gradient; then back through samplers and networks in reverse.
public struct GraphModel<K: ObjectiveKernel>: TrainableModel {
    /// One step of the forward pass.
    public enum Step: Equatable, Sendable {
        case transform(Int), network(Int), sampler(Int)
    }

    public let descriptor: KernelDescriptor
    /// The size of every dimension symbol.
    public let dims: [String: Int]
    /// Hidden layer widths of every network.
    public let hidden: [Int]
    /// One MLP per network of the descriptor, in its order.
    public var networks: [MLP]
    /// The kernel's parameters, in the descriptor's order.
    public var kernelParams: [Tensor]
    var kernelParamGradients: [Tensor]
    /// The forward pass, in execution order.
    public let steps: [Step]
    let dataInput: String?
    let labelInputs: [String]

    /// Builds the networks for the given dimension sizes (e.g. `["k": 784, "m": 20]`), with
    /// `hidden` layers of ReLU units each (default: one of 400, as the reference MNIST VAE).
    public init(dims: [String: Int], hidden: [Int] = [400], rng: inout RNG) throws {
        let d = K.descriptor
        descriptor = d
        self.dims = dims
        self.hidden = hidden
        for s in d.dimensions where dims[s] == nil {
            throw GraphModelError.missingDimension(s, kernel: d.name)
        }
        let data = d.inputs.filter { $0.role == .data }.map(\.name)
        if data.count > 1 { throw GraphModelError.dataInputs(data) }
        dataInput = data.first
        labelInputs = d.inputs.filter { $0.role == .label }.map(\.name)
        steps = try Self.plan(d)
        for t in d.transforms {
            try KernelTransforms.validate(t.function, output: t.output, inputWidth: d.width(of: t.input, dims: dims),
                                          outputWidth: d.width(of: t.output, dims: dims))
        }
        var nets: [MLP] = []
        for n in d.networks {
            let inWidth = n.inputs.reduce(0) { $0 + d.width(of: $1, dims: dims) }
            let outWidth = n.outputs.reduce(0) { $0 + d.width(of: $1, dims: dims) }
            nets.append(MLP(sizes: [inWidth] + hidden + [outWidth], activation: .relu, rng: &rng))
        }
        networks = nets
        kernelParams = d.params.map { p in
            let shape = p.shape.map { dims[$0] ?? Int($0)! }
            var t = Tensor(shape: shape.isEmpty ? [1] : shape, repeating: Float(p.initialValue))
            if p.initialSpread > 0 {
                for i in 0..<t.count { t.data[i] += Float(p.initialSpread) * rng.normalFloat() }
            }
            return t
        }
        kernelParamGradients = kernelParams.map { Tensor(zeros: $0.shape) }
    }

    /// The order of transforms, networks and samplers such that each one's inputs exist.
    static func plan(_ d: KernelDescriptor) throws -> [Step] {
        var available = Set(d.inputs.filter { $0.role == .data || $0.role == .label }.map(\.name))
        var steps: [Step] = []
        var doneT = Set<Int>(), doneS = Set<Int>()
        func ready() {
            var progress = true
            while progress {
                progress = false
                for (i, t) in d.transforms.enumerated() where !doneT.contains(i) && available.contains(t.input) {
                    steps.append(.transform(i)); doneT.insert(i); available.insert(t.output); progress = true
                }
                for (i, s) in d.samplers.enumerated() where !doneS.contains(i) && Set(s.reads).isSubset(of: available) {
                    steps.append(.sampler(i)); doneS.insert(i); available.insert(s.output); progress = true
                }
            }
        }
        ready()
        for (i, n) in d.networks.enumerated() {
            if let missing = n.inputs.first(where: { !available.contains($0) }) {
                throw GraphModelError.unavailable(missing, neededBy: "network \(n.name)")
            }
            steps.append(.network(i))
            available.formUnion(n.outputs)
            ready()
        }
        for i in d.inputs where i.readByLoss && i.role != .noise && !available.contains(i.name) {
            throw GraphModelError.unavailable(i.name, neededBy: "the loss")
        }
        return steps
    }

    // MARK: TrainableModel

    public var checkpointIdentifier: String {
        "GraphModel<\(descriptor.name)> hidden \(hidden) dims \(dims.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })"
    }

    public var parameterNames: [String] {
        var names: [String] = []
        for (n, mlp) in zip(descriptor.networks, networks) { names += mlp.parameterNames.map { "\(n.name).\($0)" } }
        return names + descriptor.params.map { "param.\($0.name)" }
    }

    public var parameters: [Tensor] {
        get { networks.flatMap(\.parameters) + kernelParams }
        set {
            var rest = newValue[...]
            for i in networks.indices {
                let n = networks[i].parameters.count
                networks[i].parameters = Array(rest.prefix(n))
                rest = rest.dropFirst(n)
            }
            precondition(rest.count == kernelParams.count, "GraphModel.parameters: \(newValue.count) tensors")
            for (i, t) in rest.enumerated() {
                precondition(t.shape == kernelParams[i].shape, "GraphModel.parameters: shape of \(descriptor.params[i].name)")
                kernelParams[i] = t
            }
        }
    }

    public mutating func updateParameters(_ body: (Int, inout Tensor, Tensor) -> Void) {
        var index = 0
        for i in networks.indices {
            networks[i].updateParameters { p, g in body(index, &p, g); index += 1 }
        }
        for i in kernelParams.indices {
            body(index, &kernelParams[i], kernelParamGradients[i])
            index += 1
        }
    }

    public mutating func trainStep(batch: Batch, rng: inout RNG) -> Float {
        // Every network's backward pass below overwrites its gradients (no zeroing pass needed).
        var run = Run(batchSize: batch.count, dims: dims)
        forward(batch, rng: &rng, training: true, into: &run)
        var gradients = KernelGradients<Float>()
        let loss = K.loss(inputs: run.kernelBatch, params: kernelParameterValues, gradients: &gradients)
        backward(run, gradients: &gradients)
        for (i, p) in descriptor.params.enumerated() {
            let n = kernelParams[i].count
            kernelParamGradients[i] = Tensor(shape: kernelParams[i].shape,
                                             data: Array(UnsafeBufferPointer(start: gradients.param(p.name, count: n), count: n)))
        }
        return loss
    }

    public func evaluate(batch: Batch, rng: inout RNG) -> Float {
        var copy = self
        var run = Run(batchSize: batch.count, dims: dims)
        copy.forward(batch, rng: &rng, training: false, into: &run)
        return K.loss(inputs: run.kernelBatch, params: kernelParameterValues)
    }

    // MARK: Forward and backward

    /// The values of one forward pass.
    struct Run {
        var kernelBatch: KernelBatch<Float>
        var values: [String: Tensor] = [:]
        init(batchSize: Int, dims: [String: Int]) { kernelBatch = KernelBatch(batchSize: batchSize, dims: dims) }

        mutating func set(_ name: String, _ t: Tensor) {
            values[name] = t
            kernelBatch.set(name, buffer: KernelBuffer(t.data))
        }
    }

    var kernelParameterValues: KernelParams<Float> {
        var p = KernelParams<Float>()
        for (d, t) in zip(descriptor.params, kernelParams) { p.set(d.name, t.data) }
        return p
    }

    func width(_ name: String) -> Int { descriptor.width(of: name, dims: dims) }

    mutating func forward(_ batch: Batch, rng: inout RNG, training: Bool, into run: inout Run) {
        let b = batch.count
        if let x = dataInput {
            precondition(batch.inputs.rowLength == width(x),
                         GraphModelError.dataWidth(input: x, expected: width(x), actual: batch.inputs.rowLength).description)
            run.set(x, batch.inputs.rank == 2 ? batch.inputs : batch.inputs.reshaped([b, width(x)]))
        }
        for l in labelInputs { run.set(l, batch.oneHotLabels(classes: width(l))) }
        for step in steps {
            switch step {
            case .transform(let i):
                let t = descriptor.transforms[i]
                run.set(t.output, try! KernelTransforms.apply(t.function, run.values[t.input]!, outputWidth: width(t.output)))
            case .network(let i):
                let n = descriptor.networks[i]
                let x = Tensor.concatenatingColumns(n.inputs.map { run.values[$0]! })
                let y = training ? networks[i].forward(x) : networks[i](x)
                var offset = 0
                for o in n.outputs {
                    let w = width(o)
                    run.set(o, n.outputs.count == 1 ? y : y.columns(offset..<(offset + w)))
                    offset += w
                }
            case .sampler(let i):
                let s = descriptor.samplers[i]
                var noise = Tensor(zeros: [b, width(s.noise)])
                noise.withUnsafeMutableBufferPointer { rng.fillNormal($0) }
                run.set(s.noise, noise)
                K.sample(s.output, inputs: &run.kernelBatch, params: kernelParameterValues)
                run.values[s.output] = Tensor(shape: [b, width(s.output)], data: run.kernelBatch.values(s.output)!)
            }
        }
    }

    mutating func backward(_ run: Run, gradients: inout KernelGradients<Float>) {
        let b = run.kernelBatch.batchSize
        let differentiable: Set<KernelRole> = [.networkOutput, .sample]
        for step in steps.reversed() {
            switch step {
            case .transform: break
            case .sampler(let i):
                K.sampleBackward(descriptor.samplers[i].output, inputs: run.kernelBatch, params: kernelParameterValues,
                                 gradients: &gradients)
            case .network(let i):
                let n = descriptor.networks[i]
                let parts = n.outputs.map { o -> Tensor in
                    let c = b * width(o)
                    return Tensor(shape: [b, width(o)], data: Array(UnsafeBufferPointer(start: gradients.input(o, count: c), count: c)))
                }
                let dy = parts.count == 1 ? parts[0] : Tensor.concatenatingColumns(parts)
                let needsInput = n.inputs.contains { descriptor.input($0).map { differentiable.contains($0.role) } ?? false }
                let dx = networks[i].backward(dy, needsInputGradient: needsInput, replacingGradients: true)
                guard needsInput else { continue }
                var offset = 0
                for name in n.inputs {
                    let w = width(name)
                    defer { offset += w }
                    guard let role = descriptor.input(name)?.role, differentiable.contains(role) else { continue }
                    let g = gradients.input(name, count: b * w)
                    dx.withUnsafeBufferPointer { src in
                        for r in 0..<b {
                            for j in 0..<w { g[r * w + j] += src[r * dx.rowLength + offset + j] }
                        }
                    }
                }
            }
        }
    }

    // MARK: Pictures

    /// Runs network `name` (stateless) on the given inputs and returns its outputs by name:
    /// e.g. the decoder on latent codes drawn from the prior.
    public func run(network name: String, inputs: [String: Tensor]) -> [String: Tensor] {
        guard let i = descriptor.networks.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("GraphModel: no network '\(name)' in \(descriptor.networks.map(\.name))")
        }
        let n = descriptor.networks[i]
        let x = Tensor.concatenatingColumns(n.inputs.map { name in
            guard let t = inputs[name] else { preconditionFailure("GraphModel.run: input '\(name)' not given") }
            return t
        })
        let y = networks[i](x)
        var out: [String: Tensor] = [:]
        var offset = 0
        for o in n.outputs {
            out[o] = y.columns(offset..<(offset + width(o)))
            offset += width(o)
        }
        return out
    }

    /// Every named value of a forward pass on `batch` (data, transforms, network outputs,
    /// noise and samples): reconstructions for pictures.
    public func values(batch: Batch, rng: inout RNG) -> [String: Tensor] {
        var copy = self
        var run = Run(batchSize: batch.count, dims: dims)
        copy.forward(batch, rng: &rng, training: false, into: &run)
        return run.values
    }
}
