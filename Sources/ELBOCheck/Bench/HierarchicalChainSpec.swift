/// The explicit L-layer hierarchical VAE of issue 10, written out as `.elbo` text: a Markov
/// chain of latents `z1 … zL` above an observation `x` (`p(x | z1) p(z1 | z2) … p(zL)`) with a
/// bottom-up guide (`q(z1 | x) q(z2 | z1) … q(zL | zL-1)`), and three steps: the bound, the
/// term-by-term expansion, and the top layer as a KL. A benchmark and test fixture for the
/// witness by factors (`elbo bench chain`); nothing in the checker knows this text.
public struct HierarchicalChainSpec: Sendable {
    /// The number of latent layers (at least 2).
    public var layers: Int
    /// When set, the top layer's KL is taken under `q(z_{L-1} | x)`'s wrong partner: the KL
    /// of the top layer is written under the measure `q(z_{L-1} | x)` but against `q(zL | x)`
    /// in place of `q(zL | zL-1)`, a false step the witness must refute.
    public var wrongTopMeasure: Bool

    /// A chain of `layers` latents.
    public init(layers: Int, wrongTopMeasure: Bool = false) {
        self.layers = max(2, layers)
        self.wrongTopMeasure = wrongTopMeasure
    }

    /// The `.elbo` text.
    public var text: String {
        let L = layers
        let z = (1...L).map { "z\($0)" }
        let all = z.joined(separator: ", ")
        var modelFactors = ["p(x | z1)"]
        for l in 1..<L { modelFactors.append("p(z\(l) | z\(l + 1))") }
        modelFactors.append("p(z\(L))")
        var guideFactors = ["q(z1 | x)"]
        for l in 2...L { guideFactors.append("q(z\(l) | z\(l - 1))") }
        let measure = "q(\(all) | x)"

        var lines: [String] = []
        lines.append("derivation hierarchical_chain_\(L) \"An explicit \(L)-layer hierarchical VAE\"")
        lines.append("")
        lines.append("variables")
        lines.append("  x : observed real[k]")
        for name in z { lines.append("  \(name) : latent real[m]") }
        lines.append("")
        lines.append("model p(x, \(all)) = " + modelFactors.joined(separator: " "))
        lines.append("guide q(\(all) | x) = " + guideFactors.joined(separator: " "))
        lines.append("")
        lines.append("steps")
        lines.append("      log p(x)")
        lines.append("  (bound) ≥ E_{\(measure)}[ log p(x, \(all)) - log q(\(all) | x) ]")
        // Every term under the whole guide.
        var terms = modelFactors.map { "E_{\(measure)}[ log \($0) ]" }
        terms += guideFactors.map { "E_{\(measure)}[ log \($0) ]" }
        let expansion = terms[..<modelFactors.count].joined(separator: " + ") + " - "
            + terms[modelFactors.count...].joined(separator: " - ")
        lines.append("  (terms) = " + expansion)
        // The top layer's two terms become one KL under the guide's marginal of z_{L-1}.
        var kept = modelFactors.dropLast().map { "E_{\(measure)}[ log \($0) ]" }.joined(separator: " + ")
        kept += " - " + guideFactors.dropLast().map { "E_{\(measure)}[ log \($0) ]" }.joined(separator: " - ")
        let topGuide = wrongTopMeasure ? "q(z\(L) | x)" : "q(z\(L) | z\(L - 1))"
        lines.append("  (top) = " + kept + " - E_{q(z\(L - 1) | x)}[ KL( \(topGuide) || p(z\(L)) ) ]")
        return lines.joined(separator: "\n") + "\n"
    }
}
