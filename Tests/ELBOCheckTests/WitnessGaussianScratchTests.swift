import ELBOAlgebra
@testable import ELBOCheck
import ELBOSpec
import XCTest

final class WitnessGaussianScratchTests: XCTestCase {
    func testDump() throws {
        let src = """
derivation vae "t"
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
        let file = try SpecParser.parse(source: src, path: "t.elbo")
        let d = file.derivations[0].declarations
        let engine = WitnessEngine(declarations: d)
        func e(_ s: String) -> Expr { try! SpecParser.parseExpression(s, in: d) }
        func check(_ l: String, _ r: Relation, _ rr: String) {
            let t0 = Date()
            let o = engine.check(lhs: e(l), rhs: e(rr), relation: r, assumptions: [])
            print("R", l, r, rr, "→", o, Date().timeIntervalSince(t0))
        }
        check("KL(q(z | x) || p(z))", .equal, "1/2 Σ_{j=1}^{m} (mu_j^2 + exp(s_j) - 1 - s_j)")
        check("KL(q(z | x) || p(z))", .equal, "1/2 Σ_{j=1}^{m} (mu_j^2 + exp(-s_j) - 1 + s_j)")
        check("KL(q(z | x) || p(z))", .equal, "Σ_{j=1}^{m} (mu_j^2 + exp(s_j) - 1 - s_j)")
        check("log p(x | z)", .equal, "-k/2 log(2π) - k log(gamma) - ‖x - xhat‖²/(2 gamma²)")
        check("log p(x | z)", .equal, "-k/2 log(2π) - k log(gamma) - ‖x - xhat‖²/(2 gamma)")
        check("log p(x | z)", .equalUpToConstant, "- k log(gamma) - ‖x - xhat‖²/(2 gamma²)")
        check("log p(x | z)", .equalUpToConstant, "- ‖x - xhat‖²/(2 gamma²)")
        check("log p(x | z)", .proportional, "2 (- k log(gamma) - ‖x - xhat‖²/(2 gamma²))")
        check("E_{q(z | x)}[log p(x | z)]", .equal, "-k/2 log(2π) - k log(gamma) - 1/(2 gamma²) E_{q(z|x)}[‖x - xhat‖²]")
        check("E_{q(z | x)}[log p(x | z)]", .equal, "E_{p(z)}[log p(x | z)]")
        check("E_{q(z | x)}[log p(x | z)] - KL(q(z | x) || p(z))", .equalUpToConstant, "-k log γ - 1/(2γ²) E_{q(z|x)}[ ‖x - xhat‖² ] + 1/2 Σ_j (1 + s_j - mu_j² - exp(s_j))")
        check("H(q(z | x))", .equal, "m/2 log(2 π e) + 1/2 Σ_j s_j")
        check("∫ q(z | x) log p(z) dz", .equal, "E_{q(z | x)}[log p(z)]")
    }
}
