import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

final class WitnessGaussianScratchTests: XCTestCase {
    func testDump() throws {
        let src = """
derivation mix "t"
variables
  y : observed real[k]
  u : latent real[m_u]
  x : observed binary[k]
  c : latent label[C]
  w2 : latent real[m_u]
model p(u, x, c, w2) = p(u) p(x | u) p(c | u) p(w2 | x)
guide q(u | y)
network enc: y -> mu_u, s_u
network dec: u -> f
network classifier: x -> g
family q(u | y) = Normal(mu_u, exp(s_u))
family p(u) = MixtureNormal(w, M, V; K)
family p(x | u) = Bernoulli(logits = f)
family p(c | u) = Categorical(pc)
family p(w2 | x) = Delta(classifier(x))
steps
   KL(q(u | y) || p(u))
   ≤ Σ_{i=1}^{K} w_i KL(q(u | y) || N(u; M_i, V_i))
   = log p(x | u) - Σ_j (x_j f_j - log(1 + exp(f_j)))
"""
        let file = try SpecParser.parse(source: src, path: "t.elbo")
        let d = file.derivations[0]
        print("F", d.declarations.families)
        print("N", d.declarations.networks)
        print("P", d.declarations.params)
        print("D", d.declarations.dimensions)
        print("S", d.start!)
        for s in d.steps { print("S", s.expr) }
        print("S", familyParameters(of: d.declarations))
    }
}
