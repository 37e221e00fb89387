/// What a per-example value of a kernel is, mirroring the code generator's input roles.
public enum KernelRole: String, Sendable, Hashable, CaseIterable {
    /// Read from the data set (an observed variable).
    case data
    /// A class label, one-hot encoded.
    case label
    /// Produced by a network.
    case networkOutput
    /// Standard normal noise for a sampler.
    case noise
    /// Produced by a sampler (a reparameterised latent).
    case sample
    /// Produced by a deterministic transform of another input.
    case transformed
}

/// Everything the runtime needs to know about a generated kernel, as plain strings and
/// numbers: the runtime knows nothing of symbolic terms.
public struct KernelDescriptor: Sendable {
    /// One per-example input of the loss or of a sampler.
    public struct Input: Sendable, Hashable {
        public var name: String
        public var role: KernelRole
        /// The dimension symbol of its width, or nil for a scalar.
        public var dimension: String?
        /// Whether the loss reads it (inputs only samplers read may be absent in `--eval`).
        public var readByLoss: Bool
        /// Whether `loss(…, gradients:)` writes its gradient.
        public var hasGradient: Bool
        public init(name: String, role: KernelRole, dimension: String?, readByLoss: Bool, hasGradient: Bool) {
            self.name = name; self.role = role; self.dimension = dimension
            self.readByLoss = readByLoss; self.hasGradient = hasGradient
        }
    }

    /// A learnable parameter shared by all examples.
    public struct Param: Sendable, Hashable {
        public var name: String
        /// Dimension symbols of the shape, outermost first; empty for a scalar.
        public var shape: [String]
        public var initialValue: Double
        /// The standard deviation of Gaussian noise added to each component at initialisation
        /// (0: every component starts at `initialValue`); breaks the symmetry of mixture means.
        public var initialSpread: Double
        public init(name: String, shape: [String], initialValue: Double, initialSpread: Double = 0) {
            self.name = name; self.shape = shape; self.initialValue = initialValue; self.initialSpread = initialSpread
        }
    }

    /// `output = mean + sqrt(variance) ⊙ noise`.
    public struct Sampler: Sendable, Hashable {
        public var output: String
        public var noise: String
        public var dimension: String
        /// The mean and variance as written, for people.
        public var mean: String
        public var variance: String
        /// The inputs the mean and variance read (noise excluded).
        public var reads: [String]
        /// The inputs and parameters `sampleBackward` accumulates gradients into.
        public var gradientInputs: [String]
        public var gradientParams: [String]
        public init(output: String, noise: String, dimension: String, mean: String, variance: String,
                    reads: [String], gradientInputs: [String], gradientParams: [String]) {
            self.output = output; self.noise = noise; self.dimension = dimension; self.mean = mean
            self.variance = variance; self.reads = reads; self.gradientInputs = gradientInputs
            self.gradientParams = gradientParams
        }
    }

    /// A network: its inputs (concatenated) and outputs (split by width), in execution order.
    public struct Network: Sendable, Hashable {
        public var name: String
        public var inputs: [String]
        public var outputs: [String]
        public init(name: String, inputs: [String], outputs: [String]) {
            self.name = name; self.inputs = inputs; self.outputs = outputs
        }
    }

    /// A deterministic transform the runtime computes, e.g. `y = downsample2x2(x)`.
    public struct Transform: Sendable, Hashable {
        public var output: String
        public var function: String
        public var input: String
        public init(output: String, function: String, input: String) {
            self.output = output; self.function = function; self.input = input
        }
    }

    /// The kernel's type name.
    public var name: String
    public var specPath: String
    public var specHash: String
    public var derivation: String
    public var objective: String
    /// The per-example loss after safe rewriting, in spec syntax.
    public var loss: String
    /// Every dimension symbol the kernel uses, sorted.
    public var dimensions: [String]
    public var inputs: [Input]
    public var params: [Param]
    public var samplers: [Sampler]
    public var networks: [Network]
    public var transforms: [Transform]

    public init(name: String, specPath: String, specHash: String, derivation: String, objective: String,
                loss: String, dimensions: [String], inputs: [Input], params: [Param], samplers: [Sampler],
                networks: [Network], transforms: [Transform]) {
        self.name = name; self.specPath = specPath; self.specHash = specHash; self.derivation = derivation
        self.objective = objective; self.loss = loss; self.dimensions = dimensions; self.inputs = inputs
        self.params = params; self.samplers = samplers; self.networks = networks; self.transforms = transforms
    }

    /// The input called `name`.
    public func input(_ name: String) -> Input? { inputs.first { $0.name == name } }

    /// The width of input `name` (1 for a scalar) given the dimension sizes.
    public func width(of name: String, dims: [String: Int]) -> Int {
        guard let d = input(name)?.dimension else { return 1 }
        guard let n = dims[d] ?? Int(d) else { preconditionFailure("\(self.name): dimension '\(d)' not given") }
        return n
    }

    /// The number of scalars of parameter `p` given the dimension sizes.
    public func count(of p: Param, dims: [String: Int]) -> Int {
        p.shape.reduce(1) { acc, d in
            guard let n = dims[d] ?? Int(d) else { preconditionFailure("\(name): dimension '\(d)' not given") }
            return acc * n
        }
    }
}

/// A generated loss kernel: the mean over a batch of a per-example negative bound, its
/// gradient with respect to every network output, sample and parameter, and the
/// reparameterised samplers with their backward. Float for training, Double for tests.
///
/// Conforming types are written by `elbo generate` into `Generated/`; do not write one by hand.
public protocol ObjectiveKernel {
    /// Names, roles, shapes and the model's wiring.
    static var descriptor: KernelDescriptor { get }

    /// The mean loss over the batch.
    static func loss(inputs: KernelBatch<Float>, params: KernelParams<Float>) -> Float
    /// The mean loss over the batch; overwrites every gradient the kernel owns.
    static func loss(inputs: KernelBatch<Float>, params: KernelParams<Float>,
                     gradients: inout KernelGradients<Float>) -> Float
    /// Writes sampler `output` from its mean, variance and noise inputs.
    static func sample(_ output: String, inputs: inout KernelBatch<Float>, params: KernelParams<Float>)
    /// Given the gradient of `output` in `gradients`, accumulates the gradients of the sampler's
    /// inputs and parameters.
    static func sampleBackward(_ output: String, inputs: KernelBatch<Float>, params: KernelParams<Float>,
                               gradients: inout KernelGradients<Float>)

    /// The same in Double, for gradient checks.
    static func loss(inputs: KernelBatch<Double>, params: KernelParams<Double>) -> Double
    static func loss(inputs: KernelBatch<Double>, params: KernelParams<Double>,
                     gradients: inout KernelGradients<Double>) -> Double
    static func sample(_ output: String, inputs: inout KernelBatch<Double>, params: KernelParams<Double>)
    static func sampleBackward(_ output: String, inputs: KernelBatch<Double>, params: KernelParams<Double>,
                               gradients: inout KernelGradients<Double>)
}
