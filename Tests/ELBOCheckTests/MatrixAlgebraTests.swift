import XCTest
import ELBOSpec
@testable import ELBOAlgebra
@testable import ELBOCheck

/// Matrices (`param A[m, m]`): products do not commute, so a step that only a commuting
/// algebra would prove must not be verified; the witness evaluates the matrices and refutes
/// the false rearrangements.
final class MatrixAlgebraTests: XCTestCase {
    let header = """
    derivation traces "trace identities"
    variables
      x : observed real[m]
    param A[m, m]
    param B[m, m]
    param C[m, m]
    param S[m, m] > 0
    param v[m]
    model p(x)
    steps
    """

    func steps(_ body: String) -> [String: StepReport] { verdicts(header + "\n" + body) }

    func testANonCyclicPermutationOfATraceIsRefuted() {
        // Before the scalar algebra refused matrices, it proved this (an internal error).
        let s = steps("""
              tr(A B C)
          (1) = tr(B A C)
              expect refuted
          (2) = tr(A C B)
              expect refuted
          (3) = tr(C B A)
              expect refuted
          (4) = tr(C A B)
          (5) = tr(B C A)
        """)
        for label in ["(1)", "(2)", "(3)"] {
            XCTAssertEqual(s[label]?.verdict, .refuted, "\(label): \(s[label]?.message ?? "missing")")
            XCTAssertNotNil(s[label]?.counterexample, label)
        }
        for label in ["(4)", "(5)"] {
            XCTAssertNotEqual(s[label]?.verdict, .refuted, "\(label): \(s[label]?.message ?? "missing")")
            XCTAssertNotEqual(s[label]?.verdict, .error, "\(label): \(s[label]?.message ?? "missing")")
        }
    }

    func testTransposesAndQuadraticForms() {
        let s = steps("""
              tr(A B) + v^T A v
          (1) = tr(B^T A) + v^T A v
              expect refuted
          (2) = tr(B A) + v^T A^-1 v
              expect refuted
          (3) = tr(B A) + v^T A^T v
          (4) = tr(B A) + tr(A v v^T)
          (5) = tr(B A) + v^T v
              expect refuted
        """)
        for label in ["(1)", "(2)", "(5)"] {
            XCTAssertEqual(s[label]?.verdict, .refuted, "\(label): \(s[label]?.message ?? "missing")")
        }
        for label in ["(3)", "(4)"] {
            XCTAssertNotEqual(s[label]?.verdict, .refuted, "\(label): \(s[label]?.message ?? "missing")")
            XCTAssertNotEqual(s[label]?.verdict, .error, "\(label): \(s[label]?.message ?? "missing")")
        }
    }

    func testDeterminants() {
        let s = steps("""
              det(A B)
          (1) = det(A) + det(B)
              expect refuted
          (2) = det(B A)
          (3) = det(A + B)
              expect refuted
        """)
        XCTAssertEqual(s["(1)"]?.verdict, .refuted, s["(1)"]?.message ?? "missing")
        XCTAssertEqual(s["(3)"]?.verdict, .refuted, s["(3)"]?.message ?? "missing")
        XCTAssertNotEqual(s["(2)"]?.verdict, .refuted, s["(2)"]?.message ?? "missing")
    }
}
