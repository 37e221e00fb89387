/// One token of LaTeX source: a control sequence, a letter, a digit or another character,
/// with its position in the file.
struct TeXToken: Equatable {
    enum Kind: Equatable {
        /// `\frac` (text `frac`), `\,` (text `,`), `\\` (text `\`).
        case command
        case letter
        case digit
        /// Any other character: `(`, `{`, `_`, `&`, `=`, …
        case symbol
    }

    var kind: Kind
    var text: String
    var line: Int
    var column: Int
    /// Character offsets `[start, end)` in the file.
    var start: Int
    var end: Int
    /// Whether white space (or a comment) separates this token from the previous one.
    var spaceBefore: Bool

    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
    func isCommand(_ s: String) -> Bool { kind == .command && text == s }
}

/// A stretch of a file's characters with the line and column of its first character, so that
/// tokens and diagnostics point into the file the author wrote.
struct SourceText {
    let chars: [Character]
    let file: String
    /// Line and column of `chars[0]`.
    let firstLine: Int
    let firstColumn: Int

    /// Line and column of every character offset, computed once.
    func positions() -> [(line: Int, column: Int)] {
        var out: [(Int, Int)] = []
        out.reserveCapacity(chars.count + 1)
        var line = firstLine, column = firstColumn
        for c in chars {
            out.append((line, column))
            if c.isNewline { line += 1; column = 1 } else { column += 1 }
        }
        out.append((line, column))
        return out
    }
}

/// Splits LaTeX math into `TeXToken`s. `%` starts a comment to the end of the line.
enum TeXLexer {
    static func tokenize(_ text: SourceText, range: Range<Int>, positions: [(line: Int, column: Int)]) -> [TeXToken] {
        let chars = text.chars
        var out: [TeXToken] = []
        var i = range.lowerBound
        var space = false
        func emit(_ kind: TeXToken.Kind, _ s: String, from a: Int, to b: Int) {
            out.append(TeXToken(kind: kind, text: s, line: positions[a].line, column: positions[a].column,
                                start: a, end: b, spaceBefore: space))
            space = false
        }
        while i < range.upperBound {
            let c = chars[i]
            if c.isWhitespace { space = true; i += 1; continue }
            if c == "%" {
                while i < range.upperBound, !chars[i].isNewline { i += 1 }
                space = true
                continue
            }
            if c == "\\" {
                var j = i + 1
                if j < range.upperBound, chars[j].isLetter, chars[j].isASCII {
                    while j < range.upperBound, chars[j].isLetter, chars[j].isASCII { j += 1 }
                    // `\tag*`, `\operatorname*`: the star belongs to the command.
                    if j < range.upperBound, chars[j] == "*" { j += 1 }
                    emit(.command, String(chars[(i + 1)..<j]), from: i, to: j)
                    i = j
                } else if j < range.upperBound {
                    emit(.command, String(chars[j]), from: i, to: j + 1)
                    i = j + 1
                } else {
                    emit(.symbol, "\\", from: i, to: j)
                    i = j
                }
                continue
            }
            if c.isASCII, c.isNumber { emit(.digit, String(c), from: i, to: i + 1); i += 1; continue }
            if c.isLetter { emit(.letter, String(c), from: i, to: i + 1); i += 1; continue }
            emit(.symbol, String(c), from: i, to: i + 1)
            i += 1
        }
        return out
    }
}

/// A display of a paper's text: `$$…$$`, `\[…\]` or a display environment, with the range
/// of its contents.
struct TeXDisplay {
    var contents: Range<Int>
    /// Where the display opens, for diagnostics.
    var open: Int
    /// The environment (`align`, `equation*`), or nil for `$$` and `\[`.
    var environment: String?
}

/// Finds the displays in prose (Markdown, LaTeX or plain text). Inline `$…$` math and the
/// text between displays are prose and skipped.
enum DisplayFinder {
    static let environments: Set<String> = [
        "equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
        "eqnarray", "eqnarray*", "displaymath", "flalign", "flalign*",
    ]

    struct Unterminated: Error {
        var at: Int
        var message: String
    }

    static func find(in chars: [Character], range: Range<Int>) -> (displays: [TeXDisplay], problems: [Unterminated]) {
        var displays: [TeXDisplay] = []
        var problems: [Unterminated] = []
        var i = range.lowerBound
        let end = range.upperBound
        func starts(_ s: String, at k: Int) -> Bool {
            var k = k
            for ch in s {
                guard k < end, chars[k] == ch else { return false }
                k += 1
            }
            return true
        }
        func search(_ s: String, from k: Int) -> Int? {
            var k = k
            while k < end {
                if chars[k] == "\\", !s.hasPrefix("\\") { k += 2; continue }
                if starts(s, at: k) { return k }
                k += 1
            }
            return nil
        }
        while i < end {
            let c = chars[i]
            if c == "\\", i + 1 < end {
                if chars[i + 1] == "$" { i += 2; continue }
                if chars[i + 1] == "[" {
                    guard let close = search("\\]", from: i + 2) else {
                        problems.append(Unterminated(at: i, message: "'\\[' without a closing '\\]'"))
                        return (displays, problems)
                    }
                    displays.append(TeXDisplay(contents: (i + 2)..<close, open: i, environment: nil))
                    i = close + 2
                    continue
                }
                if starts("\\begin{", at: i) {
                    var j = i + 7
                    var name = ""
                    while j < end, chars[j] != "}", !chars[j].isNewline { name.append(chars[j]); j += 1 }
                    if environments.contains(name), j < end {
                        guard let close = search("\\end{\(name)}", from: j + 1) else {
                            problems.append(Unterminated(at: i, message: "'\\begin{\(name)}' without '\\end{\(name)}'"))
                            return (displays, problems)
                        }
                        displays.append(TeXDisplay(contents: (j + 1)..<close, open: i, environment: name))
                        i = close + name.count + 6
                        continue
                    }
                }
                i += 2
                continue
            }
            if c == "$" {
                if i + 1 < end, chars[i + 1] == "$" {
                    guard let close = search("$$", from: i + 2) else {
                        problems.append(Unterminated(at: i, message: "'$$' without a closing '$$'"))
                        return (displays, problems)
                    }
                    displays.append(TeXDisplay(contents: (i + 2)..<close, open: i, environment: nil))
                    i = close + 2
                } else {
                    // Inline math is prose: skip to its closing `$` on the same paragraph.
                    var j = i + 1
                    while j < end, chars[j] != "$" {
                        if chars[j] == "\\" { j += 1 }
                        j += 1
                    }
                    i = j + 1
                }
                continue
            }
            i += 1
        }
        return (displays, problems)
    }
}
