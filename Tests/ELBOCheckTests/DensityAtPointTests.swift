import XCTest
import ELBOSpec
@testable import ELBOAlgebra
@testable import ELBOCheck

/// Densities at points (`p(x | z = mu + sigma eps)`, `q(z | x = u)`, `q(z = w | x)`, mixtures of
/// them) and the reparameterisation identity `E_{q(z|x)}[f] = E_{N(eps; 0, 1)}[f(z = mu + σ eps)]`:
/// the true forms are verified (the identity by rule `reparameterisation`, kernel-checked), and
/// the usual mistakes (a variance for a standard deviation, a dropped mean, the unbound
/// density) are refuted with counterexamples.
final class DensityAtPointTests: XCTestCase {
    /// A decoder whose family reads z explicitly, at a reparameterised sample.
    let decoderAtSample = """
    derivation decoder_at_sample "decoder at a reparameterised sample"
    variables
      x : observed real[k]
      z : latent real[k]
      eps : latent real[k]
    param sigma[k] > 0
    param mu[k]
    model p(x, z) = p(x | z) p(z)
    family p(x | z) = Normal(z, 1)
    family p(z) = Normal(0, 1)
    steps
          log p(x | z = mu + sigma eps)
      (1) = -1/2 Σ_{j=1}^{k} (x_j - mu_j - sigma_j eps_j)^2 - k/2 log(2 pi)
      (2) = -1/2 Σ_{j=1}^{k} (x_j - mu_j - sigma_j^2 eps_j)^2 - k/2 log(2 pi)
          expect refuted
      (3) = log p(x | z)
          expect refuted
      (4) = log N(x; mu + sigma eps, 1)
    """

    func testADecoderAtASampleIsItsFamilyAtThatPoint() throws {
        let steps = verdicts(decoderAtSample)
        for label in ["(1)", "(4)"] {
            XCTAssertEqual(steps[label]?.verdict, .verified, "\(label): \(steps[label]?.message ?? "missing")")
        }
        XCTAssertTrue(steps["(1)"]?.rules.contains("density-at-point") ?? false, "\(steps["(1)"]?.rules ?? [])")
        for label in ["(2)", "(3)"] {
            XCTAssertEqual(steps[label]?.verdict, .refuted, "\(label): \(steps[label]?.message ?? "missing")")
            XCTAssertNotNil(steps[label]?.counterexample, label)
        }
    }

    /// `E_{q(z | x)}[log p(x | z)]` with a network decoder: no family can be read at the point,
    /// so only the change of variables proves it.
    func reparameterisation(encoderOutputs: String, variance: String, point: String) -> String {
        """
        derivation reparam "the reparameterisation identity"
        variables
          x : observed real[k]
          z : latent real[m]
          eps : latent real[m]
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        network encoder: x -> \(encoderOutputs)
        network decoder: z -> xhat
        family q(z | x) = Normal(mu, \(variance))
        family p(z) = Normal(0, 1)
        family p(x | z) = Normal(xhat, 1)
        define f(z) = log p(x | z)
        steps
              E_{q(z | x)}[ log p(x | z) ]
          (1) = E_{N(eps; 0, 1)}[ f(z = \(point)) ]
        """
    }

    func testTheReparameterisationIdentityIsACheckedStep() throws {
        let cases: [(String, String, String)] = [
            ("mu, s", "exp(s)", "mu + exp(s/2) eps"),       // σ = exp(s/2), s the log-variance
            ("mu, s", "exp(s)", "mu + eps exp(1/2 s)"),
            ("mu, s", "exp(s)", "mu - exp(s/2) eps"),       // ε and −ε have one law
            ("mu, sigma", "sigma^2", "mu + eps sigma"),     // seed 002: z = μ + ε ⊙ σ
            ("mu, v", "v", "mu + sqrt(v) eps"),
        ]
        for (outputs, variance, point) in cases {
            let step = verdicts(reparameterisation(encoderOutputs: outputs, variance: variance, point: point))["(1)"]
            XCTAssertEqual(step?.verdict, .verified, "\(point) for Normal(mu, \(variance)): \(step?.message ?? "missing")")
            XCTAssertTrue(step?.rules.contains("reparameterisation") ?? false, "\(point): \(step?.rules ?? [])")
        }
    }

    func testWrongReparameterisationsAreRefuted() throws {
        let cases: [(String, String, String)] = [
            ("mu, s", "exp(s)", "mu + exp(s) eps"),          // the variance for the standard deviation
            ("mu, s", "exp(s)", "mu + s eps"),               // the log-variance
            ("mu, s", "exp(s)", "exp(s/2) eps"),             // the mean dropped
            ("mu, Sigma", "Sigma", "mu + eps Sigma"),        // seed 002: z = μ + ε ⊙ Σ
            ("mu, s", "exp(s)", "mu + exp(s/2) eps + 1"),
            ("mu, s", "exp(s)", "mu + exp(s/2) eps^2"),      // not affine in ε
        ]
        for (outputs, variance, point) in cases {
            let step = verdicts(reparameterisation(encoderOutputs: outputs, variance: variance, point: point))["(1)"]
            XCTAssertEqual(step?.verdict, .refuted, "\(point) for Normal(mu, \(variance)): \(step?.message ?? "missing")")
            XCTAssertNotNil(step?.counterexample, point)
            XCTAssertFalse(step?.rules.contains("reparameterisation") ?? true, "\(point): \(step?.rules ?? [])")
        }
    }

    func testAFullCovarianceIsNotReadAsDiagonal() throws {
        // The scalar algebra multiplies elementwise: sqrt(Sigma) eps for a matrix Sigma must not
        // match the diagonal rule (the full form is mu + L eps with Sigma = L Lᵀ, not handled yet).
        let step = verdicts("""
        derivation reparam_matrix "full covariance"
        variables
          x : observed real[k]
          z : latent real[m]
          eps : latent real[m]
        param mu[m]
        param Sigma[m, m] > 0
        model p(x, z) = p(x | z) p(z)
        guide q(z)
        network decoder: z -> xhat
        family q(z) = Normal(mu, Sigma)
        family p(x | z) = Normal(xhat, 1)
        steps
              E_{q(z)}[ log p(x | z) ]
          (1) = E_{N(eps; 0, 1)}[ log p(x | z = mu + sqrt(Sigma) eps) ]
        """)["(1)"]
        XCTAssertNotEqual(step?.verdict, .verified, step?.message ?? "missing")
        XCTAssertFalse(step?.rules.contains("reparameterisation") ?? true, "\(step?.rules ?? [])")
    }

    func testASampleOfAnotherFamilyIsThatFamilysExpectation() throws {
        // z = eps is a sample of the prior p(z) = Normal(0, 1), not of q(z | x): the rule reads
        // the step as E_{p(z)}[log p(x | z)], which the witness tells apart from E_q.
        let step = verdicts(reparameterisation(encoderOutputs: "mu, s", variance: "exp(s)", point: "eps"))["(1)"]
        XCTAssertEqual(step?.verdict, .refuted, step?.message ?? "missing")
        XCTAssertNotNil(step?.counterexample)
    }

    func testTheIdentityIsWrittenWithTheSampleInline() throws {
        let spec = reparameterisation(encoderOutputs: "mu, s", variance: "exp(s)", point: "mu + exp(s/2) eps")
            .replacingOccurrences(of: "f(z = mu + exp(s/2) eps)", with: "log p(x | z = mu + exp(s/2) eps) + Σ_{j=1}^{m} eps_j")
        // Σ_j eps_j has mean 0 under N(eps; 0, 1): still the identity, through z_j − mu_j over σ_j.
        let step = verdicts(spec)["(1)"]
        XCTAssertEqual(step?.verdict, .verified, step?.message ?? "missing")
        XCTAssertTrue(step?.rules.contains("reparameterisation") ?? false, "\(step?.rules ?? [])")
        let shifted = verdicts(spec.replacingOccurrences(of: "Σ_{j=1}^{m} eps_j", with: "Σ_{j=1}^{m} eps_j^2"))["(1)"]
        XCTAssertEqual(shifted?.verdict, .refuted, shifted?.message ?? "missing")
    }

    func testAPolynomialUnderTheSampleAgreesWithMoments() throws {
        let steps = verdicts("""
        derivation reparam_poly "a polynomial f"
        variables
          x : observed real[k]
          z : latent real[m]
          eps : latent real[m]
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        network encoder: x -> mu, s
        family q(z | x) = Normal(mu, exp(s))
        define f(z) = Σ_{j=1}^{m} z_j^2
        steps
              E_{q(z | x)}[ f(z) ]
          (1) = E_{N(eps; 0, 1)}[ f(z = mu + exp(s/2) eps) ]
          (2) = Σ_{j=1}^{m} (mu_j^2 + exp(s_j))
          (3) = E_{N(eps; 0, 1)}[ f(z = mu + exp(s) eps) ]
              expect refuted
        """)
        XCTAssertEqual(steps["(1)"]?.verdict, .verified, steps["(1)"]?.message ?? "")
        XCTAssertEqual(steps["(2)"]?.verdict, .verified, steps["(2)"]?.message ?? "")
        XCTAssertEqual(steps["(3)"]?.verdict, .refuted, steps["(3)"]?.message ?? "")
    }

    func testTheEncoderAtAPseudoInputAndAtAPoint() throws {
        let steps = verdicts("""
        derivation encoder_at_points "the encoder at a pseudo-input and at a point"
        variables
          x : observed real[k]
          z : latent real[k]
        param u[k]
        param w[k]
        param t[k]
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        family q(z | x) = Normal(x, exp(t))
        steps
              log q(z | x = u) + log q(z = w | x)
          (1) = -1/2 Σ_{j=1}^{k} ((z_j - u_j)^2 / exp(t_j) + (w_j - x_j)^2 / exp(t_j)) - Σ_{j=1}^{k} t_j - k log(2 pi)
          (2) = log N(z; u, exp(t)) + log N(w; x, exp(t))
          (3) = log q(z | x) + log q(z = w | x)
              expect refuted
          (4) = log q(z = w | x = u) + log q(z = u | x = w)
              expect refuted
          (5) = log q(z = u | x = w) + log q(z = w | x = u) + log q(z | x = u) - log q(z = u | x = w)
              expect refuted
        """)
        for label in ["(1)", "(2)"] {
            XCTAssertEqual(steps[label]?.verdict, .verified, "\(label): \(steps[label]?.message ?? "missing")")
        }
        for label in ["(3)", "(4)", "(5)"] {
            XCTAssertEqual(steps[label]?.verdict, .refuted, "\(label): \(steps[label]?.message ?? "missing")")
            XCTAssertNotNil(steps[label]?.counterexample, label)
        }
    }

    /// A VampPrior, p(z) = 1/K Σ_k q(z | x = u_k), with a network encoder: Jensen's bound on the
    /// log of the mixture holds, its reverse and the unbound encoder are refuted.
    func testAMixtureOfTheEncoderAtPseudoInputs() throws {
        let steps = verdicts("""
        derivation vampprior "a VampPrior"
        variables
          x : observed real[k]
          z : latent real[m]
          u_i : input real[k] for i = 1..K
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        network encoder: x -> mu, s
        family q(z | x) = Normal(mu, exp(s))
        steps
              E_{q(z | x)}[ log q(z | x) - log( 1/K Σ_{i=1}^{K} q(z | x = u_i) ) ]
          (1) ≥ E_{q(z | x)}[ log q(z | x) ] - 1/K Σ_{i=1}^{K} E_{q(z | x)}[ log q(z | x = u_i) ]
              expect refuted
          (1') ≤ E_{q(z | x)}[ log q(z | x) ] - 1/K Σ_{i=1}^{K} E_{q(z | x)}[ log q(z | x = u_i) ]
          (2) = E_{q(z | x)}[ log q(z | x) ] - 1/K Σ_{i=1}^{K} E_{q(z | x)}[ log q(z | x) ]
              expect refuted
        """)
        XCTAssertEqual(steps["(1)"]?.verdict, .refuted, steps["(1)"]?.message ?? "missing")
        XCTAssertNotNil(steps["(1)"]?.counterexample)
        // Witnessed at K = 1…4, not proved for every K (no Jensen through points yet).
        XCTAssertEqual(steps["(1')"]?.verdict, .holdsNumerically, steps["(1')"]?.message ?? "missing")
        XCTAssertEqual(steps["(2)"]?.verdict, .refuted, steps["(2)"]?.message ?? "missing")
    }

    func testTheSyntaxReadsAsWritten() throws {
        let spec = try SpecParser.parse(source: decoderAtSample, path: "d.elbo")
        let start = try XCTUnwrap(spec.derivations.first?.start)
        guard case .log(let inner) = start, let (d, bindings) = inner.densityAtPoint else { return XCTFail("\(start)") }
        XCTAssertEqual(d, Density(joint: "p", variables: ["x"], given: ["z"]))
        XCTAssertEqual(bindings.map(\.0), ["z"])
        XCTAssertEqual(bindings.first?.1.symbols, ["mu", "sigma", "eps"])
        // Printed as written, and read back to the same term.
        let printed = start.description
        XCTAssertTrue(printed.contains("p(x | z = "), printed)
        let reparsed = try SpecParser.parse(source: decoderAtSample.replacingOccurrences(
            of: "      log p(x | z = mu + sigma eps)\n", with: "      \(printed)\n"), path: "d.elbo")
        XCTAssertEqual(reparsed.derivations.first?.start, start, printed)
        // A point is a value: not in a factorisation.
        XCTAssertThrowsError(try SpecParser.parse(
            source: decoderAtSample.replacingOccurrences(of: "model p(x, z) = p(x | z) p(z)", with: "model p(x, z) = p(x | z = 1) p(z)"),
            path: "d.elbo"))
        // Named arguments of a define: every parameter, once, by its name.
        let named = reparameterisation(encoderOutputs: "mu, s", variance: "exp(s)", point: "mu + exp(s/2) eps")
        XCTAssertNoThrow(try SpecParser.parse(source: named, path: "r.elbo"))
        for wrong in ["f(w = eps)", "f(z = eps, z = eps)"] {
            XCTAssertThrowsError(try SpecParser.parse(
                source: named.replacingOccurrences(of: "f(z = mu + exp(s/2) eps)", with: wrong), path: "r.elbo"), wrong)
        }
    }

    /// A define's parameter named like a variable binds the densities of its body (the meaning
    /// the algebra gives it); both witnesses agree (the finite one declines, the Gaussian one
    /// evaluates at the point), so `f(z = eps)` is not `log p(x | z)`.
    func testADefineArgumentRebindsTheDensitiesOfItsBody() throws {
        let text = reparameterisation(encoderOutputs: "mu, s", variance: "exp(s)", point: "eps")
            .replacingOccurrences(of: "E_{N(eps; 0, 1)}[ f(z = eps) ]", with: "E_{N(eps; 0, 1)}[ f(eps) ]")
            + "\n  (2) = E_{p(z)}[ log p(x | z) ]\n"
        let steps = verdicts(text)
        XCTAssertEqual(steps["(1)"]?.verdict, .refuted, steps["(1)"]?.message ?? "missing")
        // E_{N(eps; 0, 1)}[log p(x | z = eps)] is E_{p(z)}[log p(x | z)] for p(z) = Normal(0, 1).
        XCTAssertEqual(steps["(2)"]?.verdict, .verified, steps["(2)"]?.message ?? "missing")
        XCTAssertTrue(steps["(2)"]?.rules.contains("reparameterisation") ?? false, "\(steps["(2)"]?.rules ?? [])")
    }
}
