import Foundation

/// The moment estimates Adam keeps for one parameter tensor.
public struct AdamState: Sendable, Equatable {
    /// The exponential moving average of the gradient (torch: `exp_avg`).
    public var m: Tensor
    /// The exponential moving average of the squared gradient (torch: `exp_avg_sq`).
    public var v: Tensor
    /// The number of steps taken so far.
    public var step: Int

    /// Fresh state (zero moments, step 0) for a parameter of the given shape.
    public init(shape: [Int]) {
        m = Tensor(zeros: shape)
        v = Tensor(zeros: shape)
        step = 0
    }

    /// State restored from a checkpoint.
    public init(m: Tensor, v: Tensor, step: Int) {
        precondition(m.shape == v.shape, "AdamState: m \(m.shape) and v \(v.shape) differ")
        self.m = m
        self.v = v
        self.step = step
    }
}

/// Adam (Kingma & Ba) with PyTorch's defaults and exactly `torch.optim.Adam`'s arithmetic
/// (`amsgrad=False`, `maximize=False`), as a pure step on one parameter and its state.
public struct Adam: Sendable, Codable, Equatable {
    /// The learning rate.
    public var learningRate: Float
    /// The decay rate of the first moment.
    public var beta1: Float
    /// The decay rate of the second moment.
    public var beta2: Float
    /// Added to the denominator for stability.
    public var epsilon: Float
    /// L2 penalty added to the gradient (torch's `weight_decay`, not AdamW's decoupled form).
    public var weightDecay: Float

    /// Adam with the given hyperparameters; the defaults are PyTorch's.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// One update of `parameter` from `gradient`, advancing `state`.
    ///
    /// Mirrors torch's single-tensor path, in the same order of operations (torch's vectorised
    /// kernels may fuse some of them, so agreement is to a few ulps, not bit for bit): `m.lerp_(g, 1−β₁)`, `v = β₂v + (1−β₂)g²`, bias
    /// corrections computed in double precision, `denom = √v / √(1−β₂ᵗ) + ε` and
    /// `p −= (lr / (1−β₁ᵗ)) · m / denom`.
    public func step(_ parameter: inout Tensor, gradient: Tensor, state: inout AdamState) {
        precondition(parameter.shape == gradient.shape && parameter.shape == state.m.shape,
                     "Adam.step: parameter \(parameter.shape), gradient \(gradient.shape), state \(state.m.shape)")
        state.step += 1
        let t = Double(state.step)
        let biasCorrection1 = 1 - Foundation.pow(Double(beta1), t)
        let biasCorrection2 = 1 - Foundation.pow(Double(beta2), t)
        let stepSize = Float(Double(learningRate) / biasCorrection1)
        let biasCorrection2Sqrt = Float(biasCorrection2.squareRoot())
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        let (beta2, epsilon, weightDecay) = (self.beta2, self.epsilon, self.weightDecay)
        parameter.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                state.m.withUnsafeMutableBufferPointer { m in
                    state.v.withUnsafeMutableBufferPointer { v in
                        let count = p.count
                        var i = 0
                        // Eight lanes at a time (the compiler does not vectorise the scalar loop
                        // itself, fearing the four buffers alias). Lane-wise IEEE operations,
                        // square root included, round exactly as the scalar tail does.
                        while i + 8 <= count {
                            var gi = load8(g.baseAddress!, i)
                            if weightDecay != 0 { gi += weightDecay * load8(p.baseAddress!, i) }
                            var mi = load8(m.baseAddress!, i)
                            mi += oneMinusBeta1 * (gi - mi)
                            let vi = load8(v.baseAddress!, i) * beta2 + oneMinusBeta2 * gi * gi
                            let denom = vi.squareRoot() / biasCorrection2Sqrt + epsilon
                            let pi = load8(p.baseAddress!, i) + -stepSize * mi / denom
                            store8(m.baseAddress!, i, mi)
                            store8(v.baseAddress!, i, vi)
                            store8(p.baseAddress!, i, pi)
                            i += 8
                        }
                        while i < count {
                            var gi = g[i]
                            if weightDecay != 0 { gi += weightDecay * p[i] }
                            // torch's lerp with weight < 0.5 computes start + weight·(end − start).
                            m[i] += oneMinusBeta1 * (gi - m[i])
                            v[i] = v[i] * beta2 + oneMinusBeta2 * gi * gi  // addcmul_: value·t1·t2
                            let denom = v[i].squareRoot() / biasCorrection2Sqrt + epsilon
                            p[i] += -stepSize * m[i] / denom  // addcdiv_: value·t1/t2
                            i += 1
                        }
                    }
                }
            }
        }
    }
}

@inline(__always)
private func load8(_ base: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func load8(_ base: UnsafeMutablePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func store8(_ base: UnsafeMutablePointer<Float>, _ i: Int, _ value: SIMD8<Float>) {
    UnsafeMutableRawPointer(base + i).storeBytes(of: value, as: SIMD8<Float>.self)
}
