import ELBOSpec

/// The declarations the fuzzed paper is read under: seed 001's SRVAE model with `relate` lines,
/// as in `LaTeXSeedTests`, so that displays are translated, paired and checked against labels.
let model = """
    derivation srvae_from_paper "SRVAE (5)-(9), from its LaTeX"
    variables
      x : observed real[k]
      y : latent real[k_y]
      u : latent real[m_u]
      z : latent real[m_z]
    model p(x, y, u, z) = p(x | y, u, z) p(z | y, u) p(y | u) p(u)
    guide q(y, u, z | x) = q(z | y, x) q(u | y) q(y | x)
    assume x_ignores_u: p(x | y, u, z) = p(x | y, z)
    assume z_ignores_y: q(z | y, x) = q(z | x)
    relate (5) assuming x_ignores_u expect refuted
    relate (8) assuming z_ignores_y
    """

/// Any bytes as a Markdown/LaTeX document: the TeX lexer, the macro table, the translator to
/// steps and the derivation builder must answer with steps or diagnostics, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLaTeX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = SpecParser.parseDocument(source: text, path: "fuzz.md", modelSource: model, modelPath: "model.elbo")
    return 0
}
