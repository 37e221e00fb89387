import Foundation

/// Spelling rules that make Unicode and ASCII specs parse to the same terms.
///
/// - Greek letters become their English names (`μ` → `mu`, `ϕ`/`φ` → `phi`, `Σ` → `Sigma`).
/// - Mathematical script and blackboard letters used by the language map to ASCII
///   (`𝔼` → `E`, `𝒩` → `N`, `𝒦ℒ` → `KL`, `ℒ` → `L`).
/// - Combining accents become suffixes: `x̂` → `xhat`, `μ̃` → `mutilde`, `x̄` → `xbar`,
///   `ẋ` → `xdot`, `ẍ` → `xddot`. Precomposed letters (`ŷ`) are decomposed first.
/// - Subscript digits become `_digits` (`γ₁` → `gamma_1`).
enum NameNormalisation {
    static let greek: [Unicode.Scalar: String] = [
        "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
        "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
        "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho",
        "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
        "χ": "chi", "ψ": "psi", "ω": "omega",
        "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
        "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
    ]

    /// Script and double-struck letters that the language gives a meaning.
    static let mathLetters: [Unicode.Scalar: String] = [
        "𝔼": "E", "𝒩": "N", "𝒦": "K", "ℒ": "L", "𝒟": "D", "ℋ": "H",
    ]

    /// Combining marks that become name suffixes.
    static let accents: [Unicode.Scalar: String] = [
        "\u{0302}": "hat", "\u{0303}": "tilde", "\u{0304}": "bar", "\u{0305}": "bar",
        "\u{0307}": "dot", "\u{0308}": "ddot",
    ]

    static let subscriptDigits: [Character: Character] = [
        "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9",
    ]

    static let superscripts: [Character: String] = [
        "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
        "⁹": "9", "⁻": "-", "⁺": "+", "ᵀ": "T", "ⁿ": "n", "ᵏ": "k", "ⁱ": "i", "ʲ": "j",
    ]

    enum Letter {
        /// An ASCII letter, possibly accented.
        case ascii(String)
        /// A Greek or mathematical letter, spelled out.
        case named(String, base: Unicode.Scalar)
    }

    /// The normalised spelling of a letter, or nil if the character is not a letter the
    /// language accepts. `unknownAccent` is set when the letter carries an unsupported mark.
    static func letter(_ ch: Character) -> (Letter, unknownAccent: Bool)? {
        var scalars = Array(ch.unicodeScalars)
        if scalars.count == 1, !scalars[0].isASCII, !isKnown(scalars[0]) {
            scalars = Array(String(ch).decomposedStringWithCanonicalMapping.unicodeScalars)
        }
        guard let base = scalars.first else { return nil }
        var suffix = ""
        var unknown = false
        for mark in scalars.dropFirst() {
            if let s = accents[mark] { suffix += s } else { unknown = true }
        }
        if base.isASCII {
            guard base.properties.isAlphabetic else { return nil }
            return (.ascii(String(base) + suffix), unknown)
        }
        if let name = greek[base] ?? mathLetters[base] { return (.named(name + suffix, base: base), unknown) }
        return nil
    }

    private static func isKnown(_ s: Unicode.Scalar) -> Bool { greek[s] != nil || mathLetters[s] != nil }

}
