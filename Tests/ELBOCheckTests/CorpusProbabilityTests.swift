import XCTest
@testable import ELBOCheck

/// Derivations that are not among the seeds: generic probability identities, hierarchical
/// models where the measure under each term matters, discrete latent labels, mixture priors.
/// False steps are marked `expect refuted`; everything else must be verified.
final class CorpusProbabilityTests: XCTestCase {
    func testChainRuleBayesAndMarginalisationOnAnUnstructuredJoint() {
        assertCorpus("""
        derivation generic "generic identities"
        variables
          a : observed real[n]
          b : latent real[n]
        model p(a, b)
        steps
              p(a, b)
          (1) = p(a | b) p(b)
          (2) = p(b | a) p(a)
          (3) = p(a) p(b)          expect refuted
          (4) = p(b | a) p(a) ∫ p(a, b) db / ∫ p(a, b) db
        """)
        assertCorpus("""
        derivation generic2 "logs and integrals"
        variables
          a : observed real[n]
          b : latent real[n]
        model p(a, b)
        steps
              log p(a | b)
          (1) = log p(a, b) - log p(b)
          (2) = log p(b | a) + log p(a) - log p(b)
          (3) = log p(b | a) + log ∫ p(a, b) db - log ∫ p(a, b) da
          (4) = log p(b | a) - log p(b)      expect refuted
          (5) = log p(a | b) + ∫ p(b | a) db - 1
          (6) = log p(a | b) + ∫ p(b | a) da - 1   expect refuted
        """)
    }

    func testMarkovChainAndColliderIndependences() {
        assertCorpus("""
        derivation chain "a → b → c"
        variables
          a : observed real[n]
          b : latent real[n]
          c : latent real[n]
        model p(a, b, c) = p(a) p(b | a) p(c | b)
        steps
              p(c | a, b)
          (1) = p(c | b)
          (2) = p(c | a)      expect refuted
          (3) = p(c, a | b) / p(a | b)
          (4) = p(c, b) / p(b)
        """)
        assertCorpus("""
        derivation chain2 "marginals of a chain"
        variables
          a : observed real[n]
          b : latent real[n]
          c : latent real[n]
        model p(a, b, c) = p(a) p(b | a) p(c | b)
        steps
              p(c | a)
          (1) = ∫ p(c | b) p(b | a) db
          (2) = ∫ p(c | b, a) p(b | a) db
          (3) = p(c)       expect refuted
          (4) = ∫ p(c | b) p(b) db   expect refuted
        """)
        assertCorpus("""
        derivation collider "a → b ← c: explaining away"
        variables
          a : latent real[n]
          b : observed real[n]
          c : latent real[n]
        model p(a, b, c) = p(a) p(c) p(b | a, c)
        steps
              p(a | c)
          (1) = p(a)
          (2) = p(a | b)         expect refuted
          (3) = p(a, c) / p(c)
        """)
    }

    func testHierarchicalELBOWhereTheMeasureMatters() {
        assertCorpus("""
        derivation ladder "two-layer hierarchical VAE"
        variables
          x  : observed real[d]
          z1 : latent real[m]
          z2 : latent real[m]
        model p(x, z1, z2) = p(x | z1) p(z1 | z2) p(z2)
        guide q(z1, z2 | x) = q(z1 | x) q(z2 | z1)
        steps
              E_{q(z1, z2 | x)}[ log p(x, z1, z2) - log q(z1, z2 | x) ]
          (1) = E_{q(z1 | x)}[ log p(x | z1) ]
                + E_{q(z1 | x) q(z2 | z1)}[ log p(z1 | z2) - log q(z1 | x) ]
                - E_{q(z1 | x)}[ KL( q(z2 | z1) || p(z2) ) ]
          (2) = E_{q(z1 | x)}[ log p(x | z1) ]
                + E_{q(z1 | x) q(z2 | z1)}[ log p(z1 | z2) - log q(z1 | x) ]
                - KL( q(z2 | z1) || p(z2) )                                  expect refuted
          (3) = E_{q(z1 | x)}[ log p(x | z1) ]
                + E_{q(z2 | z1) q(z1 | x)}[ log p(z1 | z2) ] + H( q(z1 | x) )
                - E_{q(z1 | x)}[ KL( q(z2 | z1) || p(z2) ) ]
          (4) = E_{q(z1 | x)}[ log p(x | z1) ]
                + E_{p(z2)}[ log p(z1 | z2) ] + H( q(z1 | x) )
                - E_{q(z1 | x)}[ KL( q(z2 | z1) || p(z2) ) ]                 expect refuted
          (5) ≤ log p(x)
        """)
    }

    func testDiscreteLabelsAndEntropy() {
        assertCorpus("""
        derivation m2 "semi-supervised VAE with a discrete label"
        variables
          x : observed real[d]
          y : latent label[K]
          z : latent real[m]
        model p(x, y, z) = p(x | y, z) p(y) p(z)
        guide q(y, z | x) = q(y | x) q(z | x, y)
        steps
              E_{q(y, z | x)}[ log p(x, y, z) - log q(y, z | x) ]
          (1) = E_{q(y | x)}[ E_{q(z | x, y)}[ log p(x | y, z) ] - KL( q(z | x, y) || p(z) ) ]
                - KL( q(y | x) || p(y) )
          (2) = E_{q(y | x)}[ E_{q(z | x, y)}[ log p(x | y, z) ] - KL( q(z | x, y) || p(z) ) ]
                + E_{q(y | x)}[ log p(y) ] + H( q(y | x) )
          (3) ≥ E_{q(y | x)}[ E_{q(z | x, y)}[ log p(x | y, z) ] - KL( q(z | x, y) || p(z) ) ]
                + E_{q(y | x)}[ log p(y) ]
        """)
        assertCorpus("""
        derivation continuous_entropy "dropping a differential entropy is not a bound"
        variables
          x : observed real[d]
          z : latent real[m]
        model p(x, z) = p(x | z) p(z)
        guide q(z | x)
        steps
              E_{q(z | x)}[ log p(x, z) ] + H( q(z | x) )
          (1) ≥ E_{q(z | x)}[ log p(x, z) ]      expect refuted
          (2) = E_{q(z | x)}[ log p(x, z) - log q(z | x) ]
          (3) ≤ log p(x)
          (4) ≤ 0     expect refuted
        """)
    }

    func testMixturePriorAsALatentComponent() {
        assertCorpus("""
        derivation mixture "mixture prior written with its component label"
        variables
          x : observed real[d]
          z : latent real[m]
          k : latent label[K]
        model p(x, z, k) = p(x | z) p(z | k) p(k)
        guide q(z, k | x) = q(z | x) q(k | z)
        steps
              log p(x)
          (1) ≥ E_{q(z | x)}[ log p(x | z) + log p(z) - log q(z | x) ]
          (2) ≥ E_{q(z | x)}[ log p(x | z) - log q(z | x) + E_{q(k | z)}[ log p(z, k) - log q(k | z) ] ]
          (3) = E_{q(z | x)}[ log p(x | z) ] - E_{q(z | x)}[ KL( q(k | z) || p(k) ) ]
                + E_{q(z | x) q(k | z)}[ log p(z | k) ] + H( q(z | x) )
          (4) = E_{q(z | x)}[ log p(x | z) ] - E_{q(z | x)}[ KL( q(k | z) || p(k) ) ]
                + E_{q(z | x) q(k | z)}[ log p(z | k) ]     expect refuted
          (5) ≥ E_{q(z | x)}[ log p(x | z) ] - E_{q(z | x)}[ KL( q(k | z) || p(k) ) ]
                + E_{q(z | x) q(k | z)}[ log p(z | k) ]     expect refuted
        """)
    }

    func testKLChainRuleAndSwaps() {
        assertCorpus("""
        derivation klchain "the chain rule of KL"
        variables
          a : latent real[n]
          b : latent real[n]
          x : input real[n]
        model p(a, b | x) = p(a | x) p(b | a, x)
        guide q(a, b | x) = q(a | x) q(b | a, x)
        steps
              KL( q(a, b | x) || p(a, b | x) )
          (1) = KL( q(a | x) || p(a | x) ) + E_{q(a | x)}[ KL( q(b | a, x) || p(b | a, x) ) ]
          (2) = KL( q(a | x) || p(a | x) ) + E_{p(a | x)}[ KL( q(b | a, x) || p(b | a, x) ) ]   expect refuted
          (3) = KL( p(a | x) || q(a | x) ) + E_{q(a | x)}[ KL( q(b | a, x) || p(b | a, x) ) ]   expect refuted
          (4) ≥ KL( q(a | x) || p(a | x) )
          (5) ≥ E_{q(a | x)}[ KL( q(b | a, x) || p(b | a, x) ) ]    expect refuted
        """)
    }

    func testMissingAssumptionIsNamed() {
        let v = verdicts("""
        derivation needs "a step that silently drops a conditioning variable"
        variables
          x : observed real[d]
          y : observed real[d]
          z : latent real[m]
        model p(x, y, z) = p(x | y, z) p(y | z) p(z)
        guide q(z | x, y)
        steps
              E_{q(z | x, y)}[ log p(x | y, z) ]
          (1) = E_{q(z | x, y)}[ log p(x | z) ]   expect refuted
        """)
        let s = v["(1)"]
        XCTAssertEqual(s?.verdict, .refuted)
        XCTAssertEqual(s?.suggestedAssumption, "p(x | y, z) = p(x | z)")
        XCTAssertNotNil(s?.counterexample)
    }
}
