import ELBOAlgebra
@testable import ELBOSpec
import XCTest

/// Specs shared by the tests.
enum Fixtures {
    /// A Gaussian VAE that uses every declaration form.
    static let vae = #"""
# A Gaussian VAE with every declaration form
derivation vae "Gaussian VAE"
source "seeds/003_59f32fae6203bda3.txt"

variables
  x : observed real[k]
  z : latent real[m]
  c, y : input label[C]

dim k, m
param gamma > 0
param w[K]
param g2[2] > 0

model p_theta(x, z) = p(x | z) p(z)
guide q_phi(z | x) = q(z | x)

network encoder: x -> mu, logvar
network decoder: z -> xhat

family q(z | x) = Normal(mu, exp(logvar))
family p(x | z) = Normal(xhat, gamma^2)
family p(z) = Normal(0, 1)

define MSE(a, b) = 1/k Σ_{j=1}^{k} (a_j - b_j)^2

assume prior_split: p(x, z) = p(x | z) p(z)

steps
      log p_theta(x)
  (1) >= E_{q(z | x)}[ log p(x | z) ] - KL( q(z | x) || p(z) )
  (2) = E_{z ~ q(z|x)}( log p(x|z) ) - KL(q(z|x), p(z))
        by elbo, jensen
  (3) =c -k log(gamma) - 1/(2 gamma^2) E_{q(z | x)}[ ‖x - xhat‖² ]
        + 1/2 Σ_{j=1}^{m} (1 + logvar_j - mu_j^2 - exp(logvar_j))
  (3') ≐ -k log γ - k/(2γ²) MSE(x, xhat) + 1/2 Σ_j (1 + logvar_j - μ_j² - exp(logvar_j))
        expect refuted
  (4) ∝ - MSE(x, xhat) assuming prior_split

objective loss = -(3)
estimate E_{q(z | x)} by reparameterization samples 1
"""#

    /// The SRVAE seed's forms, written in Unicode as a transcriber would.
    static let srvae = #"""
    derivation srvae "SRVAE math"
    source "seeds/001_81a628ed461caa4b.txt"

    variables
      x : observed real[k]
      y : latent real[k_y]
      u : latent real[d_u]
      z : latent real[d_z]

    param γ[2] > 0
    model p(x, y, u, z) = p(x | y, z) p(z | y, u) p(y | u) p(u)
    guide q(y, u, z | x) = q(z | y, x) q(u | x, y) q(y | x)
    network decoder_x: y, z -> x̂
    network decoder_y: u -> ŷ
    family p(x | y, z) = Normal(x̂, γ_1²)
    family p(y | u) = Normal(ŷ, γ_2²)
    family p(u) = MixtureNormal(w, μ, σ²; Comp)
    assume u_ignores_x: q(u | x, y) = q(u | y)
    assume z_ignores_y: q(z | y, x) = q(z | x)
    assume y_deterministic: y deterministic given x in q_φ
    define MSE(a, b) = 1/k Σ_{n=1}^{k} (a_n − b_n)²

    steps
          E_{q(z|y, x)q(u|y)}(log(p(z|y, u))) − E_{q(z|y, x)q(u|y)}(log(q(z|y, x)))
      (6) = E_{q(u|y)}[q(z|y, x) log(p(z|y, u) / q(z|y, x))]
          = −E_{q(u|y)}[q(z|y, x) log(q(z|y, x) / p(z|y, u))]
      (7) = −E_{q(u|y)}(𝒦ℒ(q(z|y, x)‖p(z|y, u)))
      (8) ≈ −E_{q(u|y)}(𝒦ℒ(q(z|x)‖p(z|y, u))) assuming z_ignores_y
      (12) ∝ −log((2π)^{k/2} γ_1^k) − ‖x − x̂‖_2^2 / (2γ_1²)
      (16) = −k · log(γ_1) − k/(2γ_1) · MSE(x, x̂) + Σ_{i=1}^{Comp} w_i 𝒩(u; μ_i, σ_i²)
           expect refuted
    objective loss = −(16)
    estimate E_{q(u | y)} by montecarlo samples 8
    """#

    /// The declarations of `vae`, for parsing single expressions.
    static let vaeDeclarations: Declarations = {
        try! SpecParser.parse(source: vae, path: "vae.elbo").derivations[0].declarations
    }()

    /// The whole example of SPEC-LANGUAGE.md, verbatim.
    static let cdvae = #"""
# Transcribed from seeds/000_ac79cb0e0b00ff76.txt ("Derivation of the Loss in the CDVAE")
derivation cdvae "Derivation of the Loss in the CDVAE"

variables
  x   : observed real[k]
  c   : input label[C]
  z_l : latent real[m_l]
  z_u : latent real[m_u]

model p_theta(x, z_l, z_u | c) = p(x | z_l, z_u, c) p(z_l | c) p(z_u)
guide q_phi(z_l, z_u | x) = q(z_l | x) q(z_u | x)

assume decoder_ignores_class: p(x | z_l, z_u, c) = p(x | z_l, z_u)

steps
      log p(x | c)
  (1) = ∬ q(z_l, z_u | x) log p(x | c) dz_l dz_u
  (2) = ∬ q(z_l, z_u | x) log( p(x | z_l, z_u, c) p(z_l, z_u | c) / p(z_l, z_u | c, x) ) dz_l dz_u
  (3) = ∬ q(z_l, z_u | x) log( p(x | z_l, z_u, c) p(z_l, z_u | c) q(z_l, z_u | x)
                                / (p(z_l, z_u | c, x) q(z_l, z_u | x)) ) dz_l dz_u
  (4) = ∬ q(z_l, z_u | x) log p(x | z_l, z_u, c) dz_l dz_u
        + ∬ q(z_l, z_u | x) log( q(z_l, z_u | x) / p(z_l, z_u | c, x) ) dz_l dz_u
        - ∬ q(z_l | x) q(z_u | x) log( q(z_l | x) q(z_u | x) / (p(z_l | c) p(z_u)) ) dz_l dz_u
  (5) = E_{q(z_l, z_u | x)}[ log p(x | z_l, z_u, c) ] + KL( q(z_l, z_u | x) || p(z_l, z_u | c, x) )
        - ∫ q(z_u | x) ∫ q(z_l | x) log( q(z_l | x) / p(z_l | c) ) dz_l dz_u
        - ∫ q(z_l | x) ∫ q(z_u | x) log( q(z_u | x) / p(z_u) ) dz_l dz_u
  (6) = E_{q(z_l, z_u | x)}[ log p(x | z_l, z_u, c) ] + KL( q(z_l, z_u | x) || p(z_l, z_u | c, x) )
        - KL( q(z_l | x) || p(z_l | c) ) - KL( q(z_u | x) || p(z_u) )
  (7) ≥ E_{q(z_l, z_u | x)}[ log p(x | z_l, z_u, c) ] - KL( q(z_l | x) || p(z_l | c) ) - KL( q(z_u | x) || p(z_u) )
  (8) = E_{q(z_l, z_u | x)}[ log p(x | z_l, z_u) ] - KL( q(z_l | x) || p(z_l | c) ) - KL( q(z_u | x) || p(z_u) )
        assuming decoder_ignores_class
"""#
}

/// Parses `source`, failing the test with every diagnostic when it does not parse.
func parseOrFail(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> SpecFile? {
    do {
        return try SpecParser.parse(source: source, path: "test.elbo")
    } catch {
        XCTFail("unexpected diagnostics:\n\(error)", file: file, line: line)
        return nil
    }
}

/// The diagnostics of a spec that must not parse.
func diagnostics(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> [Diagnostic] {
    let result = SpecParser.parseRecovering(source: source, path: "test.elbo")
    if result.diagnostics.isEmpty { XCTFail("expected diagnostics", file: file, line: line) }
    return result.diagnostics
}

/// Asserts that some diagnostic is at `line:column` and contains `message`.
func assertDiagnostic(_ source: String, at position: (Int, Int), contains message: String,
                      file: StaticString = #filePath, line: UInt = #line) {
    let ds = diagnostics(source, file: file, line: line)
    let match = ds.contains {
        $0.location.line == position.0 && $0.location.column == position.1 && $0.message.contains(message)
    }
    XCTAssertTrue(match, "no diagnostic at \(position.0):\(position.1) containing \"\(message)\"; got:\n"
                  + ds.map(\.description).joined(separator: "\n"), file: file, line: line)
}

/// Parses one expression against the declarations of `Fixtures.vae` (or `declarations`).
func expr(_ text: String, in declarations: Declarations = Fixtures.vaeDeclarations,
          file: StaticString = #filePath, line: UInt = #line) -> Expr? {
    do {
        return try SpecParser.parseExpression(text, in: declarations)
    } catch {
        XCTFail("'\(text)' does not parse:\n\(error)", file: file, line: line)
        return nil
    }
}

/// Asserts that two spellings parse to the same term.
func assertSameExpr(_ a: String, _ b: String, in declarations: Declarations = Fixtures.vaeDeclarations,
                    file: StaticString = #filePath, line: UInt = #line) {
    guard let x = expr(a, in: declarations, file: file, line: line),
          let y = expr(b, in: declarations, file: file, line: line) else { return }
    XCTAssertEqual(x, y, "'\(a)' and '\(b)' differ", file: file, line: line)
}

/// Asserts that `text` parses to `expected`.
func assertParses(_ text: String, to expected: Expr, in declarations: Declarations = Fixtures.vaeDeclarations,
                  file: StaticString = #filePath, line: UInt = #line) {
    guard let x = expr(text, in: declarations, file: file, line: line) else { return }
    XCTAssertEqual(x, expected, "'\(text)' parsed as \(x)", file: file, line: line)
}
