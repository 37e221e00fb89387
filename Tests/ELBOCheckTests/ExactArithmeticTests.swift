import XCTest
@testable import ELBOCheck
import ELBOAlgebra
import ELBOSpec

/// Steps whose arithmetic overflowed 64-bit rationals, or whose terms have no value: each one
/// gets a verdict (never a trap) and undefined terms are never proved equal.
final class ExactArithmeticTests: XCTestCase {
    /// The verdict of the single step `log p(x) + TERM − TERM` (or with `rhs` on the right).
    func verdict(_ term: String, rhs: String = "log p(x)", file: StaticString = #filePath, line: UInt = #line) -> StepReport? {
        let spec = """
        derivation arithmetic "exact arithmetic"
        variables
          x : observed real
        model p(x)
        steps
              log p(x) + \(term) - \(term)
          (1) = \(rhs)
        """
        let steps = verdicts(spec, file: file, line: line)
        XCTAssertEqual(steps.count, 1, file: file, line: line)
        return steps["(1)"]
    }

    func testPowersThatOverflowedIntAreVerified() throws {
        for term in ["2^63", "2^62", "10^1000", "(2^64 + 1)^3", "999999999*999999999*999999999", "0.000000001^3"] {
            let s = try XCTUnwrap(verdict(term))
            XCTAssertEqual(s.verdict, .verified, "\(term): \(s.message)")
        }
    }

    func testALongSumOfReciprocalsIsVerified() throws {
        let sum = (0..<40).map { "1/\(999_999_999 - $0)" }.joined(separator: " + ")
        let s = try XCTUnwrap(verdict("(\(sum))"))
        XCTAssertEqual(s.verdict, .verified, s.message)
    }

    func testAPowerBeyondTheExactLimitIsUnsupportedWithTheLimit() throws {
        let s = try XCTUnwrap(verdict("2^2^2^2^2"))
        XCTAssertEqual(s.verdict, .unsupported, s.message)
        XCTAssertTrue(s.message.contains("\(Rational.maximumBits) bits"), s.message)
        let x = try XCTUnwrap(verdict("x^(10^12)"))
        XCTAssertNotEqual(x.verdict, .verified, x.message)
        XCTAssertTrue(x.message.contains("\(ScalarForm.maximumExponent)"), x.message)
    }

    func testUndefinedTermsAreNotProvedEqual() throws {
        for (term, reason) in [("0^(-1)", "division by zero"), ("(x - x)^(-2)", "division by zero"),
                               ("log(-1)", "logarithm of -1"), ("log(0)", "logarithm of 0")] {
            let s = try XCTUnwrap(verdict(term))
            XCTAssertEqual(s.verdict, .error, "\(term): \(s.message)")
            XCTAssertTrue(s.message.contains("undefined") && s.message.contains(reason), "\(term): \(s.message)")
            XCTAssertFalse(s.message.contains("INTERNAL ERROR"), s.message)
        }
    }

    func testALiteralDivisionByZeroIsASpecError() {
        XCTAssertThrowsError(try SpecParser.parse(source: """
        derivation d "d"
        variables
          x : observed real
        model p(x)
        steps
              log p(x)
          (1) = log p(x) + 1/0
        """, path: "zero.elbo")) { error in
            XCTAssertTrue("\(error)".contains("zero.elbo:7:"), "\(error)")
        }
    }

    func testAHighPowerThatCancelsExactlyIsNotAnInternalError() throws {
        let s = try XCTUnwrap(verdict("(x + 1/3)^99"))
        XCTAssertNotEqual(s.verdict, .error, s.message)
        XCTAssertFalse(s.message.contains("INTERNAL ERROR"), s.message)
        // A wrong step with the same power is still refuted.
        let wrong = try XCTUnwrap(verdict("(x + 1/3)^99", rhs: "log p(x) + 1"))
        XCTAssertEqual(wrong.verdict, .refuted, wrong.message)
    }
}
