/// Names of the spec language typeset as MathML identifiers: `mu` → μ, `xhat` → x̂ (an
/// accent over the letter), `z_l` → z with subscript l, `gamma_1` → γ₁.
enum MathMLNames {
    /// Greek letters by the names the parser gives them (SPEC-LANGUAGE.md, "Names and Unicode").
    static let greek: [String: String] = [
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
        "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
        "xi": "ξ", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ",
        "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
        "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    ]

    /// Accent suffixes the parser appends (`x̂` → `xhat`), with the mark drawn over the stem.
    /// Longer suffixes first, so `xddot` is x with two dots, not `xd` with one.
    static let accents: [(suffix: String, mark: String)] = [
        ("ddot", "¨"), ("tilde", "~"), ("hat", "^"), ("bar", "¯"), ("dot", "˙"),
    ]

    /// Escapes text for XML character data and attribute values.
    static func escape(_ s: String) -> String { HTMLText.escape(s) }

    /// An identifier: the first `_` segment is the base, the others its subscript (joined by
    /// commas: `mu_z_j` is μ with subscript z, j).
    static func identifier(_ name: String) -> String {
        let segments = name.split(separator: "_", omittingEmptySubsequences: true).map(String.init)
        guard let first = segments.first else { return "<mi>\(escape(name))</mi>" }
        let base = stem(first)
        guard segments.count > 1 else { return base }
        return "<msub>\(base)\(subscripts(Array(segments.dropFirst())))</msub>"
    }

    /// A subscript of one or more segments.
    static func subscripts(_ segments: [String]) -> String {
        let items = segments.map(atom)
        if items.count == 1 { return items[0] }
        return "<mrow>" + items.joined(separator: "<mo separator=\"true\">,</mo>") + "</mrow>"
    }

    /// A segment inside a subscript: digits are numbers, everything else a name.
    static func atom(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy(\.isNumber) { return "<mn>\(escape(s))</mn>" }
        return stem(s)
    }

    /// One name without underscores: a Greek letter, an accented letter or the text itself.
    /// Single letters are italic (MathML's default for a one-character `mi`); longer names
    /// (`logvar`, `ELBO`) upright, as a paper sets a word.
    static func stem(_ s: String) -> String {
        if let g = greek[s] { return "<mi>\(g)</mi>" }
        for (suffix, mark) in accents where s.hasSuffix(suffix) && s.count > suffix.count {
            let letter = String(s.dropLast(suffix.count))
            if let g = greek[letter] { return accented("<mi>\(g)</mi>", mark) }
            if letter.count == 1, letter.first!.isLetter { return accented("<mi>\(escape(letter))</mi>", mark) }
        }
        return "<mi>\(escape(s))</mi>"
    }

    static func accented(_ base: String, _ mark: String) -> String {
        "<mover accent=\"true\">\(base)<mo>\(escape(mark))</mo></mover>"
    }
}
