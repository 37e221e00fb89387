/// An arbitrary-precision signed integer, the exact arithmetic under `Rational`.
///
/// Values that fit in an `Int` are stored inline (`small`), so the common case costs one
/// overflow-checked machine operation; a result that overflows moves to a sign and a
/// little-endian magnitude of 32-bit limbs (`large`), which is used only when the value does
/// not fit in an `Int`. Each value therefore has one representation, and the derived
/// equality and hash are the numeric ones. No operation traps except division by zero, which
/// callers rule out (`Rational` checks its denominators).
public struct BigInt: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    enum Storage: Hashable, Sendable {
        case small(Int)
        /// `negative` and a magnitude without leading zero limbs, outside the range of `Int`.
        case large(negative: Bool, magnitude: [UInt32])
    }

    let storage: Storage

    /// The integer `n`.
    public init(_ n: Int) { storage = .small(n) }
    public init(integerLiteral n: Int) { storage = .small(n) }

    init(negative: Bool, magnitude: [UInt32]) {
        var m = magnitude
        while m.last == 0 { m.removeLast() }
        if m.count <= 2 {
            let v = UInt64(m.first ?? 0) | (m.count == 2 ? UInt64(m[1]) << 32 : 0)
            if !negative, v <= UInt64(Int.max) { storage = .small(Int(v)); return }
            if negative, v <= UInt64(Int.max) + 1 { storage = .small(v == UInt64(Int.max) + 1 ? Int.min : -Int(v)); return }
        }
        storage = m.isEmpty ? .small(0) : .large(negative: negative, magnitude: m)
    }

    public static let zero = BigInt(0)
    public static let one = BigInt(1)

    /// The value as an `Int`, if it fits.
    public var intValue: Int? { if case .small(let n) = storage { return n } else { return nil } }
    public var isZero: Bool { storage == .small(0) }
    public var isNegative: Bool {
        switch storage {
        case .small(let n): return n < 0
        case .large(let negative, _): return negative
        }
    }
    public var signum: Int { isZero ? 0 : (isNegative ? -1 : 1) }

    var sign: Bool { isNegative }
    /// The magnitude as limbs (little-endian, no leading zeros).
    var magnitude: [UInt32] {
        switch storage {
        case .small(let n):
            let v = n.magnitude
            return v == 0 ? [] : (v >> 32 == 0 ? [UInt32(v)] : [UInt32(truncatingIfNeeded: v), UInt32(v >> 32)])
        case .large(_, let m): return m
        }
    }

    /// The number of bits of the magnitude (0 for zero).
    public var bitWidth: Int {
        let m = magnitude
        guard let top = m.last else { return 0 }
        return (m.count - 1) * 32 + (32 - top.leadingZeroBitCount)
    }

    public var absoluteValue: BigInt { isNegative ? -self : self }

    // MARK: - Arithmetic

    public static prefix func - (a: BigInt) -> BigInt {
        if case .small(let n) = a.storage, n != Int.min { return BigInt(-n) }
        return BigInt(negative: !a.isNegative && !a.isZero, magnitude: a.magnitude)
    }

    public static func + (a: BigInt, b: BigInt) -> BigInt {
        if case .small(let x) = a.storage, case .small(let y) = b.storage {
            let (s, o) = x.addingReportingOverflow(y)
            if !o { return BigInt(s) }
        }
        if a.isNegative == b.isNegative {
            return BigInt(negative: a.isNegative, magnitude: Magnitude.add(a.magnitude, b.magnitude))
        }
        let (ma, mb) = (a.magnitude, b.magnitude)
        if Magnitude.compare(ma, mb) >= 0 {
            return BigInt(negative: a.isNegative, magnitude: Magnitude.subtract(ma, mb))
        }
        return BigInt(negative: b.isNegative, magnitude: Magnitude.subtract(mb, ma))
    }

    public static func - (a: BigInt, b: BigInt) -> BigInt { a + (-b) }

    public static func * (a: BigInt, b: BigInt) -> BigInt {
        if case .small(let x) = a.storage, case .small(let y) = b.storage {
            let (p, o) = x.multipliedReportingOverflow(by: y)
            if !o { return BigInt(p) }
        }
        return BigInt(negative: a.isNegative != b.isNegative, magnitude: Magnitude.multiply(a.magnitude, b.magnitude))
    }

    /// Truncating division and remainder (the remainder has the sign of `a`); `b` ≠ 0.
    public func quotientAndRemainder(dividingBy b: BigInt) -> (quotient: BigInt, remainder: BigInt) {
        precondition(!b.isZero, "BigInt division by zero")
        if case .small(let x) = storage, case .small(let y) = b.storage, !(x == Int.min && y == -1) {
            return (BigInt(x / y), BigInt(x % y))
        }
        let (q, r) = Magnitude.divide(magnitude, b.magnitude)
        return (BigInt(negative: isNegative != b.isNegative, magnitude: q), BigInt(negative: isNegative, magnitude: r))
    }

    public static func / (a: BigInt, b: BigInt) -> BigInt { a.quotientAndRemainder(dividingBy: b).quotient }
    public static func % (a: BigInt, b: BigInt) -> BigInt { a.quotientAndRemainder(dividingBy: b).remainder }

    /// The greatest common divisor of the magnitudes (0 when both are 0).
    public static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt {
        if case .small(let x) = a.storage, case .small(let y) = b.storage, x != Int.min, y != Int.min {
            var (x, y) = (abs(x), abs(y))
            while y != 0 { (x, y) = (y, x % y) }
            return BigInt(x)
        }
        var (x, y) = (a.absoluteValue, b.absoluteValue)
        while !y.isZero { (x, y) = (y, x % y) }
        return x
    }

    /// `self^n` for n ≥ 0, by squaring.
    public func power(_ n: Int) -> BigInt {
        precondition(n >= 0)
        var result = BigInt.one, base = self, n = n
        while n > 0 {
            if n & 1 == 1 { result = result * base }
            n >>= 1
            if n > 0 { base = base * base }
        }
        return result
    }

    public static func < (a: BigInt, b: BigInt) -> Bool {
        if case .small(let x) = a.storage, case .small(let y) = b.storage { return x < y }
        if a.isNegative != b.isNegative { return a.isNegative }
        let c = Magnitude.compare(a.magnitude, b.magnitude)
        return a.isNegative ? c > 0 : c < 0
    }

    // MARK: - Conversions

    /// The nearest `Double` (±infinity beyond its range).
    public var doubleValue: Double {
        if case .small(let n) = storage { return Double(n) }
        let (top, shift) = topBits
        let d = Double(top) * Double(sign: .plus, exponent: shift, significand: 1)
        return isNegative ? -d : d
    }

    /// The leading 64 bits of the magnitude and the power of two they are scaled by.
    var topBits: (UInt64, Int) {
        let m = magnitude
        let width = bitWidth
        guard width > 64 else { return (UInt64(m.first ?? 0) | (m.count > 1 ? UInt64(m[1]) << 32 : 0), 0) }
        let shift = width - 64
        var v: UInt64 = 0
        for bit in stride(from: width - 1, through: shift, by: -1) {
            v = v << 1 | UInt64((m[bit / 32] >> UInt32(bit % 32)) & 1)
        }
        return (v, shift)
    }

    /// Parses a string of decimal digits with an optional leading `-`.
    public init?(decimal text: String) {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var value = BigInt.zero
        let ten9 = BigInt(1_000_000_000)
        var chunk = digits[...]
        while !chunk.isEmpty {
            let take = chunk.count % 9 == 0 ? 9 : chunk.count % 9
            let part = chunk.prefix(take)
            chunk = chunk.dropFirst(take)
            value = value * (part.count == 9 ? ten9 : BigInt(10).power(part.count)) + BigInt(Int(part)!)
        }
        self = negative ? -value : value
    }

    public var description: String {
        if case .small(let n) = storage { return String(n) }
        var chunks: [String] = []
        var rest = magnitude
        while !rest.isEmpty {
            let (q, r) = Magnitude.divide(rest, [1_000_000_000])
            chunks.append(String(r.first ?? 0))
            rest = q
        }
        var out = isNegative ? "-" : ""
        out += chunks.last ?? "0"
        for c in chunks.dropLast().reversed() { out += String(repeating: "0", count: 9 - c.count) + c }
        return out
    }
}

/// Unsigned magnitudes: little-endian arrays of 32-bit limbs without leading zeros.
enum Magnitude {
    static func compare(_ a: [UInt32], _ b: [UInt32]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return 0
    }

    static func add(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        let (long, short) = a.count >= b.count ? (a, b) : (b, a)
        var out = [UInt32](); out.reserveCapacity(long.count + 1)
        var carry: UInt64 = 0
        for i in 0..<long.count {
            let s = UInt64(long[i]) + (i < short.count ? UInt64(short[i]) : 0) + carry
            out.append(UInt32(truncatingIfNeeded: s))
            carry = s >> 32
        }
        if carry != 0 { out.append(UInt32(carry)) }
        return out
    }

    /// `a − b` for a ≥ b.
    static func subtract(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out = [UInt32](); out.reserveCapacity(a.count)
        var borrow: Int64 = 0
        for i in 0..<a.count {
            var d = Int64(a[i]) - (i < b.count ? Int64(b[i]) : 0) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 1 << 32 }
            out.append(UInt32(d))
        }
        while out.last == 0 { out.removeLast() }
        return out
    }

    static func multiply(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        if a.isEmpty || b.isEmpty { return [] }
        var out = [UInt32](repeating: 0, count: a.count + b.count)
        for i in 0..<a.count {
            var carry: UInt64 = 0
            let x = UInt64(a[i])
            for j in 0..<b.count {
                let t = x * UInt64(b[j]) + UInt64(out[i + j]) + carry
                out[i + j] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
            }
            out[i + b.count] = UInt32(carry)
        }
        while out.last == 0 { out.removeLast() }
        return out
    }

    /// Quotient and remainder of `a / b` for b ≠ 0 (Knuth's algorithm D).
    static func divide(_ a: [UInt32], _ b: [UInt32]) -> ([UInt32], [UInt32]) {
        if compare(a, b) < 0 { return ([], a) }
        if b.count == 1 {
            let d = UInt64(b[0])
            var q = [UInt32](repeating: 0, count: a.count)
            var r: UInt64 = 0
            for i in stride(from: a.count - 1, through: 0, by: -1) {
                let cur = r << 32 | UInt64(a[i])
                q[i] = UInt32(cur / d)
                r = cur % d
            }
            while q.last == 0 { q.removeLast() }
            return (q, r == 0 ? [] : [UInt32(r)])
        }
        // Normalise so that the divisor's top limb has its high bit set.
        let s = b.last!.leadingZeroBitCount
        let v = shiftLeft(b, s), n = v.count
        var u = shiftLeft(a, s)
        if u.count == a.count { u.append(0) }
        if u.count < a.count + 1 { u.append(0) }
        let m = u.count - n
        var q = [UInt32](repeating: 0, count: m)
        let base: UInt64 = 1 << 32
        for j in stride(from: m - 1, through: 0, by: -1) {
            let top = UInt64(u[j + n]) << 32 | UInt64(u[j + n - 1])
            var qhat = top / UInt64(v[n - 1])
            var rhat = top % UInt64(v[n - 1])
            while qhat >= base || qhat * UInt64(v[n - 2]) > (rhat << 32 | UInt64(u[j + n - 2])) {
                qhat -= 1
                rhat += UInt64(v[n - 1])
                if rhat >= base { break }
            }
            // u[j…j+n] −= qhat · v
            var borrow: Int64 = 0
            var carry: UInt64 = 0
            for i in 0..<n {
                let p = qhat * UInt64(v[i]) + carry
                carry = p >> 32
                let t = Int64(u[i + j]) - borrow - Int64(p & 0xFFFF_FFFF)
                u[i + j] = UInt32(truncatingIfNeeded: t)
                borrow = t < 0 ? 1 : 0
            }
            let t = Int64(u[j + n]) - borrow - Int64(carry)
            u[j + n] = UInt32(truncatingIfNeeded: t)
            if t < 0 {
                // qhat was one too large: add v back.
                qhat -= 1
                var c: UInt64 = 0
                for i in 0..<n {
                    let s = UInt64(u[i + j]) + UInt64(v[i]) + c
                    u[i + j] = UInt32(truncatingIfNeeded: s)
                    c = s >> 32
                }
                u[j + n] = UInt32(truncatingIfNeeded: UInt64(u[j + n]) + c)
            }
            q[j] = UInt32(qhat)
        }
        while q.last == 0 { q.removeLast() }
        var r = shiftRight(Array(u[0..<n]), s)
        while r.last == 0 { r.removeLast() }
        return (q, r)
    }

    static func shiftLeft(_ a: [UInt32], _ s: Int) -> [UInt32] {
        guard s > 0 else { return a }
        var out = [UInt32](); out.reserveCapacity(a.count + 1)
        var carry: UInt32 = 0
        for x in a {
            out.append(x << UInt32(s) | carry)
            carry = x >> UInt32(32 - s)
        }
        if carry != 0 { out.append(carry) }
        return out
    }

    static func shiftRight(_ a: [UInt32], _ s: Int) -> [UInt32] {
        guard s > 0 else { return a }
        var out = [UInt32](repeating: 0, count: a.count)
        for i in 0..<a.count {
            out[i] = a[i] >> UInt32(s) | (i + 1 < a.count ? a[i + 1] << UInt32(32 - s) : 0)
        }
        return out
    }
}
