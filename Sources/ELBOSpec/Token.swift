import ELBOAlgebra

/// What a token is. Unicode spellings are normalised by the lexer, so the parser sees only the
/// ASCII spelling: `∫` is the identifier `int`, `≥` the symbol `>=`, `μ̃` the identifier `mutilde`.
enum TokenKind: Equatable {
    /// A name: letters, digits, `_` and primes, with Greek letters spelled out.
    case identifier
    /// A decimal literal; `number` holds its exact value.
    case number
    /// A `"…"` literal; `text` holds its contents.
    case string
    /// An operator or bracket, e.g. `(`, `||`, `>=`, `^`.
    case symbol
    /// A run of superscript characters (`²`, `⁻¹`, `ᵀ`), spelled in ASCII (`2`, `-1`, `T`).
    case superscript
    /// The end of the token range being parsed.
    case end
}

/// One token with its position. Columns count characters (grapheme clusters) from 1.
struct Token: Equatable {
    var kind: TokenKind
    /// The normalised spelling.
    var text: String
    /// The spelling as written, for messages.
    var raw: String
    var number: Rational?
    var line: Int
    var column: Int
    /// Character offsets `[start, end)` in the source.
    var start: Int
    var end: Int
    /// Whether this is the first token on its line.
    var atLineStart: Bool
    /// The file the token comes from when it is not the one being parsed (the paper whose
    /// display math `elbo check PAPER.md --model DECLS.elbo` reads).
    var file: String? = nil

    func location(_ file: String) -> SourceLocation { SourceLocation(file: self.file ?? file, line: line, column: column) }

    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
    func isWord(_ w: String) -> Bool { kind == .identifier && text == w }
    var isIdentifier: Bool { kind == .identifier }

    /// How the token is quoted in diagnostics.
    var quoted: String { kind == .end ? "end of line" : "'\(raw)'" }
}
