import ELBOAlgebra

/// What code generation starts from: the per-example negative bound of one checked
/// objective as a scalar expression, the inputs it reads, and how the model's networks,
/// samplers and deterministic transitions connect. `ObjectiveLowering` builds it from a
/// `CheckedDerivation`; nothing outside this module can build or change one (tests build
/// scratch programs through `@testable import`; the fixture kernels still come from
/// `Fixtures.swift` in this module, not from specs).
///
/// Scalar expressions use `.symbol` for scalars and whole vectors, `.component(v, index: j)`
/// inside `.indexedSum(index: j, from: 1, to: .symbol(dim), …)`, and these functions that the
/// kernel IR knows with numerically safe forms and exact derivatives:
/// `softplus(a)` = log(1 + eᵃ), `sigmoid(a)`, `logsigmoid(a)`, `log1p(a)`, `expm1(a)`,
/// `logsumexp_i(…)` via `.apply("logsumexp", [.indexedSum(i, 1, K, body)])` = log Σ_i exp(body),
/// and `sqrt`. Everything else is `+ × ^ log exp` and numbers.
public struct LossProgram: Sendable, Hashable {
    /// The objective's name, e.g. `vae_loss`; becomes the kernel's type name.
    public internal(set) var name: String
    /// The spec it came from and the SHA-256-free content hash of that file (FNV-1a 64).
    public internal(set) var specPath: String
    public internal(set) var specHash: String
    /// The derivation and step the objective refers to, for the generated header.
    public internal(set) var derivation: String
    public internal(set) var objectiveText: String
    /// Every per-example input of the loss and the samplers.
    public internal(set) var inputs: [KernelInput]
    /// Learnable parameters shared by all examples (`param` declarations, mixture weights…).
    public internal(set) var params: [KernelParam]
    /// Reparameterised samplers: `output = mean + sqrt(variance) ⊙ noise`, generated with
    /// their backward.
    public internal(set) var samplers: [KernelSampler]
    /// The networks of the model, in execution order.
    public internal(set) var networks: [KernelNetwork]
    /// Deterministic transitions such as `y = downsample(x)`, computed by the runtime.
    public internal(set) var transforms: [KernelTransform]
    /// The per-example loss (negative bound), scalar.
    public internal(set) var loss: Expr
    /// Monte Carlo samples per example for expectations without a closed form.
    public internal(set) var samples: Int

    /// Internal: a loss program comes from `ObjectiveLowering.lower` of a `CheckedDerivation`
    /// (which only the checker makes), or from a fixture of this module.
    init(name: String, specPath: String, specHash: String, derivation: String, objectiveText: String,
                inputs: [KernelInput], params: [KernelParam], samplers: [KernelSampler], networks: [KernelNetwork],
                transforms: [KernelTransform], loss: Expr, samples: Int = 1) {
        self.name = name; self.specPath = specPath; self.specHash = specHash; self.derivation = derivation
        self.objectiveText = objectiveText; self.inputs = inputs; self.params = params; self.samplers = samplers
        self.networks = networks; self.transforms = transforms; self.loss = loss; self.samples = samples
    }
}

/// One per-example input vector (or scalar) of a kernel.
public struct KernelInput: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable {
        /// Data read from the data set (an observed variable).
        case data
        /// A class label, one-hot encoded, width = number of classes.
        case label
        /// Produced by a network.
        case networkOutput
        /// Standard normal noise for a sampler.
        case noise
        /// Produced by a sampler (the reparameterised latent).
        case sample
        /// Produced by a deterministic transform.
        case transformed
    }
    public var name: String
    public var role: Role
    /// The dimension symbol (`k`, `m`) or nil for a scalar.
    public var dimension: String?
    public init(name: String, role: Role, dimension: String?) { self.name = name; self.role = role; self.dimension = dimension }
}

/// A learnable parameter shared by all examples.
public struct KernelParam: Sendable, Hashable {
    public var name: String
    /// Dimension symbols of its shape; empty for a scalar.
    public var shape: [String]
    /// Initial value of every component.
    public var initialValue: Double
    /// Standard deviation of Gaussian noise the runtime adds at initialisation (mixture means).
    public var initialSpread: Double
    public init(name: String, shape: [String], initialValue: Double, initialSpread: Double = 0) {
        self.name = name; self.shape = shape; self.initialValue = initialValue; self.initialSpread = initialSpread
    }
}

/// `output_j = mean_j + sqrt(variance_j) · noise_j`, the reparameterisation of a diagonal
/// Gaussian family; `variance` is the family's variance expression (e.g. `exp(s)`).
public struct KernelSampler: Sendable, Hashable {
    public var output: String
    public var mean: Expr
    public var variance: Expr
    public var noise: String
    public var dimension: String
    public init(output: String, mean: Expr, variance: Expr, noise: String, dimension: String) {
        self.output = output; self.mean = mean; self.variance = variance; self.noise = noise; self.dimension = dimension
    }
}

/// A network of the spec: inputs (concatenated) → outputs (split by width).
public struct KernelNetwork: Sendable, Hashable {
    public var name: String
    public var inputs: [String]
    public var outputs: [String]
    public init(name: String, inputs: [String], outputs: [String]) { self.name = name; self.inputs = inputs; self.outputs = outputs }
}

/// A deterministic transition the runtime computes, e.g. `downsample2x2(x)`.
public struct KernelTransform: Sendable, Hashable {
    public var output: String
    public var function: String
    public var input: String
    public init(output: String, function: String, input: String) { self.output = output; self.function = function; self.input = input }
}
