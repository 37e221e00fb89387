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
        output(x, relu: false)
    }

    /// `x·W + b`, or `max(x·W + b, 0)` with `relu`, in one pass over the output: the bias and
    /// the activation are the GEMM's epilogue. The bias is added where a product accumulated
    /// onto a C holding the bias would add it, so the result is the same to the bit.
    public func output(_ x: Tensor, relu: Bool) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputSize,
                     "Dense: input shape \(x.shape), expected [B, \(inputSize)]")
        let (rows, n, k) = (x.shape[0], outputSize, inputSize)
        if rows == 0 { return Tensor(zeros: [0, n]) }
        return Tensor(shape: [rows, n]) { out in
            x.withUnsafeBufferPointer { px in
                weight.withUnsafeBufferPointer { pw in
                    bias.withUnsafeBufferPointer { pb in
                        gemm(.none, .none, m: rows, n: n, k: k, a: px.baseAddress!, lda: k, b: pw.baseAddress!, ldb: n,
                             beta: 0, c: out.baseAddress!, ldc: n, epilogue: GEMMEpilogue(bias: pb.baseAddress!, relu: relu))
                    }
                }
            }
        }
    }

    /// The forward pass for training: remembers `x` for `backward`.
    public mutating func forward(_ x: Tensor) -> Tensor {
        lastInput = x
        return self(x)
    }

    /// The forward pass for training with ReLU fused into the product (`max(x·W + b, 0)`).
    public mutating func forward(_ x: Tensor, relu: Bool) -> Tensor {
        lastInput = x
        return output(x, relu: relu)
    }

    /// Accumulates `dW += xᵀ·dY` and `db += Σ_rows dY` for the last forward input.
    public mutating func accumulateGradients(_ outputGradient: Tensor) {
        accumulateGradients(outputGradient, replacing: false)
    }

    /// `dW = xᵀ·dY` and `db = Σ_rows dY` with `replacing` (no zeroing pass and no read of the old
    /// gradient: the product is stored with beta 0), otherwise added to the gradients.
    public mutating func accumulateGradients(_ outputGradient: Tensor, replacing: Bool) {
        guard let x = lastInput else { preconditionFailure("Dense.backward called before forward") }
        precondition(outputGradient.shape == [x.shape[0], outputSize],
                     "Dense.backward: gradient shape \(outputGradient.shape), expected [\(x.shape[0]), \(outputSize)]")
        gemm(x, .transposed, outputGradient, .none, beta: replacing ? 0 : 1, into: &weightGradient)
        if replacing {
            biasGradient = outputGradient.sumOverRows()
        } else {
            biasGradient += outputGradient.sumOverRows()
        }
    }

    /// Accumulates the parameter gradients and returns the input gradient `dY·Wᵀ`.
    public mutating func backward(_ outputGradient: Tensor) -> Tensor {
        accumulateGradients(outputGradient)
        return inputGradient(outputGradient, gate: nil)
    }

    /// The input gradient `dY·Wᵀ`; with a `gate` (`[B, inputs]`, the output of a ReLU that fed
    /// this layer), each element times 1 where the gate is positive and 0 elsewhere, which is
    /// that ReLU's backward pass fused into the product.
    public func inputGradient(_ outputGradient: Tensor, gate: Tensor?) -> Tensor {
        let (rows, n, k) = (outputGradient.shape[0], inputSize, outputSize)
        precondition(outputGradient.shape == [rows, k], "Dense.inputGradient: gradient shape \(outputGradient.shape)")
        precondition(gate.map { $0.shape == [rows, n] } ?? true, "Dense.inputGradient: gate shape \(gate!.shape)")
        if rows == 0 { return Tensor(zeros: [0, n]) }
        return Tensor(shape: [rows, n]) { out in
            outputGradient.withUnsafeBufferPointer { pg in
                weight.withUnsafeBufferPointer { pw in
                    func product(_ gatePointer: UnsafePointer<Float>?) {
                        gemm(.none, .transposed, m: rows, n: n, k: k, a: pg.baseAddress!, lda: k, b: pw.baseAddress!, ldb: k,
                             beta: 0, c: out.baseAddress!, ldc: n, epilogue: GEMMEpilogue(gate: gatePointer, ldGate: n))
                    }
                    if let gate { gate.withUnsafeBufferPointer { product($0.baseAddress!) } } else { product(nil) }
                }
            }
        }
    }

    /// Sets both gradients to zero.
    public mutating func zeroGradients() {
        weightGradient.zero()
        biasGradient.zero()
    }
}
