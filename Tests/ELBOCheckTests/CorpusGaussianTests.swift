import XCTest
@testable import ELBOCheck

/// Family-level derivations that are not among the seeds: Gaussian and Bernoulli closed forms,
/// learnable scales, wrong log-partitions, mixtures. False steps are marked `expect refuted`;
/// every other step must be verified by both engines.
final class CorpusGaussianTests: XCTestCase {
    static let vaeHeader = """
    variables
      x : observed real[k]
      z : latent real[m]
    param gamma > 0
    model p(x, z) = p(x | z) p(z)
    guide q(z | x)
    network enc: x -> mu, logvar
    network dec: z -> xhat
    family q(z | x) = Normal(mu, exp(logvar))
    family p(z) = Normal(0, 1)
    family p(x | z) = Normal(xhat, gamma^2)
    """

    func testStandardNormalKLAndItsCommonMistakes() {
        assertCorpus("""
        derivation kl "KL to the standard normal"
        \(Self.vaeHeader)
        steps
              KL( q(z | x) || p(z) )
          (1) = 1/2 Σ_{j=1}^{m} ( mu_j^2 + exp(logvar_j) - 1 - logvar_j )
          (2) = 1/2 Σ_{j=1}^{m} ( mu_j^2 + exp(logvar_j) - 1 + logvar_j )     expect refuted
          (3) = Σ_{j=1}^{m} ( mu_j^2 + exp(logvar_j) - 1 - logvar_j )         expect refuted
          (4) = - 1/2 Σ_{j=1}^{m} ( 1 + logvar_j - mu_j^2 - exp(logvar_j) )
          (5) ≥ 0
        """)
    }

    func testGaussianDecoderWithALearnableScale() {
        assertCorpus("""
        derivation decoder "log-likelihood of a Gaussian decoder"
        \(Self.vaeHeader)
        steps
              log p(x | z)
          (1) = - k/2 log(2 π) - k log(gamma) - ‖x - xhat‖² / (2 gamma^2)
          (2) = - k log(2 π) - k log(gamma) - ‖x - xhat‖² / (2 gamma^2)        expect refuted
          (3) = - k/2 log(2 π) - k log(gamma) - ‖x - xhat‖² / (2 gamma)        expect refuted
          (4) ≐ - k log(gamma) - ‖x - xhat‖² / (2 gamma^2)
          (5) ≐ - ‖x - xhat‖² / (2 gamma^2)                                    expect refuted
          (6) ≐ - k/2 log(2 π gamma^2) - 1/2 Σ_{j=1}^{k} (x_j - xhat_j)^2 / gamma^2
          (7) = - k/2 log(2 π) - k log(gamma) - 1/2 Σ_{j=1}^{k} (x_j - xhat_j)^2 / gamma^2
        """)
    }

    func testELBOWithClosedFormKL() {
        assertCorpus("""
        derivation elbo "the Gaussian VAE bound, closed form"
        \(Self.vaeHeader)
        steps
              log p(x)
          (1) ≥ E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) )
          (2) ≐ - k log(gamma) - E_{q(z | x)}[ ‖x - xhat‖² ] / (2 gamma^2)
                - 1/2 Σ_{j=1}^{m} ( mu_j^2 + exp(logvar_j) - 1 - logvar_j )
          (3) ≐ - E_{q(z | x)}[ ‖x - xhat‖² ] / (2 gamma^2)
                - 1/2 Σ_{j=1}^{m} ( mu_j^2 + exp(logvar_j) - 1 - logvar_j )     expect refuted
          (4) ∝ - 2 k log(gamma) - E_{q(z | x)}[ ‖x - xhat‖² ] / gamma^2
                - Σ_{j=1}^{m} ( mu_j^2 + exp(logvar_j) - 1 - logvar_j )
        """)
    }

    func testBernoulliLogitsAndTwoGaussianKL() {
        assertCorpus("""
        derivation bern "Bernoulli decoder and a learned prior"
        variables
          x : observed binary[k]
          c : input label[C]
          z : latent real[m]
        model p(x, z | c) = p(x | z) p(z | c)
        guide q(z | x)
        network enc: x -> mu, s
        network prior: c -> mp, sp
        network dec: z -> f
        family q(z | x) = Normal(mu, exp(s))
        family p(z | c) = Normal(mp, exp(sp))
        family p(x | z) = Bernoulli(logits = f)
        steps
              E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z | c) )
          (1) = E_{q(z | x)}[ Σ_{j=1}^{k} ( x_j f_j - log(1 + exp(f_j)) ) ]
                - 1/2 Σ_{j=1}^{m} ( sp_j - s_j + (exp(s_j) + (mu_j - mp_j)^2) / exp(sp_j) - 1 )
          (2) = E_{q(z | x)}[ Σ_{j=1}^{k} ( x_j f_j - log(1 + exp(f_j)) ) ]
                - 1/2 Σ_{j=1}^{m} ( s_j - sp_j + (exp(s_j) + (mu_j - mp_j)^2) / exp(sp_j) - 1 )     expect refuted
          (3) = E_{q(z | x)}[ Σ_{j=1}^{k} ( x_j f_j + x_j log(1 + exp(f_j)) ) ]
                - 1/2 Σ_{j=1}^{m} ( sp_j - s_j + (exp(s_j) + (mu_j - mp_j)^2) / exp(sp_j) - 1 )     expect refuted
        """)
    }
    static let mixtureHeader = """
    variables
      y : observed real[k]
      u : latent real[m]
    param w[K] > 0
    param M[K, m]
    param V[K, m] > 0
    model p(u, y) = p(y | u) p(u)
    guide q(u | y)
    network enc: y -> mu, s
    family q(u | y) = Normal(mu, exp(s))
    family p(u) = MixtureNormal(w, M, V; K)
    """

    func testMixturePriorJensenBoundAndItsMisuses() {
        assertCorpus("""
        derivation mog "KL to a mixture is at most the weighted KLs to its components"
        \(Self.mixtureHeader)
        steps
              KL( q(u | y) || p(u) )
          (1) ≤ Σ_{i=1}^{K} w_i KL( q(u | y) || N(u; M_i, V_i) )
        """)
        assertCorpus("""
        derivation mog_reversed "the bound the other way round"
        \(Self.mixtureHeader)
        steps
              Σ_{i=1}^{K} w_i KL( q(u | y) || N(u; M_i, V_i) )
          (1) ≤ KL( q(u | y) || p(u) )       expect refuted
        """)
        assertCorpus("""
        derivation mog_swapped "components with means and variances swapped"
        \(Self.mixtureHeader)
        steps
              KL( q(u | y) || p(u) )
          (1) ≤ Σ_{i=1}^{K} w_i KL( q(u | y) || N(u; V_i, M_i) )   expect refuted
        """)
    }
}
