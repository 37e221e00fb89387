import Dispatch
import Foundation
#if arch(x86_64) && ELBO_FMA
import _Builtin_intrinsics.intel
#endif

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
        let constants = StepConstants(stepSize: stepSize, biasCorrection2Sqrt: biasCorrection2Sqrt,
                                      oneMinusBeta1: oneMinusBeta1, oneMinusBeta2: oneMinusBeta2,
                                      beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        parameter.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                state.m.withUnsafeMutableBufferPointer { m in
                    state.v.withUnsafeMutableBufferPointer { v in
                        let count = p.count
                        guard count > 0 else { return }
                        let pointers = StepPointers(p: p.baseAddress!, g: g.baseAddress!, m: m.baseAddress!, v: v.baseAddress!)
                        // Every element's update is independent of the others, so splitting the
                        // tensor across cores (at multiples of eight, so each part keeps the
                        // same lanes) cannot change a single bit of the result.
                        let parts = count >= Self.parallelThreshold ? Self.threads : 1
                        if parts == 1 {
                            Self.update(pointers, 0..<count, constants)
                        } else {
                            let blocks = (count + 7) / 8
                            DispatchQueue.concurrentPerform(iterations: parts) { part in
                                let lo = min(count, blocks * part / parts * 8)
                                let hi = min(count, blocks * (part + 1) / parts * 8)
                                Self.update(pointers, lo..<hi, constants)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Tensors of at least this many elements are updated on all cores (waking a worker costs
    /// about as much as updating 30,000 elements).
    static let parallelThreshold = 1 << 16
    /// The threads a large tensor's update is split over (one per core, as the GEMM).
    static let threads = defaultGEMMThreads

    /// The scalars of one step, shared by all elements.
    struct StepConstants {
        var stepSize, biasCorrection2Sqrt, oneMinusBeta1, oneMinusBeta2, beta2, epsilon, weightDecay: Float
    }

    /// The four buffers of one step (parameter, gradient, first and second moment).
    struct StepPointers: @unchecked Sendable {
        var p: UnsafeMutablePointer<Float>
        var g: UnsafePointer<Float>
        var m: UnsafeMutablePointer<Float>
        var v: UnsafeMutablePointer<Float>
    }

    /// The update of elements `range`, eight lanes at a time, then one by one.
    private static func update(_ b: StepPointers, _ range: Range<Int>, _ c: StepConstants) {
        let (stepSize, biasCorrection2Sqrt, oneMinusBeta1, oneMinusBeta2) = (c.stepSize, c.biasCorrection2Sqrt, c.oneMinusBeta1, c.oneMinusBeta2)
        let (beta2, epsilon, weightDecay) = (c.beta2, c.epsilon, c.weightDecay)
        var i = range.lowerBound
        let count = range.upperBound
        // Eight lanes at a time (the compiler does not vectorise the scalar loop itself,
        // fearing the four buffers alias). Lane-wise IEEE operations, square root included,
        // round exactly as the scalar tail does.
        while i + 8 <= count {
            var gi = load8(b.g, i)
            if weightDecay != 0 { gi += weightDecay * load8(b.p, i) }
            var mi = load8(b.m, i)
            mi += oneMinusBeta1 * (gi - mi)
            let vi = load8(b.v, i) * beta2 + oneMinusBeta2 * gi * gi
            let denom = squareRoot8(vi) / biasCorrection2Sqrt + epsilon
            let pi = load8(b.p, i) + -stepSize * mi / denom
            store8(b.m, i, mi)
            store8(b.v, i, vi)
            store8(b.p, i, pi)
            i += 8
        }
        let (p, g, m, v) = (b.p, b.g, b.m, b.v)
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

/// The correctly rounded square root of each lane, as `Float.squareRoot()` gives it: one
/// `vsqrtps` where the build has AVX (the standard library's `SIMD8.squareRoot()` takes the
/// lanes one by one, with shuffles and spills: it was most of Adam's time).
@inline(__always)
private func squareRoot8(_ x: SIMD8<Float>) -> SIMD8<Float> {
    #if arch(x86_64) && ELBO_FMA
    _mm256_sqrt_ps(x)
    #else
    x.squareRoot()
    #endif
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
