import Foundation

/// A seeded, deterministic random number generator (xoshiro256**, Blackman & Vigna).
///
/// The whole state, including a cached second normal deviate, is a value that is `Codable`,
/// so a checkpoint that saves it resumes the exact same stream. The output is identical on every
/// platform and run for the same seed.
public struct RNG: RandomNumberGenerator, Codable, Equatable, Sendable {
    // Four scalar words rather than an array: `next()` is on the hot path of every sample.
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// The second value of the last Box–Muller pair, not yet handed out.
    public private(set) var spareNormal: Double?

    /// Seeds the generator by expanding `seed` with SplitMix64, as the xoshiro authors
    /// recommend, so that nearby seeds give unrelated streams and the state is never all zero.
    public init(seed: UInt64) {
        var x = seed
        var words: [UInt64] = []
        for _ in 0..<4 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
        spareNormal = nil
    }

    /// The four 64-bit words of xoshiro256** state.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    private enum CodingKeys: String, CodingKey { case state, spareNormal }

    /// Restores a generator saved with `encode(to:)`; rejects a state that is not four words
    /// or is all zero (xoshiro's one fixed point).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let words = try container.decode([UInt64].self, forKey: .state)
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw DecodingError.dataCorruptedError(forKey: .state, in: container,
                debugDescription: "RNG state must be four words, not all zero")
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
        spareNormal = try container.decodeIfPresent(Double.self, forKey: .spareNormal)
    }

    /// Saves the full state, so the restored generator continues the same stream.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
        try container.encodeIfPresent(spareNormal, forKey: .spareNormal)
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func uniformFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform Float in [lower, upper).
    public mutating func uniformFloat(in lower: Float, _ upper: Float) -> Float {
        lower + (upper - lower) * uniformFloat()
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's multiply-and-reject).
    public mutating func uniformInt(below bound: Int) -> Int {
        precondition(bound > 0, "uniformInt(below:) needs a positive bound")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A standard normal deviate (Box–Muller in Double; the pair's second value is cached).
    public mutating func normalDouble() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - uniformDouble()
        let u2 = uniformDouble()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * Foundation.sin(angle)
        return radius * Foundation.cos(angle)
    }

    /// A standard normal deviate as Float.
    public mutating func normalFloat() -> Float { Float(normalDouble()) }

    /// Fills `buffer` with independent standard normal deviates.
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        for i in buffer.indices { buffer[i] = Float(normalDouble()) }
    }

    /// Shuffles `array` in place (Fisher–Yates), using only this generator.
    public mutating func shuffle<T>(_ array: inout [T]) {
        if array.count < 2 { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = uniformInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// A uniformly random permutation of `0..<count`.
    public mutating func permutation(_ count: Int) -> [Int] {
        var indices = Array(0..<count)
        shuffle(&indices)
        return indices
    }
}
