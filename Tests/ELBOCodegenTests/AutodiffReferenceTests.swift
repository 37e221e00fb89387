import _Differentiation
import Foundation
import XCTest
import ELBORuntime
import GeneratedKernels

// The same losses written directly in Swift and differentiated by the compiler
// (`_Differentiation`): an autodiff independent of the code generator's.

/// Per-example Bernoulli-VAE loss from sigmoid probabilities.
@differentiable(reverse)
func referenceBernoulliLoss(_ logits: [Double], _ mu: [Double], _ s: [Double], x: [Double]) -> Double {
    var total = 0.0
    for j in 0..<withoutDerivative(at: logits.count) {
        let p = 1 / (1 + exp(-logits[j]))
        total = total - (x[j] * log(p) + (1 - x[j]) * log(1 - p))
    }
    for j in 0..<withoutDerivative(at: mu.count) {
        total = total + 0.5 * (mu[j] * mu[j] + exp(s[j]) - 1 - s[j])
    }
    return total
}

/// log Σ exp, shifted by the maximum (treated as a constant, as usual).
@differentiable(reverse)
func referenceLogSumExp(_ xs: [Double]) -> Double {
    let m = withoutDerivative(at: xs.max()!)
    var s = 0.0
    for i in 0..<withoutDerivative(at: xs.count) { s = s + exp(xs[i] - m) }
    return m + log(s)
}

/// The mixture-prior fixture's per-example loss; θ = z ‖ μ ‖ s ‖ x̂ ‖ a ‖ M ‖ V.
@differentiable(reverse)
func referenceMixtureLoss(_ theta: [Double], x: [Double], k: Int, m: Int, K: Int) -> Double {
    let z0 = 0, mu0 = m, s0 = 2 * m, xhat0 = 3 * m, a0 = 3 * m + k, M0 = a0 + K, V0 = M0 + K * m
    let halfLog2Pi = 0.5 * log(2 * Double.pi)
    var rec = 0.0
    for j in 0..<k { rec = rec + 0.5 * (x[j] - theta[xhat0 + j]) * (x[j] - theta[xhat0 + j]) }
    var logq = 0.0
    for j in 0..<m {
        let d = theta[z0 + j] - theta[mu0 + j]
        logq = logq - halfLog2Pi - 0.5 * theta[s0 + j] - 0.5 * d * d * exp(-theta[s0 + j])
    }
    var logits: [Double] = []
    for i in 0..<K { logits = logits + [theta[a0 + i]] }
    let normaliser = referenceLogSumExp(logits)
    var terms: [Double] = []
    for i in 0..<K {
        var c = theta[a0 + i] - normaliser
        for j in 0..<m {
            let d = theta[z0 + j] - theta[M0 + i * m + j]
            c = c - halfLog2Pi - 0.5 * theta[V0 + i * m + j] - 0.5 * d * d * exp(-theta[V0 + i * m + j])
        }
        terms = terms + [c]
    }
    return rec + logq - referenceLogSumExp(terms)
}

final class AutodiffReferenceTests: XCTestCase {
    func testBernoulliGradientMatchesSwiftAutodiff() {
        let (k, m) = (13, 6)
        var rng = RNG(seed: 21)
        let x = (0..<k).map { _ in rng.uniformDouble() }
        let logits = (0..<k).map { _ in 2 * rng.normalDouble() }
        let mu = (0..<m).map { _ in rng.normalDouble() }
        let s = (0..<m).map { _ in rng.normalDouble() }
        let (value, (gLogits, gMu, gS)) = valueWithGradient(at: logits, mu, s) { l, mu, s in
            referenceBernoulliLoss(l, mu, s, x: x)
        }
        // Batch of one: the mean is the example's loss and gradients are not scaled.
        let inputs = doubleBatch(BernoulliVAEFixture.descriptor, dims: ["k": k, "m": m], batchSize: 1,
                                 ["x": x, "logits": logits, "mu": mu, "s": s])
        var grads = KernelGradients<Double>()
        assertClose(BernoulliVAEFixture.loss(inputs: inputs, params: KernelParams(), gradients: &grads), value, rtol: 1e-12)
        for (name, reference) in [("logits", gLogits.base), ("mu", gMu.base), ("s", gS.base)] {
            for (a, b) in zip(grads.inputs[name]!.array, reference) { assertClose(a, b, rtol: 1e-10, atol: 1e-13, "∂\(name)") }
        }
    }

    func testMixturePriorGradientMatchesSwiftAutodiff() {
        let (k, m, K) = (5, 4, 3)
        var rng = RNG(seed: 22)
        let x = (0..<k).map { _ in rng.uniformDouble() }
        let theta = (0..<(3 * m + k + K + 2 * K * m)).map { _ in rng.normalDouble() }
        let (value, g) = valueWithGradient(at: theta) { referenceMixtureLoss($0, x: x, k: k, m: m, K: K) }
        let slice = { (from: Int, count: Int) in Array(theta[from..<(from + count)]) }
        let gslice = { (from: Int, count: Int) in Array(g.base[from..<(from + count)]) }
        let inputs = doubleBatch(MixturePriorFixture.descriptor, dims: ["k": k, "m": m, "K": K], batchSize: 1,
                                 ["x": x, "z": slice(0, m), "mu": slice(m, m), "s": slice(2 * m, m), "xhat": slice(3 * m, k)])
        var params = KernelParams<Double>()
        let a0 = 3 * m + k
        params.set("a", slice(a0, K))
        params.set("M", slice(a0 + K, K * m))
        params.set("V", slice(a0 + K + K * m, K * m))
        var grads = KernelGradients<Double>()
        assertClose(MixturePriorFixture.loss(inputs: inputs, params: params, gradients: &grads), value, rtol: 1e-12)
        let expected: [(String, [Double], [Double])] = [
            ("z", grads.inputs["z"]!.array, gslice(0, m)), ("mu", grads.inputs["mu"]!.array, gslice(m, m)),
            ("s", grads.inputs["s"]!.array, gslice(2 * m, m)), ("xhat", grads.inputs["xhat"]!.array, gslice(3 * m, k)),
            ("a", grads.params["a"]!.array, gslice(a0, K)), ("M", grads.params["M"]!.array, gslice(a0 + K, K * m)),
            ("V", grads.params["V"]!.array, gslice(a0 + K + K * m, K * m)),
        ]
        for (name, generated, reference) in expected {
            XCTAssertEqual(generated.count, reference.count, name)
            for (a, b) in zip(generated, reference) { assertClose(a, b, rtol: 1e-10, atol: 1e-13, "∂\(name)") }
        }
    }
}
