import Foundation

/// The outcome of a numerical gradient check of one kernel.
public struct GradcheckReport: Sendable {
    public var kernel: String
    /// The number of partial derivatives compared.
    public var checked: Int = 0
    public var maxAbsoluteError: Double = 0
    /// max |analytic − numeric| / max(|numeric|, atol).
    public var maxRelativeError: Double = 0
    /// One line per partial outside the tolerance (at most 20 are kept).
    public var failures: [String] = []
    public var failureCount = 0
    public var passed: Bool { failureCount == 0 }

    mutating func compare(_ what: String, analytic a: Double, numeric n: Double) {
        checked += 1
        let err = Swift.abs(a - n)
        maxAbsoluteError = max(maxAbsoluteError, err)
        maxRelativeError = max(maxRelativeError, err / max(Swift.abs(n), KernelGradcheck.atol))
        if !(err <= KernelGradcheck.atol + KernelGradcheck.rtol * Swift.abs(n)) {
            failureCount += 1
            if failures.count < 20 { failures.append("\(what): analytic \(a), numeric \(n)") }
        }
    }
}

/// Central differences in Double against a kernel's gradients, with the tolerances of
/// `torch.autograd.gradcheck`: a partial passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
public enum KernelGradcheck {
    public static let eps = 1e-6
    public static let atol = 1e-5
    public static let rtol = 1e-3

    /// Small, distinct sizes for the dimension symbols; the first is above 8 so that both
    /// full and partial eight-lane steps are exercised.
    public static func defaultDims(_ d: KernelDescriptor) -> [String: Int] {
        let sizes = [11, 5, 3, 7, 4, 6]
        var out: [String: Int] = [:]
        for (i, s) in d.dimensions.enumerated() { out[s] = sizes[i % sizes.count] }
        return out
    }

    /// Random inputs by role: data and transformed in (0, 1), labels one-hot, everything
    /// else standard normal; parameters near their initial values (same sign).
    public static func randomInputs(_ d: KernelDescriptor, dims: [String: Int], batchSize: Int,
                                    rng: inout RNG) -> (KernelBatch<Double>, KernelParams<Double>) {
        var batch = KernelBatch<Double>(batchSize: batchSize, dims: dims)
        for i in d.inputs {
            let w = d.width(of: i.name, dims: dims)
            var v = [Double](repeating: 0, count: batchSize * w)
            for r in 0..<batchSize {
                switch i.role {
                case .label: v[r * w + rng.uniformInt(below: w)] = 1
                case .data, .transformed: for j in 0..<w { v[r * w + j] = 0.05 + 0.9 * rng.uniformDouble() }
                default: for j in 0..<w { v[r * w + j] = rng.normalDouble() }
                }
            }
            batch.set(i.name, v, width: w)
        }
        var params = KernelParams<Double>()
        for p in d.params {
            let n = d.count(of: p, dims: dims)
            params.set(p.name, (0..<n).map { _ in
                p.initialValue == 0 ? 0.3 * rng.normalDouble() : p.initialValue * Foundation.exp(0.2 * rng.normalDouble())
            })
        }
        return (batch, params)
    }

    /// Checks the loss gradient with respect to every input that has one and every
    /// parameter, and each sampler's backward (through Σ r ⊙ output for random r).
    public static func run<K: ObjectiveKernel>(_ kernel: K.Type, dims: [String: Int]? = nil, batchSize: Int = 3,
                                               seed: UInt64 = 1) -> GradcheckReport {
        let d = K.descriptor
        let dims = dims ?? defaultDims(d)
        var rng = RNG(seed: seed)
        let (inputs, params) = randomInputs(d, dims: dims, batchSize: batchSize, rng: &rng)
        return run(kernel, inputs: inputs, params: params, rng: &rng)
    }

    /// The same on given inputs and parameters (e.g. at extreme values).
    public static func run<K: ObjectiveKernel>(_ kernel: K.Type, inputs: KernelBatch<Double>, params: KernelParams<Double>,
                                               rng: inout RNG) -> GradcheckReport {
        let d = K.descriptor
        var report = GradcheckReport(kernel: d.name)
        var grads = KernelGradients<Double>()
        let value = K.loss(inputs: inputs, params: params, gradients: &grads)
        report.compare("loss (with and without gradients)", analytic: value, numeric: K.loss(inputs: inputs, params: params))
        let lossOf = { K.loss(inputs: inputs, params: params) }
        for i in d.inputs where i.hasGradient {
            let n = inputs.batchSize * d.width(of: i.name, dims: inputs.dims)
            let g = grads.input(i.name, count: n)
            differentiate(inputs.pointer(i.name, width: n / max(inputs.batchSize, 1)), count: n, "∂loss/∂\(i.name)",
                          analytic: g, f: lossOf, into: &report)
        }
        for p in d.params {
            let n = d.count(of: p, dims: inputs.dims)
            let g = grads.param(p.name, count: n)
            differentiate(params.pointer(p.name, count: n), count: n, "∂loss/∂\(p.name)", analytic: g, f: lossOf, into: &report)
        }
        for s in d.samplers {
            let w = d.width(of: s.output, dims: inputs.dims)
            let r = (0..<(inputs.batchSize * w)).map { _ in rng.normalDouble() }
            var sampled = inputs
            let objective = { () -> Double in
                K.sample(s.output, inputs: &sampled, params: params)
                return zip(r, sampled.values(s.output)!).reduce(0) { $0 + $1.0 * $1.1 }
            }
            var back = KernelGradients<Double>()
            back.setInput(s.output, buffer: KernelBuffer(r))
            for name in s.gradientInputs { _ = back.input(name, count: inputs.batchSize * d.width(of: name, dims: inputs.dims)) }
            for p in d.params { _ = back.param(p.name, count: d.count(of: p, dims: inputs.dims)) }
            K.sampleBackward(s.output, inputs: inputs, params: params, gradients: &back)
            for name in s.gradientInputs {
                let n = inputs.batchSize * d.width(of: name, dims: inputs.dims)
                differentiate(inputs.pointer(name, width: n / max(inputs.batchSize, 1)), count: n, "∂\(s.output)/∂\(name)",
                              analytic: back.input(name, count: n), f: objective, into: &report)
            }
            for p in d.params where s.gradientParams.contains(p.name) {
                let n = d.count(of: p, dims: inputs.dims)
                differentiate(params.pointer(p.name, count: n), count: n, "∂\(s.output)/∂\(p.name)",
                              analytic: back.param(p.name, count: n), f: objective, into: &report)
            }
        }
        return report
    }

    /// Compares `analytic[i]` with the central difference of `f` in `x[i]`, for each i.
    static func differentiate(_ x: UnsafeMutablePointer<Double>, count: Int, _ what: String,
                              analytic: UnsafeMutablePointer<Double>, f: () -> Double, into report: inout GradcheckReport) {
        for i in 0..<count {
            let saved = x[i]
            x[i] = saved + eps
            let up = f()
            x[i] = saved - eps
            let down = f()
            x[i] = saved
            report.compare("\(what)[\(i)]", analytic: analytic[i], numeric: (up - down) / (2 * eps))
        }
    }
}
