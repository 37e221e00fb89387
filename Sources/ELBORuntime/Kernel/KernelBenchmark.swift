import Dispatch

/// Times a kernel's loss and gradient on random inputs, against the time to read the same
/// input bytes once (a lower bound for any kernel that reads all of its inputs).
public enum KernelBenchmark {
    /// The best of `repeats` runs of each, in seconds. Network outputs are standard normal;
    /// `scale` multiplies the named inputs (say, logits × 50: saturated, so that e^−|a| is far
    /// below 1, a check that no lane falls into slow subnormal arithmetic).
    public static func run<K: ObjectiveKernel>(_ kernel: K.Type, dims: [String: Int], batch: Int, repeats: Int,
                                               seed: UInt64 = 1, scale: [String: Double] = [:])
        -> (lossGradSeconds: Double, memoryReadSeconds: Double) {
        let d = K.descriptor
        var rng = RNG(seed: seed)
        let (di, dp) = KernelGradcheck.randomInputs(d, dims: dims, batchSize: batch, rng: &rng)
        var inputs = KernelBatch<Float>(batchSize: batch, dims: dims)
        for i in d.inputs {
            let factor = scale[i.name] ?? 1
            inputs.set(i.name, di.values(i.name)!.map { Float($0 * factor) }, width: d.width(of: i.name, dims: dims))
        }
        var params = KernelParams<Float>()
        for p in d.params { params.set(p.name, dp.values(p.name)!.map { Float($0) }) }
        let read = d.inputs.filter(\.readByLoss).map { inputs.buffers[$0.name]! }

        var gradients = KernelGradients<Float>()
        var sink: Float = K.loss(inputs: inputs, params: params, gradients: &gradients)  // allocate once
        var best = Double.infinity, bestRead = Double.infinity
        for _ in 0..<max(repeats, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            sink += K.loss(inputs: inputs, params: params, gradients: &gradients)
            let t1 = DispatchTime.now().uptimeNanoseconds
            for b in read { sink += sum(b) }
            let t2 = DispatchTime.now().uptimeNanoseconds
            best = min(best, Double(t1 - t0) / 1e9)
            bestRead = min(bestRead, Double(t2 - t1) / 1e9)
        }
        if sink == .infinity { print("") }  // keeps the reads from being optimised away
        return (best, bestRead)
    }

    /// Reads every scalar of `b` once (eight lanes at a time).
    static func sum(_ b: KernelBuffer<Float>) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        let raw = UnsafeRawPointer(b.base)
        while i + 8 <= b.count {
            acc += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < b.count { s += b.base[i]; i += 1 }
        return s
    }
}
