import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

/// The Gaussian (continuous) witness: family-level steps of the seeds, judged on random
/// continuous instances with Gauss–Hermite quadrature.
final class WitnessGaussianTests: XCTestCase {
    /// The Gaussian VAE of the brief: encoder `mu, s`, decoder `xhat`, learnable `gamma`.
    static let vae = """
    derivation vae "Gaussian VAE"
    variables
      x : observed real[k]
      z : latent real[m]
    param gamma > 0
    model p(x, z) = p(x | z) p(z)
    guide q(z | x)
    network enc: x -> mu, s
    network dec: z -> xhat
    family q(z | x) = Normal(mu, exp(s))
    family p(z) = Normal(0, 1)
    family p(x | z) = Normal(xhat, gamma^2)
    """

    // MARK: (1) the closed-form KL

    func testDiagonalGaussianKLToTheStandardNormal() {
        let spec = GaussianWitnessSpec(Self.vae)
        let kl = "KL(q(z | x) || p(z))"
        assertAgrees(spec.check(kl, .equal, "1/2 Σ_{j=1}^{m} (mu_j² + exp(s_j) - 1 - s_j)"))
        // The same with the expectation written out, and as the negative ELBO term.
        assertAgrees(spec.check(kl, .equal, "E_{q(z | x)}[ log q(z | x) - log p(z) ]"))
        assertAgrees(spec.check("-" + kl, .equal, "1/2 Σ_j (1 + s_j - mu_j² - exp(s_j))"))
        // The sign of s_j flipped, and the ½ missing.
        assertRefutes(spec.check(kl, .equal, "1/2 Σ_{j=1}^{m} (mu_j² + exp(-s_j) - 1 + s_j)"), "sign of s_j flipped")
        assertRefutes(spec.check(kl, .equal, "1/2 Σ_{j=1}^{m} (mu_j² + exp(s_j) - 1 + s_j)"), "sign of the last s_j")
        assertRefutes(spec.check(kl, .equal, "Σ_{j=1}^{m} (mu_j² + exp(s_j) - 1 - s_j)"), "½ missing")
        // KL ≥ 0 holds; the reverse does not.
        assertAgrees(spec.check(kl, .greaterOrEqual, "0"))
        assertRefutes(spec.check(kl, .lessOrEqual, "0"))
    }

    func testEntropyAndCrossEntropyOfTheEncoder() {
        let spec = GaussianWitnessSpec(Self.vae)
        assertAgrees(spec.check("H(q(z | x))", .equal, "m/2 log(2 π e) + 1/2 Σ_j s_j"))
        assertRefutes(spec.check("H(q(z | x))", .equal, "m/2 log(2 π) + 1/2 Σ_j s_j"), "the e is missing")
        assertAgrees(spec.check("E_{q(z | x)}[ log p(z) ]", .equal, "-m/2 log(2 π) - 1/2 Σ_j (mu_j² + exp(s_j))"))
        assertAgrees(spec.check("∫ q(z | x) log p(z) dz", .equal, "-m/2 log(2 π) - 1/2 ‖mu‖² - 1/2 Σ_j exp(s_j)"))
    }

    // MARK: (2) the Gaussian decoder's log-likelihood

    func testGaussianDecoderLogLikelihood() {
        let spec = GaussianWitnessSpec(Self.vae)
        let log = "log p(x | z)"
        let exact = "-k/2 log(2π) - k log(gamma) - ‖x - xhat‖²/(2 gamma²)"
        assertAgrees(spec.check(log, .equal, exact))
        assertAgrees(spec.check(log, .equal, "log N(x; xhat, gamma^2)"))
        assertAgrees(spec.check(log, .equal, "-log((2π)^(k/2) gamma^k) - ‖x - xhat‖_2^2 / (2 gamma^2)"))
        // A scale not squared (seed 001's (16)).
        assertRefutes(spec.check(log, .equal, "-k/2 log(2π) - k log(gamma) - ‖x - xhat‖²/(2 gamma)"), "gamma not squared")
        // Up to a constant: 2π may go, gamma may not (it is learnable).
        assertAgrees(spec.check(log, .equalUpToConstant, "-k log(gamma) - ‖x - xhat‖²/(2 gamma²)"))
        let c = assertRefutes(spec.check(log, .equalUpToConstant, "-k/2 log(2π) - ‖x - xhat‖²/(2 gamma²)"), "log gamma dropped")
        XCTAssertTrue(c?.instance.contains("learnable") ?? false, c?.instance ?? "")
        // Proportional: a positive factor and a constant.
        assertAgrees(spec.check(log, .proportional, "2 (-k log(gamma) - ‖x - xhat‖²/(2 gamma²))"))
        assertAgrees(spec.check(log, .proportional, "-k log(gamma) - ‖x - xhat‖²/(2 gamma²) + 7"))
        assertRefutes(spec.check(log, .proportional, "k log(gamma) + ‖x - xhat‖²/(2 gamma²)"), "negative factor")
    }

    // MARK: (3) seed 003's lemma and seed 002's multivariate KL

    static let lemma = """
    derivation lemma "E_{N(mt, St)}[log N(xi; mu, S)]"
    variables
      xi : latent real[d]
    param mt[d], vt[d] > 0, mu[d], v[d] > 0
    param St[d, d] > 0, S[d, d] > 0
    model r(xi)
    model f(xi)
    family r(xi) = Normal(mt, vt)
    family f(xi) = Normal(mt, St)
    """

    func testSeed003LemmaDiagonal() {
        let spec = GaussianWitnessSpec(Self.lemma)
        let rhs = "log N(mt; mu, v) - 1/2 Σ_j vt_j / v_j"
        assertAgrees(spec.check("E_{r(xi)}[ log N(xi; mu, v) ]", .equal, rhs))
        assertAgrees(spec.check("∫ N(xi; mt, vt) log N(xi; mu, v) dxi", .equal, rhs))
        assertAgrees(spec.check("E_{r(xi)}[ log N(xi; mu, v) ]", .equal, "log N(mt; mu, v) - tr(vt / v)/2"))
        assertRefutes(spec.check("E_{r(xi)}[ log N(xi; mu, v) ]", .equal, "log N(mt; mu, v)"), "trace term missing")
        assertRefutes(spec.check("E_{r(xi)}[ log N(xi; mu, v) ]", .equal, "log N(mt; mu, v) - Σ_j vt_j / v_j"), "½ missing")
    }

    func testSeed003LemmaFullCovariance() {
        let spec = GaussianWitnessSpec(Self.lemma)
        let lhs = "E_{f(xi)}[ log N(xi; mu, S) ]"
        assertAgrees(spec.check(lhs, .equal, "log N(mt; mu, S) - tr(St S^-1)/2"))
        assertAgrees(spec.check(lhs, .equal,
            "log( 1 / sqrt((2π)^d det(S)) ) - 1/2 ( (mt - mu)^T S^-1 (mt - mu) + tr(St S^-1) )"))
        assertAgrees(spec.check("∫ N(xi; mt, St) log N(xi; mu, S) dxi", .equal, "log N(mt; mu, S) - tr(inverse(S) St)/2"))
        // "In particular": the expected log-density of a Gaussian under itself.
        assertAgrees(spec.check("∫ N(xi; mu, S) log N(xi; mu, S) dxi", .equal, "-d/2 log(2 π e det(S)^(1/d))"))
        assertRefutes(spec.check(lhs, .equal, "log N(mt; mu, S) - tr(St S)/2"), "S not inverted")
        assertRefutes(spec.check(lhs, .equal, "log N(mt; mu, S) - tr(St S^-1)"), "½ missing")
    }

    func testMatrixForms() {
        let spec = GaussianWitnessSpec(Self.lemma)
        // A quadratic form with a full covariance, and with a diagonal one written as a vector.
        assertAgrees(spec.check("log N(xi; mu, S)", .equal,
                                "-d/2 log(2π) - 1/2 log(det(S)) - 1/2 (xi - mu)^T S^-1 (xi - mu)"))
        assertAgrees(spec.check("log N(xi; mu, v)", .equal,
                                "-d/2 log(2π) - 1/2 log(det(v)) - 1/2 (xi - mu)^T v^-1 (xi - mu)"))
        assertRefutes(spec.check("log N(xi; mu, S)", .equal,
                                 "-d/2 log(2π) - 1/2 log(det(S)) - 1/2 (xi - mu)^T S (xi - mu)"), "S not inverted")
        // Products, traces and determinants of matrices.
        assertAgrees(spec.check("(mt - mu)^T (mt - mu)", .equal, "‖mt - mu‖²"))
        assertAgrees(spec.check("tr(St S^-1)", .equal, "tr(S^-1 St)"))
        assertAgrees(spec.check("det(St S)", .equal, "det(St) det(S)"))
        assertAgrees(spec.check("log(det(inverse(S)))", .equal, "-log(det(S))"))
        assertAgrees(spec.check("tr(vt / v)", .equal, "Σ_j vt_j / v_j"), "vectors are diagonal matrices")
        assertAgrees(spec.check("tr(vt S^-1)", .equal, "tr(vt S^-1 S S^-1)"), "a vector before a matrix is diagonal")
        assertRefutes(spec.check("det(St + S)", .equal, "det(St) + det(S)"))
    }

    static let multivariateKL = """
    derivation mvkl "seed 002: KL between multivariate normals"
    variables
      x : latent real[k]
    param mu1[k], mu2[k], S1[k, k] > 0, S2[k, k] > 0
    model p(x)
    guide q(x)
    family p(x) = Normal(mu1, S1)
    family q(x) = Normal(mu2, S2)
    steps
          KL( p(x) || q(x) )
      # As the seed writes it: the log-determinant ratio the wrong way up, no ½ on the expectations.
      (A)  = 1/2 log( det(S1) / det(S2) ) - E_{p(x)}[ (x - mu1)^T S1^-1 (x - mu1) ]
             + E_{p(x)}[ (x - mu2)^T S2^-1 (x - mu2) ]        expect refuted
      (A') = 1/2 log( det(S2) / det(S1) ) - 1/2 E_{p(x)}[ (x - mu1)^T S1^-1 (x - mu1) ]
             + 1/2 E_{p(x)}[ (x - mu2)^T S2^-1 (x - mu2) ]
      (B)  = 1/2 ( tr(S2^-1 S1) + (mu2 - mu1)^T S2^-1 (mu2 - mu1) - k + log( det(S2) / det(S1) ) )
      (C)  = KL( p(x) || N(x; mu2, S2) )
      (D)  = E_{p(x)}[ log N(x; mu1, S1) - log N(x; mu2, S2) ]
    """

    func testSeed002MultivariateKL() {
        let spec = GaussianWitnessSpec(Self.multivariateKL)
        spec.assertStepsMeetExpectations()
        // Each of the seed's two mistakes alone is refuted too.
        let kl = "KL( p(x) || q(x) )"
        assertRefutes(spec.check(kl, .equal, "1/2 log( det(S1) / det(S2) ) - 1/2 E_{p(x)}[ (x - mu1)^T S1^-1 (x - mu1) ]"
            + " + 1/2 E_{p(x)}[ (x - mu2)^T S2^-1 (x - mu2) ]"), "orientation of the determinants")
        assertRefutes(spec.check(kl, .equal, "1/2 log( det(S2) / det(S1) ) - E_{p(x)}[ (x - mu1)^T S1^-1 (x - mu1) ]"
            + " + E_{p(x)}[ (x - mu2)^T S2^-1 (x - mu2) ]"), "½ missing on the expectations")
    }

    // MARK: (4) a Bernoulli decoder

    static let bernoulli = """
    derivation bvae "Bernoulli decoder in logits"
    variables
      x : observed binary[k]
      z : latent real[m]
    model p(x, z) = p(x | z) p(z)
    guide q(z | x)
    network enc: x -> mu, s
    network dec: z -> f
    family q(z | x) = Normal(mu, exp(s))
    family p(z) = Normal(0, 1)
    family p(x | z) = Bernoulli(logits = f)
    """

    func testBernoulliDecoderInLogits() {
        let spec = GaussianWitnessSpec(Self.bernoulli)
        assertAgrees(spec.check("log p(x | z)", .equal, "Σ_j (x_j f_j - log(1 + exp(f_j)))"))
        assertAgrees(spec.check("log p(x | z)", .equal, "Σ_j (x_j log(1/(1 + exp(-f_j))) + (1 - x_j) log(1 - 1/(1 + exp(-f_j))))"))
        assertRefutes(spec.check("log p(x | z)", .equal, "Σ_j (x_j f_j - log(1 + exp(-f_j)))"), "wrong softplus sign")
        assertRefutes(spec.check("log p(x | z)", .equal, "Σ_j x_j f_j"), "normaliser missing")
        // Under the encoder, and the Bernoulli as a measure: its mean is the logistic of f.
        assertAgrees(spec.check("E_{q(z | x)}[ log p(x | z) ]", .equal, "E_{q(z | x)}[ Σ_j (x_j f_j - log(1 + exp(f_j))) ]"))
        assertAgrees(spec.check("E_{p(x | z)}[ Σ_j x_j ]", .equal, "Σ_j 1/(1 + exp(-f_j))"))
        assertAgrees(spec.check("∫ p(x | z) ‖x‖² dx", .equal, "Σ_j 1/(1 + exp(-f_j))"))
    }

    func testCategoricalLabelsAreSummed() {
        let spec = GaussianWitnessSpec("""
        derivation m2 "a classifier and a class-conditional encoder"
        variables
          x : observed real[k]
          y : latent label[C]
          z : latent real[m]
        guide q(y, z | x) = q(y | x) q(z | x, y)
        network cls: x -> py
        network enc: x, y -> mu, s
        family q(y | x) = Categorical(py)
        family q(z | x, y) = Normal(mu, exp(s))
        """)
        assertAgrees(spec.check("E_{q(y | x)}[ y ]", .equal, "Σ_{c=1}^{C} c py_c"))
        assertAgrees(spec.check("H(q(y | x))", .equal, "-Σ_{c=1}^{C} py_c log(py_c)"))
        assertAgrees(spec.check("∫ q(y | x) log q(y | x) dy", .equal, "Σ_{c=1}^{C} py_c log(py_c)"))
        assertAgrees(spec.check("E_{q(y, z | x)}[ log q(z | x, y) ]", .equal, "E_{q(y | x)}[ -m/2 log(2 π e) - 1/2 Σ_j s_j ]"))
        assertAgrees(spec.check("H(q(y, z | x))", .equal, "H(q(y | x)) + E_{q(y | x)}[ H(q(z | x, y)) ] + k - k"))
        assertRefutes(spec.check("E_{q(y | x)}[ y ]", .equal, "Σ_{c=1}^{C} py_c"))
    }

    // MARK: (5) a mixture prior

    static let mixture = """
    derivation mog "MoG prior (seed 001, section 4)"
    variables
      y : observed real[k]
      u : latent real[m]
    model p(u)
    guide q(u | y)
    network enc: y -> mu, s
    family q(u | y) = Normal(mu, exp(s))
    family p(u) = MixtureNormal(w, M, V; K)
    steps
          KL( q(u | y) || p(u) )
      (17) ≤ Σ_{i=1}^{K} w_i KL( q(u | y) || N(u; M_i, V_i) )
    """

    func testMixturePriorKLBound() {
        let spec = GaussianWitnessSpec(Self.mixture)
        spec.assertStepsMeetExpectations()
        let bound = "Σ_{i=1}^{K} w_i KL( q(u | y) || N(u; M_i, V_i) )"
        assertRefutes(spec.check("KL( q(u | y) || p(u) )", .greaterOrEqual, bound), "the bound the wrong way")
        assertRefutes(spec.check("KL( q(u | y) || p(u) )", .equal, bound), "Jensen's gap is not zero")
        // The mixture as a measure: its mean, and its density.
        assertAgrees(spec.check("E_{p(u)}[ u ]", .equal, "Σ_{i=1}^{K} w_i M_i"))
        assertAgrees(spec.check("log p(u)", .equal, "log( Σ_{i=1}^{K} w_i N(u; M_i, V_i) )"))
        assertRefutes(spec.check("log p(u)", .equal, "Σ_{i=1}^{K} w_i log N(u; M_i, V_i)"), "log inside the sum")
    }

    // MARK: (6) a nonlinear decoder under the encoder

    func testExpectationWithANonlinearDecoderMean() {
        let spec = GaussianWitnessSpec(Self.vae)
        let lhs = "E_{q(z | x)}[ log p(x | z) ]"
        let linear = "-k/2 log(2π) - k log(gamma) - 1/(2 gamma²) E_{q(z | x)}[ ‖x - xhat‖² ]"
        assertAgrees(spec.check(lhs, .equal, linear))
        assertAgrees(spec.check(lhs, .equal, "E_{q(z | x)}[ -k/2 log(2π) ] - k log(gamma) - E_{q(z | x)}[ ‖x - xhat‖² / (2 gamma²) ]"))
        assertAgrees(spec.check(lhs, .equal, "∫ q(z | x) log N(x; xhat, gamma^2) dz"))
        // The prior instead of the encoder as the measure.
        assertRefutes(spec.check("E_{p(z)}[ log p(x | z) ]", .equal, linear), "measure changed to p(z)")
        assertRefutes(spec.check(lhs, .equal, "-k/2 log(2π) - k log(gamma) - 1/(2 gamma²) E_{p(z)}[ ‖x - xhat‖² ]"),
                      "measure changed to p(z) on the right")
        // The decoder mean is not linear: E[‖x − x̂(z)‖²] ≠ ‖x − x̂(E z)‖² is not checkable as
        // written, but the reconstruction term is not the value at the mean either.
        assertRefutes(spec.check(lhs, .equal, "-k/2 log(2π) - k log(gamma) - 1/(2 gamma²) ‖x - xhat‖²"), "z is free on the right")
    }

    // MARK: seed 001's two-stage model

    static let srvae = """
    derivation srvae "seed 001: the two-stage VAE with Gaussian families"
    variables
      x : observed real[k]
      y : latent real[k_y]
      u : latent real[m_u]
      z : latent real[m_z]
    param gamma_1 > 0, gamma_2 > 0
    model p(x, y, u, z) = p(x | y, z) p(z | y, u) p(y | u) p(u)
    guide q(y, u, z | x) = q(z | x) q(u | y) q(y | x)
    network dec_x: y, z -> xhat
    network dec_y: u -> yhat
    network prior_z: y, u -> mp, sp
    network enc_z: x -> mz, sz
    network enc_u: y -> mu_u, su
    network down: x -> ybar
    family p(x | y, z) = Normal(xhat, gamma_1^2)
    family p(y | u) = Normal(yhat, gamma_2^2)
    family p(z | y, u) = Normal(mp, exp(sp))
    family p(u) = Normal(0, 1)
    family q(z | x) = Normal(mz, exp(sz))
    family q(u | y) = Normal(mu_u, exp(su))
    family q(y | x) = Delta(ybar)
    define MSE(a, b) = 1/k Σ_{n=1}^{k} (a_n - b_n)^2
    define MSE_seed(a, b) = 1/k Σ_{n=1}^{k} (a_n - b_n)
    """

    func testSeed001TwoStageModel() {
        let spec = GaussianWitnessSpec(Self.srvae)
        // (12): the decoder's log-likelihood, and (16) with the seed's MSE.
        let log = "log p(x | y, z)"
        assertAgrees(spec.check(log, .equal, "-log((2π)^(k/2) gamma_1^k) - ‖x - xhat‖_2^2 / (2 gamma_1^2)"))
        assertAgrees(spec.check(log, .proportional, "-k log(gamma_1) - ‖x - xhat‖_2^2 / (2 gamma_1^2)"))
        assertAgrees(spec.check(log, .proportional, "-k log(gamma_1) - k/(2 gamma_1^2) MSE(x, xhat)"))
        assertRefutes(spec.check(log, .proportional, "-k log(gamma_1) - k/(2 gamma_1) MSE(x, xhat)"), "gamma_1 not squared")
        assertRefutes(spec.check(log, .proportional, "-k log(gamma_1) - k/(2 gamma_1^2) MSE_seed(x, xhat)"), "the seed's MSE has no square")
        // (7)-(10): a KL between two Gaussians inside an expectation over u (nested quadrature).
        let kl = "E_{q(u | y)}[ KL( q(z | x) || p(z | y, u) ) ]"
        assertAgrees(spec.check(kl, .equal,
            "E_{q(u | y)}[ 1/2 Σ_j ( sp_j - sz_j + (exp(sz_j) + (mz_j - mp_j)^2) / exp(sp_j) - 1 ) ]"))
        assertAgrees(spec.check(kl, .equal, "E_{q(z | x) q(u | y)}[ log q(z | x) - log p(z | y, u) ]"
            + " + k_y - k_y"))
        assertRefutes(spec.check(kl, .equal,
            "E_{q(u | y)}[ 1/2 Σ_j ( sz_j - sp_j + (exp(sz_j) + (mz_j - mp_j)^2) / exp(sp_j) - 1 ) ]"), "log-variances swapped")
        // (10) drops the expectation over u: refuted against (10').
        assertRefutes(spec.check(kl, .equal, "KL( q(z | x) || p(z | y, u) ) + k_y - k_y"), "u is free on the right")
        // The deterministic first stage: y is the point ybar.
        assertAgrees(spec.check("E_{q(y | x)}[ E_{q(u | y)}[ log p(y | u) ] ]", .equal,
            "E_{q(y | x)}[ -k_y/2 log(2π) - k_y log(gamma_2) - E_{q(u | y)}[ ‖y - yhat‖² ] / (2 gamma_2^2) ]"))
        assertAgrees(spec.check("E_{q(y | x)}[ KL( q(u | y) || p(u) ) ]", .equal,
            "E_{q(y | x)}[ 1/2 Σ_j (mu_u_j^2 + exp(su_j) - 1 - su_j) ]"))
    }

    // MARK: the ELBO chain of seed 003's VAE

    func testVAEObjectiveUpToAConstant() {
        let spec = GaussianWitnessSpec(Self.vae + """

        steps
              E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) )
          (1) = E_{q(z | x)}[ log p(x | z) + log p(z) - log q(z | x) ]
          (2) =c -k log γ - 1/(2γ²) E_{q(z|x)}[ ‖x - x̂‖² ] + 1/2 Σ_j (1 + s_j - μ_j² - exp(s_j))
          (3) =c -k log γ - 1/(2γ²) E_{q(z|x)}[ ‖x - x̂‖² ] + 1/2 Σ_j (1 + s_j - μ_j² - exp(s_j)) - 1/2 Σ_j s_j
                expect refuted
          (4) ∝ -2k log γ - 1/γ² E_{q(z|x)}[ ‖x - x̂‖² ] - Σ_j (μ_j² + exp(s_j) - s_j)
        """)
        spec.assertStepsMeetExpectations()
    }

    // MARK: Delta, assumptions, skips, counterexamples

    func testDeltaFamilyIsSubstitution() {
        let spec = GaussianWitnessSpec("""
        derivation twostage "a deterministic first stage"
        variables
          x : observed real[k]
          y : latent real[k]
          z : latent real[m]
        guide q(y, z | x) = q(y | x) q(z | y)
        network down: x -> ybar
        network enc: y -> mu, s
        family q(y | x) = Delta(ybar)
        family q(z | y) = Normal(mu, exp(s))
        """)
        assertAgrees(spec.check("E_{q(y | x)}[ ‖y‖² ]", .equal, "‖ybar‖²"))
        assertAgrees(spec.check("E_{q(y, z | x)}[ log q(z | y) ]", .equal, "E_{q(y | x)}[ -m/2 log(2 π e) - 1/2 Σ_j s_j ]"))
        assertAgrees(spec.check("∫ q(y | x) H(q(z | y)) dy", .equal, "E_{q(y | x)}[ m/2 log(2 π e) + 1/2 Σ_j s_j ]"))
        assertRefutes(spec.check("E_{q(y | x)}[ ‖y‖² ]", .equal, "‖ybar‖² + k"), "no spread")
        assertSkips(spec.check("H(q(y | x))", .equal, "‖ybar‖²"), mentioning: "point mass")
    }

    static let cvae = """
    derivation cvae "decoder that may ignore the class"
    variables
      x : observed real[k]
      c : input label[C]
      z : latent real[m]
    model p(x, z | c) = p(x | z, c) p(z | c)
    guide q(z | x, c)
    network enc: x, c -> mu, s
    network dec: z, c -> xhat
    network prior: c -> mu_p
    family q(z | x, c) = Normal(mu, exp(s))
    family p(z | c) = Normal(mu_p, 1)
    family p(x | z, c) = Normal(xhat, 1)
    assume decoder_ignores_class: p(x | z, c) = p(x | z)
    """

    func testAssumptionsNarrowTheFamilyFunctions() {
        let spec = GaussianWitnessSpec(Self.cvae)
        let formula = "-k/2 log(2π) - 1/2 ‖x - xhat‖²"
        assertAgrees(spec.check("log p(x | z, c)", .equal, formula))
        assertAgrees(spec.check("log p(x | z)", .equal, formula, assuming: ["decoder_ignores_class"]))
        // ≈: exact under the assumption; without it the same formula still holds (error 0).
        let approx = spec.check("log p(x | z, c)", .approximately, formula, assuming: ["decoder_ignores_class"])
        guard case .agrees(_, let error?) = approx else { return XCTFail("\(approx)") }
        XCTAssertLessThan(error, 1e-12)
        // Under the assumption the decoder ignores c, so the class can be changed at will.
        assertAgrees(spec.check("log p(x | z)", .equal, "log N(x; xhat, 1)", assuming: ["decoder_ignores_class"]))
        // Without the assumption p(x | z) is a marginal over c: no closed form.
        assertSkips(spec.check("log p(x | z)", .equal, formula), mentioning: "marginal")
        // A class-conditional prior: the KL depends on the class through mu_p.
        assertAgrees(spec.check("KL( q(z | x, c) || p(z | c) )", .equal, "1/2 Σ_j ((mu_j - mu_p_j)² + exp(s_j) - 1 - s_j)"))
        assertRefutes(spec.check("KL( q(z | x, c) || p(z | c) )", .equal, "1/2 Σ_j (mu_j² + exp(s_j) - 1 - s_j)"))
        // The class is data: the same expectation at every class.
        assertAgrees(spec.check("E_{q(z | x, c)}[ log p(x | z, c) ]", .equal, "-k/2 log(2π) - 1/2 E_{q(z | x, c)}[ ‖x - xhat‖² ]"))
    }

    func testWhatIsSkippedSaysWhy() {
        let spec = GaussianWitnessSpec(Self.vae)
        // A posterior of the model is not a product of its factors.
        assertSkips(spec.check("log p(z | x)", .equal, "log p(x | z) + log p(z) - log p(x) + k - k"), mentioning: "posterior")
        // No Gaussian measure for z in the integrand.
        assertSkips(spec.check("∫ p(x | z) dz", .equal, "∫ N(x; xhat, gamma^2) dz"), mentioning: "no Gaussian measure")
        // A density without a family next to a formula.
        let bare = GaussianWitnessSpec("""
        derivation bare "no families"
        variables
          x : observed real[k]
          z : latent real[m]
        model p(x, z) = p(x | z) p(z)
        network dec: z -> xhat
        family p(x | z) = Normal(xhat, 1)
        """)
        assertSkips(bare.check("E_{p(z)}[ log p(x | z) ]", .equal, "E_{p(z)}[ log N(x; xhat, 1) ]"), mentioning: "family-level")
        assertSkips(bare.check("E_{p(z)}[ log p(x | z) ]", .equal, "E_{p(z)}[ log N(x; xhat, 1) ]"), mentioning: "no declared family")
    }

    func testCounterexampleNamesTheInstanceAndTheQuadrature() throws {
        let spec = GaussianWitnessSpec(Self.vae)
        let c = try XCTUnwrap(assertRefutes(spec.check("KL(q(z | x) || p(z))", .equal, "Σ_{j=1}^{m} (mu_j² + exp(s_j) - 1 - s_j)")))
        for text in ["Gaussian witness", "seed", "instance", "dimensions", "m = ", "params", "gamma = ", "at x = (",
                     "Gauss–Hermite", "z ~ q(z | x)", "relative tolerance 1e-07", "no assumptions"] {
            XCTAssertTrue(c.instance.contains(text), "'\(text)' missing from: \(c.instance)")
        }
        XCTAssertNotEqual(c.lhs, c.rhs)
        // The same seed gives the same counterexample.
        let again = spec.check("KL(q(z | x) || p(z))", .equal, "Σ_{j=1}^{m} (mu_j² + exp(s_j) - 1 - s_j)")
        XCTAssertEqual(again.counterexample, c)
    }

    func testDispatchLeavesProbabilityLevelStepsToTheFiniteWitness() {
        // Densities only (no scalar formula): the finite witness, whose counterexamples name domains.
        let spec = GaussianWitnessSpec(Self.vae)
        let c = assertRefutes(spec.check("E_{q(z | x)}[ log p(x | z) ]", .equal, "E_{p(z)}[ log p(x | z) ]"))
        XCTAssertTrue(c?.instance.contains("domains") ?? false, c?.instance ?? "")
        let g = assertRefutes(spec.check("E_{q(z | x)}[ log p(x | z) ]", .equal, "E_{p(z)}[ log p(x | z) ] + k - k"))
        XCTAssertTrue(g?.instance.contains("Gaussian witness") ?? false, g?.instance ?? "")
    }

    // MARK: speed

    func testFamilyLevelStepsAreFast() {
        let vae = GaussianWitnessSpec(Self.vae)
        let steps: [(String, Relation, String)] = [
            ("KL(q(z | x) || p(z))", .equal, "1/2 Σ_{j=1}^{m} (mu_j² + exp(s_j) - 1 - s_j)"),
            ("log p(x | z)", .equalUpToConstant, "-k log(gamma) - ‖x - xhat‖²/(2 gamma²)"),
            ("E_{q(z | x)}[ log p(x | z) ]", .equal, "-k/2 log(2π) - k log(gamma) - 1/(2 gamma²) E_{q(z | x)}[ ‖x - xhat‖² ]"),
        ]
        for (l, r, rr) in steps {
            var outcome: WitnessOutcome = .skipped("")
            let t = gaussianSeconds { outcome = vae.check(l, r, rr) }
            assertAgrees(outcome)
            XCTAssertLessThan(t, 0.25, "\(l) \(r.rawValue) \(rr) took \(t) s")
        }
        let derivations = [GaussianWitnessSpec(Self.multivariateKL), GaussianWitnessSpec(Self.mixture)]
        for spec in derivations {
            let t = gaussianSeconds { _ = spec.stepOutcomes() }
            XCTAssertLessThan(t, 1, "\(spec.derivation.name) took \(t) s")
        }
    }
}
