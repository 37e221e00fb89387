import ELBOAlgebra
import ELBOCheck
import ELBOSpec
import XCTest

final class WitnessGaussianScratchTests: XCTestCase {
    func testDump() throws {
        let src = """
derivation vae "t"
variables
  x : observed real[k]
  z : latent real[m]
  xi : latent real[d]
param gamma > 0
param mt[d], vt[d] > 0, mu2[d], v2[d] > 0
param S1[d, d] > 0
model p(x, z) = p(x | z) p(z)
guide q(z | x)
model r(xi)
network enc: x -> mu, s
network dec: z -> xhat
family q(z | x) = Normal(mu, exp(s))
family p(z) = Normal(0, 1)
family p(x | z) = Normal(xhat, gamma^2)
family r(xi) = Normal(mt, S1)
steps
   KL(q(z | x) || p(z))
   = 1/2 Σ_{j=1}^{m} (mu_j² + exp(s_j) - 1 - s_j)
   = log p(x | z) - (-k/2 log(2π) - k log(gamma) - ‖x - xhat‖²/(2 gamma²))
   = ∫ N(xi; mt, vt) log N(xi; mu2, v2) dxi
   = 1/2 log(det(S1)) - 1/2 E_{r(xi)}[(xi - mt)^T S1^-1 (xi - mt)] + tr(vt S1^-1)
   = KL(r(xi) || N(xi; mu2, S1))
"""
        let file = try SpecParser.parse(source: src, path: "t.elbo")
        let d = file.derivations[0]
        print("F", d.declarations.families)
        print("N", d.declarations.networks)
        print("P", d.declarations.params)
        print("D", d.declarations.dimensions, d.declarations.variables)
        print(d.start!)
        for s in d.steps { print(s.expr) }
    }
}
