import ELBOAlgebra

/// Turns spec source into tokens with line and column, normalising Unicode spellings (see
/// `NameNormalisation`). Problems (an unterminated string, an unknown character) become
/// diagnostics; the lexer always runs to the end of the input.
struct Lexer {
    let file: String
    private let chars: [Character]
    private var i = 0
    private var line = 1
    private var column = 1
    private var lineHasToken = false
    private(set) var tokens: [Token] = []
    private(set) var diagnostics: [Diagnostic] = []

    init(source: String, file: String) {
        self.file = file
        self.chars = Array(source)
    }

    /// Lexes the whole source.
    static func tokenize(_ source: String, file: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source: source, file: file)
        lexer.run()
        return (mergeBracedSubscripts(lexer.tokens), lexer.diagnostics)
    }

    /// Characters that are single-character symbols, with their normalised spelling.
    private static let singleSymbols: [Character: String] = [
        "(": "(", ")": ")", "[": "[", "]": "]", "{": "{", "}": "}", ",": ",", ":": ":", ";": ";",
        "|": "|", "_": "_", "^": "^", "+": "+", "-": "-", "*": "*", "/": "/", "=": "=", "~": "~",
        "'": "'", ">": ">", "<": "<", "!": "!",
        "·": "*", "⋅": "*", "×": "*", "∗": "*", "−": "-", "–": "-", "÷": "/",
        "≥": ">=", "⩾": ">=", "≤": "<=", "⩽": "<=", "≈": "~=", "≐": "=c", "∼": "~", "∣": "|",
        "‖": "‖", "≠": "!=", "→": "->", "⇒": "=>", "≡": "==", "′": "'",
    ]

    /// Two-character ASCII symbols.
    private static let pairSymbols: Set<String> = ["||", "->", "=>", "==", ">=", "<=", "~=", "!=", ":=", "<-", ".."]

    /// `½` and friends are literals.
    private static let vulgarFractions: [Character: (Int, Int)] = [
        "½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4),
    ]

    /// Characters that stand for an operator word.
    private static let wordSymbols: [Character: String] = [
        "∫": "int", "∬": "iint", "∭": "iiint", "√": "sqrt", "∑": "sum", "∝": "prop", "∏": "prod",
    ]

    private mutating func run() {
        while i < chars.count {
            let ch = chars[i]
            if ch.isNewline {
                advance()
                continue
            }
            if ch.isWhitespace { advance(); continue }
            if ch == "#" {
                while i < chars.count, !chars[i].isNewline { advance() }
                continue
            }
            if ch == "\"" { lexString(); continue }
            if ch.isASCII, ch.isNumber || (ch == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber) {
                lexNumber(); continue
            }
            if NameNormalisation.superscripts[ch] != nil { lexSuperscript(); continue }
            if let (n, d) = Lexer.vulgarFractions[ch] {
                emit(.number, text: "\(n)/\(d)", length: 1, number: Rational(n, d)); continue
            }
            if let word = Lexer.wordSymbols[ch] {
                emit(.identifier, text: word, length: 1); continue
            }
            // `Σ_{…}` and `Σ_j` are the sum operator; any other `Σ` is the symbol `Sigma`.
            if ch == "Σ", i + 2 < chars.count, chars[i + 1] == "_",
               chars[i + 2] == "{" || (chars[i + 2].isLetter && !chars[i + 2].isNumber) {
                emit(.identifier, text: "sum", length: 1); continue
            }
            if ch == "𝒦", i + 1 < chars.count, chars[i + 1] == "ℒ" {
                emit(.identifier, text: "KL", length: 2); continue
            }
            if NameNormalisation.letter(ch) != nil { lexIdentifier(); continue }
            if i + 1 < chars.count, ch.isASCII, chars[i + 1].isASCII,
               Lexer.pairSymbols.contains(String([ch, chars[i + 1]])) {
                emit(.symbol, text: String([ch, chars[i + 1]]), length: 2); continue
            }
            if let sym = Lexer.singleSymbols[ch] {
                emit(.symbol, text: sym, length: 1); continue
            }
            diagnostics.append(Diagnostic(here, "unexpected character \(CharacterDescription.describe(ch))"))
            advance()
        }
    }

    private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private mutating func advance() {
        if chars[i].isNewline {
            line += 1; column = 1; lineHasToken = false
        } else {
            column += 1
        }
        i += 1
    }

    /// Emits a token covering the next `length` characters.
    private mutating func emit(_ kind: TokenKind, text: String, length: Int, number: Rational? = nil) {
        let raw = String(chars[i..<(i + length)])
        let tok = Token(kind: kind, text: text, raw: raw, number: number, line: line, column: column,
                        start: i, end: i + length, atLineStart: !lineHasToken)
        tokens.append(tok)
        lineHasToken = true
        for _ in 0..<length { advance() }
    }

    private mutating func lexString() {
        var j = i + 1
        var text = ""
        var terminated = false
        while j < chars.count, !chars[j].isNewline {
            let c = chars[j]
            if c == "\\", j + 1 < chars.count, !chars[j + 1].isNewline {
                text.append(chars[j + 1]); j += 2; continue
            }
            if c == "\"" { terminated = true; j += 1; break }
            text.append(c); j += 1
        }
        if !terminated {
            diagnostics.append(Diagnostic(here, "unterminated string: expected a closing '\"' on the same line"))
        }
        emit(.string, text: text, length: j - i)
    }

    private func isDigit(_ k: Int) -> Bool { k < chars.count && chars[k].isASCII && chars[k].isNumber }

    private mutating func lexNumber() {
        var j = i
        while isDigit(j) { j += 1 }
        if j < chars.count, chars[j] == ".", isDigit(j + 1) {
            j += 1
            while isDigit(j) { j += 1 }
        }
        if j < chars.count, chars[j] == "e" || chars[j] == "E" {
            var k = j + 1
            if k < chars.count, chars[k] == "-" || chars[k] == "+" { k += 1 }
            if isDigit(k) {
                j = k
                while isDigit(j) { j += 1 }
            }
        }
        let text = String(chars[i..<j])
        let mantissaDigits = text.prefix { $0 != "e" && $0 != "E" }.filter(\.isNumber).drop { $0 == "0" }.count
        if mantissaDigits > 9 || Rational(decimal: text).map({ max($0.numerator.absoluteValue, $0.denominator) > 1_000_000_000 }) ?? true {
            // Literals stay readable; larger exact numbers are written as powers (`10^1000`).
            diagnostics.append(Diagnostic(here, "number '\(text)' is too long: literals have at most 9 digits"))
            emit(.number, text: text, length: j - i, number: .one)
        } else if let value = Rational(decimal: text) {
            emit(.number, text: text, length: j - i, number: value)
        } else {
            diagnostics.append(Diagnostic(here, "number '\(text)' is out of range"))
            emit(.number, text: text, length: j - i, number: .zero)
        }
    }

    private mutating func lexSuperscript() {
        var j = i
        var text = ""
        while j < chars.count, let s = NameNormalisation.superscripts[chars[j]] { text += s; j += 1 }
        emit(.superscript, text: text, length: j - i)
    }

    /// Lexes a name. A Greek or mathematical letter does not glue to a neighbouring letter
    /// (`μσ` is `mu sigma`) unless joined by `_` (`p_θ` is `p_theta`); digits, subscript digits
    /// and trailing primes continue a name.
    private mutating func lexIdentifier() {
        var j = i
        var name = ""
        var previousStandalone = false
        var afterUnderscore = true
        var inSubscriptDigits = false
        var badAccent = false
        scan: while j < chars.count {
            let ch = chars[j]
            if ch == "_" {
                guard !name.isEmpty, j + 1 < chars.count else { break scan }
                let next = chars[j + 1]
                guard NameNormalisation.letter(next) != nil || (next.isASCII && next.isNumber)
                        || NameNormalisation.subscriptDigits[next] != nil else { break scan }
                name += "_"; j += 1
                afterUnderscore = true; previousStandalone = false; inSubscriptDigits = false
                continue
            }
            if let d = NameNormalisation.subscriptDigits[ch] {
                if !inSubscriptDigits && name.last != "_" { name += "_" }
                name.append(d); j += 1; inSubscriptDigits = true; afterUnderscore = false
                continue
            }
            inSubscriptDigits = false
            if ch.isASCII, ch.isNumber {
                name.append(ch); j += 1; afterUnderscore = false; previousStandalone = false
                continue
            }
            if ch == "'" || ch == "′" {
                while j < chars.count, chars[j] == "'" || chars[j] == "′" { name += "'"; j += 1 }
                break scan
            }
            if NameNormalisation.wordSymbols.contains(ch) { break scan }
            guard let (letter, unknown) = NameNormalisation.letter(ch) else { break scan }
            switch letter {
            case .ascii(let s):
                if previousStandalone && !afterUnderscore { break scan }
                name += s; previousStandalone = false
            case .named(let s, _):
                // A Greek letter starts a new name unless joined by `_`.
                if !name.isEmpty && !afterUnderscore { break scan }
                name += s; previousStandalone = true
            }
            badAccent = badAccent || unknown
            afterUnderscore = false
            j += 1
        }
        if j == i {
            // Not reachable: the caller checked the first character is a letter.
            diagnostics.append(Diagnostic(here, "unexpected character \(CharacterDescription.describe(chars[i]))"))
            advance()
            return
        }
        if badAccent {
            diagnostics.append(Diagnostic(here, "unsupported accent in '\(String(chars[i..<j]))'; use a hat, tilde, bar or dot"))
        }
        emit(.identifier, text: name, length: j - i)
    }

    /// `p_{theta}` and `mu_{j}` are the names `p_theta` and `mu_j`. `E_{…}` and `sum_{…}` keep
    /// their braces: they are operators.
    static func mergeBracedSubscripts(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        var k = 0
        while k < tokens.count {
            let t = tokens[k]
            if t.kind == .identifier, t.text != "E", t.text != "sum", t.text != "prod", k + 4 < tokens.count,
               tokens[k + 1].isSymbol("_"), tokens[k + 2].isSymbol("{"),
               tokens[k + 3].kind == .identifier || tokens[k + 3].kind == .number, tokens[k + 4].isSymbol("}"),
               tokens[k + 1].start == t.end, tokens[k + 2].start == tokens[k + 1].end,
               tokens[k + 1].line == t.line, tokens[k + 4].line == t.line {
                var merged = t
                merged.text = t.text + "_" + tokens[k + 3].text
                merged.raw = tokens[k...(k + 4)].map(\.raw).joined()
                merged.end = tokens[k + 4].end
                out.append(merged)
                k += 5
                continue
            }
            out.append(t)
            k += 1
        }
        return out
    }
}

extension NameNormalisation {
    static let wordSymbols: Set<Character> = ["∫", "∬", "∭", "√", "∑", "∝", "∏"]
}
