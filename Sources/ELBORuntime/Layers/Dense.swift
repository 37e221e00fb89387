import Foundation

/// A fully connected layer `y = x·W + b` with an explicit backward pass.
///
/// The weight is stored `[inputs, outputs]`, so the forward pass is a plain NN product of the
/// batch `[B, inputs]` with it, the weight gradient is `xᵀ·dY` (TN) and the input gradient is
/// `dY·Wᵀ` (NT): no transposed copies are ever made.
public struct Dense: Sendable {
    /// The weight matrix, `[inputs, outputs]`.
    public var weight: Tensor
    /// The bias, `[outputs]`.
    public var bias: Tensor
    /// The accumulated gradient of the loss with respect to `weight`.
    public var weightGradient: Tensor
    /// The accumulated gradient of the loss with respect to `bias`.
    public var biasGradient: Tensor
    /// The input of the last `forward`, kept for `backward`.
    private var lastInput: Tensor?

    /// The number of input features.
    public var inputSize: Int { weight.shape[0] }
    /// The number of output features.
    public var outputSize: Int { weight.shape[1] }

    /// A layer initialised as PyTorch's `nn.Linear`: weight and bias both drawn from
    /// U(−1/√inputs, 1/√inputs) (Kaiming-uniform with a = √5 reduces to exactly this bound).
    public init(inputSize: Int, outputSize: Int, rng: inout RNG) {
        precondition(inputSize > 0 && outputSize > 0, "Dense: sizes must be positive")
        let bound = 1 / Float(inputSize).squareRoot()
        weight = Tensor(shape: [inputSize, outputSize],
                        data: (0..<(inputSize * outputSize)).map { _ in rng.uniformFloat(in: -bound, bound) })
        bias = Tensor(shape: [outputSize],
                      data: (0..<outputSize).map { _ in rng.uniformFloat(in: -bound, bound) })
        weightGradient = Tensor(zeros: weight.shape)
        biasGradient = Tensor(zeros: bias.shape)
    }

    /// A layer with the given weight `[inputs, outputs]` and bias `[outputs]`.
    public init(weight: Tensor, bias: Tensor) {
        precondition(weight.rank == 2 && bias.shape == [weight.shape[1]],
                     "Dense: weight \(weight.shape) and bias \(bias.shape) do not fit")
        self.weight = weight
        self.bias = bias
        weightGradient = Tensor(zeros: weight.shape)
        biasGradient = Tensor(zeros: bias.shape)
    }

    /// `x·W + b` for a batch `x` of shape `[B, inputs]`, without remembering anything.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputSize,
                     "Dense: input shape \(x.shape), expected [B, \(inputSize)]")
        // Start from the bias in every row and accumulate the product on top (beta = 1),
        // which saves a separate pass over the output.
        var y = Tensor(zeros: [x.shape[0], outputSize])
        y.addToEachRow(bias)
        gemm(x, .none, weight, .none, beta: 1, into: &y)
        return y
    }

    /// The forward pass for training: remembers `x` for `backward`.
    public mutating func forward(_ x: Tensor) -> Tensor {
        lastInput = x
        return self(x)
    }

    /// Accumulates `dW += xᵀ·dY` and `db += Σ_rows dY` for the last forward input.
    public mutating func accumulateGradients(_ outputGradient: Tensor) {
        guard let x = lastInput else { preconditionFailure("Dense.backward called before forward") }
        precondition(outputGradient.shape == [x.shape[0], outputSize],
                     "Dense.backward: gradient shape \(outputGradient.shape), expected [\(x.shape[0]), \(outputSize)]")
        gemm(x, .transposed, outputGradient, .none, beta: 1, into: &weightGradient)
        biasGradient += outputGradient.sumOverRows()
    }

    /// Accumulates the parameter gradients and returns the input gradient `dY·Wᵀ`.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        accumulateGradients(outputGradient)
        var dx = Tensor(zeros: [outputGradient.shape[0], inputSize])
        gemm(outputGradient, .none, weight, .transposed, into: &dx)
        return dx
    }

    /// Sets both gradients to zero.
    public mutating func zeroGradients() {
        weightGradient.zero()
        biasGradient.zero()
    }
}
