import Dispatch

/// Times a kernel's loss and gradient on random inputs, against the time to read the same
/// input bytes once (a lower bound for any kernel that reads all of its inputs).
public enum KernelBenchmark {
    /// Best times, in seconds.
    public struct Timing: Sendable {
        /// One loss-and-gradient call (all threads, as in training).
        public var lossGradient: Double
        /// Reading every input the loss reads once, on one thread.
        public var read: Double
        /// The same read split over `KernelParallel.threads` threads.
        public var parallelRead: Double

        public init(lossGradient: Double, read: Double, parallelRead: Double) {
            (self.lossGradient, self.read, self.parallelRead) = (lossGradient, read, parallelRead)
        }

        /// No measurement yet: every time infinite, so that any run improves it.
        public static let none = Timing(lossGradient: .infinity, read: .infinity, parallelRead: .infinity)

        /// The better of each time here and in `other` (best over rounds).
        public func best(with other: Timing) -> Timing {
            Timing(lossGradient: min(lossGradient, other.lossGradient), read: min(read, other.read),
                   parallelRead: min(parallelRead, other.parallelRead))
        }
    }

    /// Each of the three measured about `repeats` times, in blocks of fifty calls back to
    /// back, the blocks alternating so that all three see the same background load; the best
    /// of each. (Timing every call between single-threaded reads instead would charge the
    /// kernel for waking its worker thread and for moving the inputs out of the reading core's
    /// cache, about 20 µs here, which a training step does not pay: the decoder's product
    /// that writes the logits runs on the same threads just before.)
    ///
    /// Network outputs are standard normal; `scale` multiplies the named inputs (say, logits
    /// × 50: saturated, so that e^−|a| is far below 1, a check that no lane falls into slow
    /// subnormal arithmetic).
    public static func run<K: ObjectiveKernel>(_ kernel: K.Type, dims: [String: Int], batch: Int, repeats: Int,
                                               seed: UInt64 = 1, scale: [String: Double] = [:]) -> Timing {
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
        var best = Timing.none
        func time(_ body: () -> Void) -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        let threads = KernelParallel.threads
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: threads)
        defer { partials.deallocate() }
        for _ in 0..<max(1, (repeats + 49) / 50) {
            for _ in 0..<50 {
                best.lossGradient = min(best.lossGradient, time { sink += K.loss(inputs: inputs, params: params, gradients: &gradients) })
            }
            for _ in 0..<50 {
                best.read = min(best.read, time { for b in read { sink += sum(b, part: 0, of: 1) } })
            }
            for _ in 0..<50 {
                best.parallelRead = min(best.parallelRead, time {
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        partials[t] = read.reduce(0) { $0 + sum($1, part: t, of: threads) }
                    }
                })
                for t in 0..<threads { sink += partials[t] }
            }
        }
        if sink == .infinity { print("") }  // keeps the reads from being optimised away
        return best
    }

    /// The sum of part `part` of `parts` equal parts of `b`, eight lanes at a time: reads
    /// every scalar of the part once.
    static func sum(_ b: KernelBuffer<Float>, part: Int, of parts: Int) -> Float {
        var acc = SIMD8<Float>()
        let lo = b.count * part / parts, hi = b.count * (part + 1) / parts
        var i = lo
        let raw = UnsafeRawPointer(b.base)
        while i + 8 <= hi {
            acc += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < hi { s += b.base[i]; i += 1 }
        return s
    }
}
