import Foundation

/// An elementwise nonlinearity with its derivative.
public enum Activation: String, Sendable, Codable, CaseIterable {
    /// max(0, x).
    case relu
    /// 1 / (1 + e^−x).
    case sigmoid
    /// tanh(x).
    case tanh
    /// log(1 + e^x).
    case softplus
    /// x (the last layer of an MLP).
    case identity

    /// The activation of one value. Sigmoid and softplus are written so that no
    /// intermediate overflows: e^−|x| is at most 1.
    @inline(__always)
    public func value(_ x: Float) -> Float {
        switch self {
        case .relu: return x > 0 ? x : 0
        case .sigmoid: return stableSigmoid(x)
        case .tanh: return Foundation.tanh(x)
        case .softplus: return max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x)))
        case .identity: return x
        }
    }

    /// dy/dx given the input `x` and the output `y = value(x)` (whichever is cheaper is used).
    @inline(__always)
    public func derivative(input x: Float, output y: Float) -> Float {
        switch self {
        case .relu: return x > 0 ? 1 : 0
        case .sigmoid: return y * (1 - y)
        case .tanh: return 1 - y * y
        case .softplus: return stableSigmoid(x)
        case .identity: return 1
        }
    }

    /// Applies the activation to every element.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if self == .identity { return x }
        return x.map { value($0) }
    }

    /// The input gradient `dX = dY ⊙ f′(X)`, given the forward input and output.
    public func backward(_ outputGradient: Tensor, input: Tensor, output: Tensor) -> Tensor {
        if self == .identity { return outputGradient }
        precondition(outputGradient.shape == input.shape && input.shape == output.shape,
                     "Activation.backward: shapes \(outputGradient.shape), \(input.shape), \(output.shape)")
        var dx = outputGradient
        dx.withUnsafeMutableBufferPointer { d in
            input.withUnsafeBufferPointer { xs in
                output.withUnsafeBufferPointer { ys in
                    for i in d.indices { d[i] *= derivative(input: xs[i], output: ys[i]) }
                }
            }
        }
        return dx
    }
}

/// The logistic function without overflow for large |x|.
@inline(__always)
public func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 {
        return 1 / (1 + Foundation.exp(-x))
    }
    let e = Foundation.exp(x)
    return e / (1 + e)
}
