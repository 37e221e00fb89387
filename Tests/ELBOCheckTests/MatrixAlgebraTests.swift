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

    /// `spd`, `sym` and `lower` are what the witness draws: each property holds for its
    /// structure and is refuted for the weaker one.
    func testDeclaredStructuresAreRespected() throws {
        func verdict(_ structure: String, _ lhs: String, _ relation: String, _ rhs: String) -> Verdict? {
            verdicts("""
            derivation structures "matrix structures"
            variables
              x : observed real[m]
            param M[m, m]\(structure.isEmpty ? "" : " " + structure)
            param v[m]
            param w[m]
            model p(x)
            steps
                  \(lhs)
              (1) \(relation) \(rhs)
            """)["(1)"]?.verdict
        }
        // Symmetric: vᵀ M w = wᵀ M v.
        XCTAssertNotEqual(verdict("sym", "v^T M w", "=", "w^T M v"), .refuted)
        XCTAssertEqual(verdict("", "v^T M w", "=", "w^T M v"), .refuted)
        // Positive definite: vᵀ M v ≥ 0.
        XCTAssertNotEqual(verdict("spd", "v^T M v", "≥", "0"), .refuted)
        XCTAssertEqual(verdict("sym", "v^T M v", "≥", "0"), .refuted)
        // A Cholesky factor: a positive diagonal, so det(M) > 0 and M Mᵀ is positive definite.
        XCTAssertNotEqual(verdict("lower", "det(M)", "≥", "0"), .refuted)
        XCTAssertEqual(verdict("", "det(M)", "≥", "0"), .refuted)
        XCTAssertNotEqual(verdict("lower", "v^T M M^T v", "≥", "0"), .refuted)
        // Lower triangular: det(M) is the product of the diagonal, which tr cannot see: M + Mᵀ
        // is not M Mᵀ.
        XCTAssertEqual(verdict("lower", "tr(M M^T)", "=", "tr(M + M^T)"), .refuted)
        // A structure needs a square matrix.
        XCTAssertThrowsError(try SpecParser.parse(source: """
        derivation bad "bad"
        variables
          x : observed real[m]
        param M[m, k] spd
        model p(x)
        steps
              1
          (1) = 1
        """, path: "b.elbo"))
    }
}
