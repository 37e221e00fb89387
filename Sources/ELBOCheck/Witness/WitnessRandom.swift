import ELBOAlgebra

/// SplitMix64: a small, fast generator whose whole state is one word, so that every random
/// choice of an instance is reproducible from the configuration seed and a stream label.
struct WitnessRandom {
    private var state: UInt64

    /// A generator for the stream `labels` of `seed`; different labels give independent streams.
    init(seed: UInt64, _ labels: UInt64...) {
        var s = WitnessRandom.mix(seed ^ 0x243F_6A88_85A3_08D3)
        for label in labels { s = WitnessRandom.mix(s ^ WitnessRandom.mix(label &+ 0x9E37_79B9_7F4A_7C15)) }
        state = s
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return WitnessRandom.mix(state &- 0x9E37_79B9_7F4A_7C15)
    }

    /// Uniform in `[a, b)`.
    mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * (Double(next() >> 11) * 0x1p-53)
    }

    /// Uniform in `0..<n`.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

extension ParamBound {
    /// A random value the constraint allows: within 2.3 of the bound, on its side; a strict
    /// bound keeps 0.05 away from it.
    func witnessValue(_ random: inout WitnessRandom) -> Double {
        let c = value.doubleValue
        let gap = random.uniform(isStrict ? 0.05 : 0, 2.3)
        return isLower ? c + gap : c - gap
    }
}
