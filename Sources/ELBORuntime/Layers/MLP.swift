/// A stack of dense layers with an activation between them; the last layer is linear unless
/// an output activation is given.
///
/// `forward` remembers what `backward` needs; `callAsFunction` is the stateless inference path.
/// Parameters are exposed as one flat, ordered list (`layer0.weight`, `layer0.bias`, …) so an
/// optimiser and a checkpoint can treat every model alike.
public struct MLP: Sendable {
    /// The dense layers, first to last.
    public var layers: [Dense]
    /// The activation after every layer but the last.
    public let activation: Activation
    /// The activation after the last layer (identity by default).
    public let outputActivation: Activation
    /// Per layer, the pre-activation (nil when the activation was fused into the product: ReLU
    /// and identity, whose derivatives the output gives) and post-activation of the last
    /// forward pass.
    private var cache: [(preActivation: Tensor?, output: Tensor)] = []

    /// An MLP with layer widths `sizes` (input first, output last), PyTorch-initialised.
    public init(sizes: [Int], activation: Activation, outputActivation: Activation = .identity,
                rng: inout RNG) {
        precondition(sizes.count >= 2, "MLP: needs at least input and output sizes, got \(sizes)")
        var layers: [Dense] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(Dense(inputSize: sizes[i], outputSize: sizes[i + 1], rng: &rng))
        }
        self.init(layers: layers, activation: activation, outputActivation: outputActivation)
    }

    /// An MLP from existing layers.
    public init(layers: [Dense], activation: Activation, outputActivation: Activation = .identity) {
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.outputSize == b.inputSize,
                         "MLP: layer of \(a.outputSize) outputs feeds one of \(b.inputSize) inputs")
        }
        self.layers = layers
        self.activation = activation
        self.outputActivation = outputActivation
    }

    private func activation(ofLayer i: Int) -> Activation {
        i == layers.count - 1 ? outputActivation : activation
    }

    /// The network's output for a batch `[B, inputs]`, without remembering anything.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            let f = activation(ofLayer: i)
            h = Self.isFused(f) ? layer.output(h, relu: f == .relu) : f(layer(h))
        }
        return h
    }

    /// Whether the product applies `f` as it stores its result (no pass of its own).
    private static func isFused(_ f: Activation) -> Bool { f == .relu || f == .identity }

    /// The forward pass for training.
    public mutating func forward(_ x: Tensor) -> Tensor {
        cache.removeAll(keepingCapacity: true)
        var h = x
        for i in layers.indices {
            let f = activation(ofLayer: i)
            if Self.isFused(f) {
                h = layers[i].forward(h, relu: f == .relu)
                cache.append((nil, h))
            } else {
                let z = layers[i].forward(h)
                h = f(z)
                cache.append((z, h))
            }
        }
        return h
    }

    /// Back-propagates `dY` through the last forward pass, accumulating every parameter
    /// gradient, and returns the gradient with respect to the input.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true, replacingGradients: false)
    }

    /// Like `backward`, but skips the first layer's input gradient (an `[B, inputs]` product)
    /// when nothing upstream needs it, as for an encoder fed directly by data.
    public mutating func accumulateGradients(_ outputGradient: Tensor) {
        _ = backward(outputGradient, needsInputGradient: false, replacingGradients: false)
    }

    /// Back-propagates `dY`; with `replacingGradients` the parameter gradients are overwritten
    /// (the products stored with beta 0, so no zeroing pass is needed before), otherwise added
    /// to. Returns the input gradient, or an empty tensor when `needsInputGradient` is false.
    public mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool, replacingGradients: Bool) -> Tensor {
        precondition(cache.count == layers.count, "MLP.backward called before forward")
        // A fused activation's derivative follows from its output (ReLU: x > 0 exactly where
        // max(x, 0) > 0), so the output stands in for the input it did not keep.
        let last = layers.count - 1
        var g = outputActivation.backward(outputGradient, input: cache[last].preActivation ?? cache[last].output,
                                          output: cache[last].output)
        for i in layers.indices.reversed() {
            layers[i].accumulateGradients(g, replacing: replacingGradients)
            if i == 0 {
                return needsInputGradient ? layers[0].inputGradient(g, gate: nil) : Tensor(zeros: [0])
            }
            // The activation between layer i−1 and layer i: ReLU's gate is fused into the product.
            let (z, h) = cache[i - 1]
            if activation == .relu {
                g = layers[i].inputGradient(g, gate: h)
            } else {
                g = activation.backward(layers[i].inputGradient(g, gate: nil), input: z ?? h, output: h)
            }
        }
        return g
    }

    /// Sets every gradient to zero.
    public mutating func zeroGradients() {
        for i in layers.indices { layers[i].zeroGradients() }
    }

    /// The names of the parameters, in the order of `parameters`.
    public var parameterNames: [String] {
        layers.indices.flatMap { ["layer\($0).weight", "layer\($0).bias"] }
    }

    /// The parameters, flattened: weight then bias of each layer in turn.
    public var parameters: [Tensor] {
        get { layers.flatMap { [$0.weight, $0.bias] } }
        set {
            precondition(newValue.count == 2 * layers.count,
                         "MLP.parameters: \(newValue.count) tensors for \(2 * layers.count) parameters")
            for i in layers.indices {
                precondition(newValue[2 * i].shape == layers[i].weight.shape
                             && newValue[2 * i + 1].shape == layers[i].bias.shape,
                             "MLP.parameters: shape mismatch at layer \(i)")
                layers[i].weight = newValue[2 * i]
                layers[i].bias = newValue[2 * i + 1]
            }
        }
    }

    /// The gradients, in the order of `parameters`.
    public var gradients: [Tensor] {
        layers.flatMap { [$0.weightGradient, $0.biasGradient] }
    }

    /// The total number of scalar parameters.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.weight.count + $1.bias.count } }

    /// Calls `body` on each parameter (in place, without copying it) with its gradient, in the
    /// order of `parameters`: the hook an optimiser step goes through.
    public mutating func updateParameters(_ body: (_ parameter: inout Tensor, _ gradient: Tensor) -> Void) {
        for i in layers.indices {
            body(&layers[i].weight, layers[i].weightGradient)
            body(&layers[i].bias, layers[i].biasGradient)
        }
    }
}
