import XCTest
@testable import ELBOAlgebra

/// The arbitrary-precision integers under `Rational`, against `Int` where it can hold the
/// result and against algebraic identities beyond it.
final class BigIntTests: XCTestCase {
    /// A deterministic generator (SplitMix64), so a failure reproduces.
    struct Mix { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) } }

    func random(_ g: inout Mix, limbs: Int) -> BigInt {
        var v = BigInt.zero
        for _ in 0..<limbs { v = v * BigInt(1 << 32) + BigInt(Int(g.next() >> 32)) }
        return g.next() & 1 == 0 ? v : -v
    }

    func testAgreesWithIntWhereIntDoesNotOverflow() {
        var g = Mix(s: 1)
        for _ in 0..<2000 {
            let a = Int(truncatingIfNeeded: g.next()) >> Int(g.next() % 63)
            let b = Int(truncatingIfNeeded: g.next()) >> Int(g.next() % 63)
            let (s, so) = a.addingReportingOverflow(b)
            if !so { XCTAssertEqual(BigInt(a) + BigInt(b), BigInt(s)) }
            let (p, po) = a.multipliedReportingOverflow(by: b)
            if !po { XCTAssertEqual(BigInt(a) * BigInt(b), BigInt(p)) }
            if b != 0, !(a == Int.min && b == -1) {
                XCTAssertEqual(BigInt(a) / BigInt(b), BigInt(a / b))
                XCTAssertEqual(BigInt(a) % BigInt(b), BigInt(a % b))
            }
            XCTAssertEqual(BigInt(a) < BigInt(b), a < b)
            XCTAssertEqual(BigInt(a).description, String(a))
        }
    }

    func testDivisionIdentityOnLargeNumbers() {
        var g = Mix(s: 7)
        for _ in 0..<300 {
            let a = random(&g, limbs: 1 + Int(g.next() % 12)), b = random(&g, limbs: 1 + Int(g.next() % 6))
            guard !b.isZero else { continue }
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            XCTAssertEqual(q * b + r, a)
            XCTAssertTrue(r.absoluteValue < b.absoluteValue)
            XCTAssertTrue(r.isZero || r.isNegative == a.isNegative)
            XCTAssertEqual((a * b) / b, a)
            XCTAssertEqual(BigInt(decimal: a.description), a)
        }
    }

    func testOverflowBoundariesAndPowers() {
        let max = BigInt(Int.max), min = BigInt(Int.min)
        XCTAssertEqual((max + .one) - .one, max)
        XCTAssertEqual(-(min), max + .one)
        XCTAssertEqual((-(min)).description, "9223372036854775808")
        XCTAssertEqual((min * BigInt(-1)) + min, .zero)
        XCTAssertEqual(BigInt(2).power(64).description, "18446744073709551616")
        XCTAssertEqual(BigInt(10).power(30).description, "1" + String(repeating: "0", count: 30))
        XCTAssertEqual(BigInt.gcd(BigInt(2).power(100), BigInt(6).power(50)), BigInt(2).power(50))
        XCTAssertEqual(BigInt(2).power(200).doubleValue, 1.6069380442589903e60, accuracy: 1e45)
    }

    func testRationalsThatOverflowedInt() throws {
        let big = try Rational(2).power(Rational(63))
        XCTAssertEqual(big - big, .zero)
        XCTAssertEqual(try Rational(10).power(Rational(1000)) - (try Rational(10).power(Rational(1000))), .zero)
        let tiny = try XCTUnwrap(Rational(decimal: "0.000000001"))
        XCTAssertEqual((tiny * tiny * tiny).denominator, BigInt(10).power(27))
        XCTAssertEqual(Rational(999_999_999) * Rational(999_999_999) * Rational(999_999_999) / Rational(999_999_999),
                       Rational(999_999_999) * Rational(999_999_999))
        var sum = Rational.zero
        for k in 0..<200 { sum = sum + Rational(1, 999_999_999 - k) }
        for k in 0..<200 { sum = sum - Rational(1, 999_999_999 - k) }
        XCTAssertEqual(sum, .zero)
        XCTAssertThrowsError(try Rational(2).power(Rational(1 << 20)))
        XCTAssertThrowsError(try Rational(0).power(Rational(-1)))
        XCTAssertEqual(try Rational(-1).power(try Rational(10).power(Rational(100))), .one)
        XCTAssertEqual(Rational(decimal: "1e-3"), Rational(1, 1000))
        XCTAssertNil(Rational(decimal: "1e99999999999999999999"))
    }
}
