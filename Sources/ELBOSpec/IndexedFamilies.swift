import ELBOAlgebra

/// What the parser knows about plates and chains while it reads a derivation at one size:
/// the value of each size symbol (`T = 3`) and the indexed families (`x_t … for t = 1..T`).
/// A derivation over indexed families is read once per size assignment, with every family,
/// member, slice, `∏` and `Σ` over an index written out, so that the checker's engines see
/// ordinary variables; see `DerivationBuilder.buildAllSizes`.
struct PlateContext {
    /// The size symbols, in declaration order, with their values at this instance.
    var sizes: [SizeValue]
    /// The stems of the indexed families (`x` for `x_t : … for t = 1..T`) with their index names.
    var familyIndices: [String: String]
    /// How each family's members were declared, for messages (`x_t for t = 1..T`, `x_0`).
    var declaredAs: [String: [String]] = [:]

    /// The value of a size symbol at this instance.
    func size(_ name: String) -> Int? { sizes.first { $0.name == name }?.value }

    /// `T = 3`, as diagnostics name the size.
    var sizeDescription: String { sizes.map { "\($0.name) = \($0.value)" }.joined(separator: ", ") }

    /// Whether `name` is the index name of some family's `for` clause (`t` in `for t = 1..T`).
    func isFamilyIndex(_ name: String) -> Bool { familyIndices.values.contains(name) }

    /// The family stem and subscript of a name written `stem_sub` whose stem is a family.
    func split(_ name: String) -> (stem: String, sub: String)? {
        guard let us = name.firstIndex(of: "_") else { return nil }
        let stem = String(name[..<us])
        let sub = String(name[name.index(after: us)...])
        guard familyIndices[stem] != nil, !sub.isEmpty else { return nil }
        return (stem, sub)
    }

    /// The most members a family, slice, `∏` or `Σ` is written out with at one size, and so the
    /// largest size checked: a bound beyond it is a diagnostic, not hours of unrolling.
    static let maximumMembers = 1024

    /// The name of member `value` of family `stem`, as the lexer spells `x_3` and `x_{3}`.
    static func member(_ stem: String, _ value: Int) -> String { "\(stem)_\(value)" }

    /// `x_t for t = 1..T, x_0`: how the family's members are declared.
    func declarations(of stem: String) -> String {
        (declaredAs[stem] ?? []).joined(separator: ", ")
    }
}

/// An affine index `t`, `t - 1`, `T`, `2`, `T + 1` read from tokens: its value at the current
/// size and bound indices, and the symbols it mentions.
struct AffineIndex {
    var value: Int
    var symbols: [String]

    /// Reads an affine form starting at `tokens[k]` up to (not including) the first token that
    /// is one of `terminators`, or up to `limit`. `lookup` gives the value of a symbol. Returns
    /// the form and the index after it, or the token and reason it cannot be read.
    static func read(_ tokens: [Token], from k: Int, until terminators: Set<String>, limit: Int? = nil,
                     lookup: (String) -> Int?) -> Result<(AffineIndex, Int), AffineIndexError> {
        let end = min(limit ?? tokens.count, tokens.count)
        var i = k
        var total = 0
        var symbols: [String] = []
        var sign = 1
        var expectTerm = true
        while i < end, !(tokens[i].kind == .symbol && terminators.contains(tokens[i].text)) {
            let t = tokens[i]
            if expectTerm {
                if t.isSymbol("-") { sign = -sign; i += 1; continue }
                if t.isSymbol("+") { i += 1; continue }
                var coefficient = 1
                var j = i
                if t.kind == .number {
                    guard let n = t.number, n.isInteger, let v = n.intValue else {
                        return .failure(AffineIndexError(token: t, message: "an index is an integer or 'SYMBOL ± integer', found \(t.quoted)"))
                    }
                    coefficient = v
                    j += 1
                    // `2T` or `2 * T`: a multiple of a size.
                    if j < end, tokens[j].isSymbol("*") { j += 1 }
                    if j >= end || !tokens[j].isIdentifier {
                        total += sign * coefficient
                        i = j; sign = 1; expectTerm = false
                        continue
                    }
                }
                let id = tokens[j]
                guard id.isIdentifier else {
                    return .failure(AffineIndexError(token: id, message: "an index is an integer or 'SYMBOL ± integer', found \(id.quoted)"))
                }
                guard let v = lookup(id.text) else {
                    return .failure(AffineIndexError(token: id, message: "'\(id.raw)' in an index is neither a size (dim \(id.raw) ≥ 1) nor the index of an enclosing ∏ or Σ"))
                }
                total += sign * coefficient * v
                symbols.append(id.text)
                i = j + 1; sign = 1; expectTerm = false
            } else {
                guard t.isSymbol("+") || t.isSymbol("-") else {
                    return .failure(AffineIndexError(token: t, message: "an index is an integer or 'SYMBOL ± integer', found \(t.quoted)"))
                }
                sign = t.isSymbol("-") ? -1 : 1
                i += 1
                expectTerm = true
            }
        }
        if expectTerm {
            // Past the end (`for t =` and nothing after it): point at the last token. Every
            // caller reads from a line that has tokens (the family's name, the member).
            let at = i < tokens.count ? tokens[i] : tokens[tokens.count - 1]
            return .failure(AffineIndexError(token: at, message: "expected an index (an integer or 'SYMBOL ± integer'), found \(i < end ? at.quoted : "nothing")"))
        }
        return .success((AffineIndex(value: total, symbols: symbols), i))
    }
}

/// Why an index could not be read.
struct AffineIndexError: Error {
    var token: Token
    var message: String
}
