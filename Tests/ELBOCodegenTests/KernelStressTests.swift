import Foundation
import XCTest
import ELBORuntime
import GeneratedKernels

/// Every generated kernel at extreme but finite inputs: logits and means ±1e4, log-variances
/// ±80, pixels exactly 0 and 1, noise ±4, at one example and at an MNIST-sized batch of 784
/// pixels. The loss, every gradient and every sample must be finite in Double; in Float they
/// must be finite whenever the exact (Double) values are representable in Float, and never NaN.
///
/// Which input is a logit or a log-variance is read from the kernel, not from its name: an input
/// or parameter inside an `exp(…)` of the loss or a sampler's variance is a log-variance; one
/// inside `log(…)` alone is a positive scale (drawn from 1e-3 and 1e3).
final class KernelStressTests: XCTestCase {
    /// The kernels this file stresses, one test each; `testEveryGeneratedKernelIsStressed`
    /// fails when `elbo generate` adds a kernel that has no test here.
    static let stressed: Set<String> = ["BernoulliVAEFixture", "GaussianVAEFixture", "MixturePriorFixture", "CdvaeLoss",
                                        "CvaeLoss", "SrvaeLoss", "VaeBernoulliLoss", "VaeGaussianLoss"]

    func testEveryGeneratedKernelIsStressed() {
        XCTAssertEqual(Set(KernelRegistry.all.map { $0.descriptor.name }), Self.stressed)
    }

    func testBernoulliVAEFixture() { stress("BernoulliVAEFixture") }
    func testGaussianVAEFixture() { stress("GaussianVAEFixture") }
    func testMixturePriorFixture() { stress("MixturePriorFixture") }
    func testCdvaeLoss() { stress("CdvaeLoss") }
    func testCvaeLoss() { stress("CvaeLoss") }
    func testSrvaeLoss() { stress("SrvaeLoss") }
    func testVaeBernoulliLoss() { stress("VaeBernoulliLoss") }
    func testVaeGaussianLoss() { stress("VaeGaussianLoss") }

    /// The classification the stress draws values by.
    enum Kind: Equatable { case pixel, label, logVariance, scale, unbounded, noise, sample }

    /// Value patterns per kind; a scenario shifts the pattern or holds one value throughout.
    static let patterns: [Kind: [Double]] = [
        .pixel: [0, 1],
        .logVariance: [80, -80, 0],
        .scale: [1e-3, 1e3, 1],
        .unbounded: [1e4, -1e4, 0],
        .noise: [4, -4, 0],
    ]

    func stress(_ name: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let kernel = KernelRegistry.kernel(named: name) else {
            return XCTFail("\(name) is not generated", file: file, line: line)
        }
        let d = kernel.descriptor
        let kinds = Self.kinds(d)
        for (batch, mnist) in [(1, true), (64, true), (1, false)] {
            var dims: [String: Int] = [:]
            for s in d.dimensions {
                // k: MNIST's 784 pixels; k_y: the 2×2-downsampled 196; latents 16; K: 3 components; C: 10 classes.
                switch s {
                case "k": dims[s] = mnist ? 784 : 12
                case "k_y": dims[s] = mnist ? 196 : 3
                case "C": dims[s] = 10
                case "K": dims[s] = 3
                default: dims[s] = mnist ? 16 : 5
                }
            }
            for scenario in 0..<5 {
                let (inputs, params) = Self.inputs(d, kinds: kinds, dims: dims, batch: batch, scenario: scenario)
                let context = "\(name), batch \(batch), dims \(dims.sorted { $0.key < $1.key }), scenario \(scenario)"
                let exact = run(kernel, inputs, params)
                for (what, values) in exact where values.contains(where: { !$0.isFinite }) {
                    XCTFail("\(context): Double \(what) not finite: \(values.first { !$0.isFinite }!)", file: file, line: line)
                }
                let float = run(kernel, floatBatch(inputs), floatParams(params))
                let representable = exact.values.allSatisfy { $0.allSatisfy { Swift.abs($0) < 1e36 } }
                if representable {
                    // Finite and also right: the Float loss within 1e-4 of the exact one, relatively.
                    let (e, f) = (exact["loss"]![0], float["loss"]![0])
                    XCTAssertLessThanOrEqual(Swift.abs(f - e), 1e-4 * Swift.abs(e) + 1e-3, "\(context): Float loss \(f), exact \(e)",
                                             file: file, line: line)
                }
                for (what, values) in float {
                    if values.contains(where: { $0.isNaN }) {
                        XCTFail("\(context): Float \(what) is NaN", file: file, line: line)
                    } else if representable, values.contains(where: { !$0.isFinite }) {
                        let max = exact[what]!.map(Swift.abs).max() ?? 0
                        XCTFail("\(context): Float \(what) overflows though its exact values are at most \(max)", file: file, line: line)
                    }
                }
            }
        }
    }

    /// The kind of every input and parameter of `d`.
    static func kinds(_ d: KernelDescriptor) -> [String: Kind] {
        let names = Set(d.inputs.map(\.name) + d.params.map(\.name))
        var logVariance = Set(d.samplers.flatMap { identifiers(in: $0.variance) })
        var underLog = Set<String>()
        for arg in arguments(of: "exp", in: d.loss) + arguments(of: "expm1", in: d.loss) { logVariance.formUnion(identifiers(in: arg)) }
        for arg in arguments(of: "log", in: d.loss) { underLog.formUnion(identifiers(in: arg)) }
        var out: [String: Kind] = [:]
        for n in names where logVariance.contains(n) { out[n] = .logVariance }
        for n in names where out[n] == nil && underLog.contains(n) { out[n] = .scale }
        for i in d.inputs where out[i.name] == nil {
            switch i.role {
            case .data, .transformed: out[i.name] = .pixel
            case .label: out[i.name] = .label
            case .noise: out[i.name] = .noise
            case .sample: out[i.name] = .sample
            case .networkOutput: out[i.name] = .unbounded
            }
        }
        for p in d.params where out[p.name] == nil { out[p.name] = .unbounded }
        return out
    }

    /// The argument texts of every call `f(…)` in `text` (balanced parentheses; `f` not the tail of a longer name).
    static func arguments(of f: String, in text: String) -> [String] {
        let chars = Array(text), pattern = Array(f + "(")
        var out: [String] = []
        var i = 0
        while i + pattern.count <= chars.count {
            let preceded = i > 0 && (chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_")
            if !preceded, Array(chars[i..<(i + pattern.count)]) == pattern {
                var depth = 1, j = i + pattern.count
                while j < chars.count, depth > 0 {
                    if chars[j] == "(" { depth += 1 } else if chars[j] == ")" { depth -= 1 }
                    j += 1
                }
                out.append(String(chars[(i + pattern.count)..<(j - 1)]))
            }
            i += 1
        }
        return out
    }

    /// Identifiers in `text`, each also without a trailing `_j`/`_i`/`_l` component index.
    static func identifiers(in text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for c in text + " " {
            if c.isLetter || c.isNumber || c == "_" { current.append(c); continue }
            if !current.isEmpty {
                out.append(current)
                for suffix in ["_j", "_i", "_l"] where current.hasSuffix(suffix) { out.append(String(current.dropLast(2))) }
            }
            current = ""
        }
        return out
    }

    /// Inputs and parameters by kind: scenarios 0–2 cycle each kind's pattern along the
    /// components from three offsets, 3 and 4 hold its first or second value everywhere.
    static func inputs(_ d: KernelDescriptor, kinds: [String: Kind], dims: [String: Int], batch: Int,
                       scenario: Int) -> (KernelBatch<Double>, KernelParams<Double>) {
        func value(_ kind: Kind, _ index: Int) -> Double {
            let p = patterns[kind]!
            return scenario < 3 ? p[(index + scenario) % p.count] : p[(scenario - 3) % p.count]
        }
        var b = KernelBatch<Double>(batchSize: batch, dims: dims)
        // Each input and parameter starts its pattern at its own position, so that two
        // log-variances of one term meet as +80 and −80 as well as equal.
        for (position, i) in d.inputs.enumerated() {
            let w = d.width(of: i.name, dims: dims)
            let v: [Double]
            switch kinds[i.name]! {
            case .label: v = (0..<(batch * w)).map { $0 % w == ($0 / w + scenario) % w ? 1 : 0 }
            case .sample: v = [Double](repeating: 0, count: batch * w)  // written by its sampler below
            case let k: v = (0..<(batch * w)).map { value(k, $0 + position) }
            }
            b.set(i.name, v, width: w)
        }
        var params = KernelParams<Double>()
        for (position, p) in d.params.enumerated() {
            params.set(p.name, (0..<d.count(of: p, dims: dims)).map { value(kinds[p.name]!, $0 + position) })
        }
        return (b, params)
    }

    /// Samples, then the loss with its gradients, then each sampler's backward, as training
    /// runs them; every value that comes out, by name.
    func run<T: KernelScalar>(_ kernel: any ObjectiveKernel.Type, _ inputs: KernelBatch<T>,
                              _ params: KernelParams<T>) -> [String: [Double]] {
        var batch = inputs
        var g = KernelGradients<T>()
        for s in kernel.descriptor.samplers { sample(kernel, s.output, &batch, params) }
        let loss = lossAndGradients(kernel, batch, params, &g)
        for s in kernel.descriptor.samplers.reversed() { backward(kernel, s.output, batch, params, &g) }
        var out: [String: [Double]] = ["loss": [Double(loss)]]
        for s in kernel.descriptor.samplers { out[s.output] = batch.values(s.output)!.map { Double($0) } }
        for (n, buffer) in g.inputs { out["∂\(n)"] = buffer.array.map { Double($0) } }
        for (n, buffer) in g.params { out["∂\(n)"] = buffer.array.map { Double($0) } }
        return out
    }

    // The protocol's requirements are overloaded on Float and Double; these pick one by T.
    func sample<T: KernelScalar>(_ k: any ObjectiveKernel.Type, _ output: String, _ b: inout KernelBatch<T>, _ p: KernelParams<T>) {
        if var f = b as? KernelBatch<Float> { k.sample(output, inputs: &f, params: p as! KernelParams<Float>); b = f as! KernelBatch<T> }
        else if var x = b as? KernelBatch<Double> { k.sample(output, inputs: &x, params: p as! KernelParams<Double>); b = x as! KernelBatch<T> }
    }

    func lossAndGradients<T: KernelScalar>(_ k: any ObjectiveKernel.Type, _ b: KernelBatch<T>, _ p: KernelParams<T>,
                                           _ g: inout KernelGradients<T>) -> T {
        if var f = g as? KernelGradients<Float> {
            let l = k.loss(inputs: b as! KernelBatch<Float>, params: p as! KernelParams<Float>, gradients: &f)
            g = f as! KernelGradients<T>
            return T(l)
        }
        var x = g as! KernelGradients<Double>
        let l = k.loss(inputs: b as! KernelBatch<Double>, params: p as! KernelParams<Double>, gradients: &x)
        g = x as! KernelGradients<T>
        return T(l)
    }

    func backward<T: KernelScalar>(_ k: any ObjectiveKernel.Type, _ output: String, _ b: KernelBatch<T>, _ p: KernelParams<T>,
                                   _ g: inout KernelGradients<T>) {
        if var f = g as? KernelGradients<Float> {
            k.sampleBackward(output, inputs: b as! KernelBatch<Float>, params: p as! KernelParams<Float>, gradients: &f)
            g = f as! KernelGradients<T>
        } else if var x = g as? KernelGradients<Double> {
            k.sampleBackward(output, inputs: b as! KernelBatch<Double>, params: p as! KernelParams<Double>, gradients: &x)
            g = x as! KernelGradients<T>
        }
    }
}
