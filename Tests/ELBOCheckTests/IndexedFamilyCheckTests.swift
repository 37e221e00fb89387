import XCTest
import ELBOSpec
@testable import ELBOCheck

/// Steps over indexed families (`x_t … for t = 1..T`, `∏`, `Σ` with symbolic bounds), checked
/// at every size from the lower bound to the bound + 3. True steps hold at each size (and are
/// `holds-numerically`, never `verified`, until the prover has rules for every size); false
/// ones are refuted and the counterexample names the size.
final class IndexedFamilyCheckTests: XCTestCase {
    static let plate = """
    derivation vae_plate "VAE with independent samples, N symbolic"
    dim N ≥ 1
    variables
      x_i : observed real[k] for i = 1..N
      z_i : latent real[m] for i = 1..N
    model p_theta(x_{1:N}, z_{1:N}) = ∏_{i=1}^{N} p(x_i | z_i) p(z_i)
    guide q_phi(z_{1:N} | x_{1:N}) = ∏_{i=1}^{N} q(z_i | x_i)
    steps
           E_{q(z_{1:N} | x_{1:N})}[ log( p(x_{1:N}, z_{1:N}) / q(z_{1:N} | x_{1:N}) ) ]
      (I2) = Σ_{i=1}^{N} E_{q(z_{1:N} | x_{1:N})}[ log( p(x_i | z_i) / q(z_i | x_i) ) + log p(z_i) ]
      (I3) = Σ_{i=1}^{N} E_{q(z_i | x_i)}[ log( p(x_i | z_i) / q(z_i | x_i) ) + log p(z_i) ]
      (first) = Σ_{i=1}^{N} E_{q(z_1 | x_1)}[ log( p(x_1 | z_1) / q(z_1 | x_1) ) + log p(z_1) ]
        expect refuted
    """

    func testAPlateOverNSamplesHoldsAtEverySizeAndEverySampleTakenAsTheFirstIsRefutedAtN2() throws {
        let v = verdicts(Self.plate)
        for label in ["(I2)", "(I3)"] {
            let s = try XCTUnwrap(v[label])
            XCTAssertEqual(s.verdict, .holdsNumerically, "\(label): \(s.message)")
            XCTAssertTrue(s.message.contains("N = 1; N = 2; N = 3; N = 4"), s.message)
        }
        // At N = 1 every sample is the first: the mistake shows from N = 2 on.
        let first = try XCTUnwrap(v["(first)"])
        XCTAssertEqual(first.verdict, .refuted, first.message)
        XCTAssertTrue(first.message.hasPrefix("at N = 2:"), first.message)
        XCTAssertTrue(try XCTUnwrap(first.counterexample).instance.hasPrefix("at N = 2:"))
    }

    static let diffusion = """
    derivation diffusion "diffusion ELBO (Ho et al. 2020, eq. 5), T symbolic"
    dim T ≥ 2
    variables
      x_0 : observed real[1]
      x_t : latent real[1] for t = 1..T
    model p(x_{0:T}) = p(x_T) ∏_{t=1}^{T} p(x_{t-1} | x_t)
    guide q(x_{1:T} | x_0) = ∏_{t=1}^{T} q(x_t | x_{t-1})
    steps
           E_{q(x_{1:T} | x_0)}[ log( p(x_{0:T}) / q(x_{1:T} | x_0) ) ]
      (a) = E_{q(x_{1:T} | x_0)}[ log p(x_T) + Σ_{t=1}^{T} log( p(x_{t-1} | x_t) / q(x_t | x_{t-1}) ) ]
      (bayes) = E_{q(x_{1:T} | x_0)}[ log p(x_T) + log( p(x_0 | x_1) / q(x_1 | x_0) )
                + Σ_{t=2}^{T} log( p(x_{t-1} | x_t) / q(x_{t-1} | x_t, x_0) ) + Σ_{t=2}^{T} log( q(x_{t-1} | x_0) / q(x_t | x_0) ) ]
      (telescoped) = E_{q(x_{1:T} | x_0)}[ log( p(x_T) / q(x_T | x_0) ) + log p(x_0 | x_1)
                + Σ_{t=2}^{T} log( p(x_{t-1} | x_t) / q(x_{t-1} | x_t, x_0) ) ]
      (no_x0) = E_{q(x_{1:T} | x_0)}[ log( p(x_T) / q(x_T | x_0) ) + log p(x_0 | x_1)
                + Σ_{t=2}^{T} log( p(x_{t-1} | x_t) / q(x_{t-1} | x_t) ) ]
        expect refuted
    """

    func testTheDiffusionDerivationHoldsAtEverySizeAndThePosteriorWithoutX0IsRefuted() throws {
        let v = verdicts(Self.diffusion)
        for label in ["(a)", "(bayes)", "(telescoped)"] {
            let s = try XCTUnwrap(v[label])
            XCTAssertEqual(s.verdict, .holdsNumerically, "\(label): \(s.message)")
            XCTAssertTrue(s.message.contains("T = 2; T = 3; T = 4; T = 5"), s.message)
        }
        let wrong = try XCTUnwrap(v["(no_x0)"])
        XCTAssertEqual(wrong.verdict, .refuted, wrong.message)
        XCTAssertTrue(wrong.message.hasPrefix("at T = 2:"), wrong.message)
    }

    func testASumThatStopsOneTermShortIsRefuted() throws {
        let short = Self.diffusion.replacingOccurrences(
            of: "(a) = E_{q(x_{1:T} | x_0)}[ log p(x_T) + Σ_{t=1}^{T} log",
            with: "(a) = E_{q(x_{1:T} | x_0)}[ log p(x_T) + Σ_{t=1}^{T-1} log")
        XCTAssertNotEqual(short, Self.diffusion)
        let s = try XCTUnwrap(verdicts(short)["(a)"])
        XCTAssertEqual(s.verdict, .refuted, s.message)
        XCTAssertTrue(s.message.hasPrefix("at T = 2:"), s.message)
    }

    /// A step that holds at the lower bound and fails above it: the witness must look past
    /// the smallest size, and the counterexample names the first size that fails.
    func testAStepThatFailsOnlyAboveTheLowerBoundIsRefutedAtThatSize() throws {
        let spec = """
        derivation tail "a sum that equals its first term only at N = 1"
        dim N ≥ 1
        variables
          x_i : observed real[1] for i = 1..N
        model p(x_{1:N}) = ∏_{i=1}^{N} p(x_i)
        steps
             log p(x_{1:N})
          = Σ_{i=1}^{N} log p(x_i)
          (wrong) = log p(x_1) + Σ_{i=3}^{N} log p(x_i)
            expect refuted
        """
        let v = verdicts(spec)
        let right = try XCTUnwrap(v["line 8"])
        XCTAssertEqual(right.verdict, .holdsNumerically, right.message)
        let wrong = try XCTUnwrap(v["(wrong)"])
        XCTAssertEqual(wrong.verdict, .refuted, wrong.message)
        XCTAssertTrue(wrong.message.hasPrefix("at N = 2:"), wrong.message)
    }

    /// With every size fixed (`dim L = 2`) there is one instance: its proof stands and the
    /// steps are verified; the objective can go to code generation.
    func testAFixedSizeIsOneInstanceAndItsStepsAreVerified() throws {
        let spec = """
        derivation hvae2 "two-layer hierarchical VAE written with a plate"
        dim L = 2
        variables
          x : observed real[1]
          z_l : latent real[1] for l = 1..L
        model p(x, z_{1:L}) = p(x | z_1) ∏_{l=1}^{L-1} p(z_l | z_{l+1}) p(z_L)
        guide q(z_{1:L} | x) = q(z_1 | x) ∏_{l=2}^{L} q(z_l | z_{l-1})
        steps
            E_{q(z_{1:L} | x)}[ log( p(x, z_{1:L}) / q(z_{1:L} | x) ) ]
          = E_{q(z_{1:L} | x)}[ log p(x | z_1) + Σ_{l=1}^{L-1} log p(z_l | z_{l+1}) + log p(z_L)
              - log q(z_1 | x) - Σ_{l=2}^{L} log q(z_l | z_{l-1}) ]
          = E_{q(z_1 | x)}[ log p(x | z_1) ] - KL( q(z_{1:L} | x) || p(z_{1:L}) )
          (wrong) = E_{q(z_1 | x)}[ log p(x | z_1) ] - KL( q(z_1 | x) || p(z_1) )
            expect refuted
        """
        let report = try XCTUnwrap(checkSpec(spec))
        let steps = try XCTUnwrap(report.derivations.first).steps
        XCTAssertEqual(steps.map(\.verdict), [.verified, .verified, .refuted], steps.map(\.message).joined(separator: "\n"))
        XCTAssertFalse(steps[2].message.hasPrefix("at L"), "one size: the message needs no size")
    }
}
