import XCTest
@testable import ELBOSpec

/// The language of indexed families: what a family declares at a size, and the diagnostics
/// (with line and column) for overlapping ranges, an index outside its range, a member never
/// declared, and a product whose factors do not partition the joint.
final class IndexedFamilyDiagnosticTests: XCTestCase {
    static let chain = """
    derivation chain
    dim T ≥ 2
    variables
      x_0 : observed real[1]
      x_t : latent real[1] for t = 1..T
    model p(x_{0:T}) = p(x_T) ∏_{t=1}^{T} p(x_{t-1} | x_t)
    steps
      log p(x_0)
    """

    func testAFamilyIsReadAtEverySizeFromTheLowerBoundToTheBoundPlusThree() throws {
        let spec = try XCTUnwrap(parseOrFail(Self.chain))
        let d = try XCTUnwrap(spec.derivations.first)
        XCTAssertEqual(d.sizedInstances.map(\.sizeDescription), ["T = 2", "T = 3", "T = 4", "T = 5"])
        for instance in d.sizedInstances {
            let t = instance.sizes[0].value
            let names = instance.derivation.declarations.variables.map(\.name)
            XCTAssertEqual(names, ["x_0"] + (1...t).map { "x_\($0)" })
            XCTAssertEqual(instance.derivation.declarations.variables.filter { $0.role == .observed }.map(\.name), ["x_0"])
        }
        XCTAssertEqual(d.declarations, d.sizedInstances[0].derivation.declarations, "the derivation is its smallest instance")
    }

    func testAnEmptyRangeDeclaresNothingAndAnEmptySumIsZero() throws {
        let spec = try XCTUnwrap(parseOrFail("""
        derivation empty
        dim N ≥ 1
        variables
          x : observed real[1]
          y_i : observed real[1] for i = 2..N
        model p(x)
        steps
          log p(x)
          = log p(x) + Σ_{i=N+1}^{N} log p(x)
        """))
        let d = try XCTUnwrap(spec.derivations.first)
        XCTAssertEqual(d.sizedInstances[0].derivation.declarations.variables.map(\.name), ["x"], "N = 1: y_2..y_1 is empty")
        XCTAssertEqual(d.sizedInstances[1].derivation.declarations.variables.map(\.name), ["x", "y_2"])
    }

    func testOverlappingRangesAreReported() {
        let s = Self.chain.replacingOccurrences(of: "for t = 1..T", with: "for t = 0..T")
        assertDiagnostic(s, at: (5, 3), contains: "ranges of 'x' overlap: 'x_0' is declared at 4:3")
    }

    func testAnIndexOutsideItsRangeIsReportedWithTheSize() {
        let s = Self.chain + "\n  = log p(x_{T+1})"
        assertDiagnostic(s, at: (9, 11), contains: "index outside its range: 'x_{T+1}' is x_3 at T = 2")
    }

    func testAMemberNeverDeclaredIsReported() {
        let s = Self.chain.replacingOccurrences(of: "  x_0 : observed real[1]\n", with: "")
        let ds = diagnostics(s)
        XCTAssertTrue(ds.contains { $0.message.contains("x_0") && $0.location.line == 5 }, ds.map(\.description).joined(separator: "\n"))
    }

    func testAProductWhoseFactorsDoNotPartitionTheJointIsReported() {
        let s = Self.chain.replacingOccurrences(of: "∏_{t=1}^{T}", with: "∏_{t=2}^{T}")
        assertDiagnostic(s, at: (6, 7), contains: "'x_0' is on the left of no factor")
    }

    func testASizeInAnIndexMustBeDeclared() {
        let s = Self.chain + "\n  = log p(x_{S})"
        let ds = diagnostics(s)
        XCTAssertTrue(ds.contains { $0.location.line == 9 }, ds.map(\.description).joined(separator: "\n"))
    }

    func testAFamilyNameMustCarryItsIndex() {
        let s = Self.chain.replacingOccurrences(of: "x_t : latent real[1] for t = 1..T", with: "x_s : latent real[1] for t = 1..T")
        assertDiagnostic(s, at: (5, 3), contains: "carries that index")
    }

    /// Sizes, ranges, slices and sums too large to write out are diagnostics, not hours of
    /// unrolling or an allocation that fails.
    func testSizesAndRangesTooLargeToWriteOutAreDiagnostics() {
        assertDiagnostic(Self.chain.replacingOccurrences(of: "dim T ≥ 2", with: "dim T ≥ 100000000"),
                         at: (2, 5), contains: "would be checked at 100000003")
        assertDiagnostic(Self.chain.replacingOccurrences(of: "for t = 1..T", with: "for t = 1..999999999"),
                         at: (5, 3), contains: "has 999999999 members")
        assertDiagnostic(Self.chain + "\n  = Σ_{t=1}^{99999999} log p(x_0)", at: (9, 22), contains: "has 99999999 terms")
        assertDiagnostic(Self.chain + "\n  = log p(x_{1:99999999})", at: (9, 11), contains: "has 99999999 members")
    }

    /// Found by the `check` fuzz target: a range with nothing after `=` read past the tokens.
    func testARangeWithNothingAfterItsEqualsSignIsADiagnostic() {
        let ds = diagnostics("derivation h\ndim N >= 1\nvariables\n  x_i : latent real[1] for i =\n")
        XCTAssertTrue(ds.contains { $0.location.line == 4 && $0.message.contains("expected an index") },
                      ds.map(\.description).joined(separator: "\n"))
        let ds2 = diagnostics("derivation h\ndim N >= 1\nvariables\n  x_i : latent real[1] for i = # comment\n")
        XCTAssertTrue(ds2.contains { $0.location.line == 4 }, ds2.map(\.description).joined(separator: "\n"))
        let ds3 = diagnostics("derivation h\ndim N >= 1\nvariables\n  x_i : latent real[1] for i = 1..\n")
        XCTAssertTrue(ds3.contains { $0.location.line == 4 }, ds3.map(\.description).joined(separator: "\n"))
    }
}
