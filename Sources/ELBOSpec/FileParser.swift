import ELBOAlgebra

/// A declaration keyword and the lines it owns: every line up to the next line that starts
/// with a keyword.
struct Chunk {
    let keyword: Token
    var lines: [[Token]]
    /// The tokens after the keyword.
    var body: [Token] { Array(lines.joined().dropFirst()) }
}

/// Splits a file into derivations and their declaration chunks, then builds each derivation.
struct FileParser {
    static let keywords: Set<String> = [
        "derivation", "source", "variables", "dim", "param", "model", "guide", "family", "network",
        "define", "assume", "objective", "estimate", "steps", "relate", "alias", "ignore",
    ]

    let path: String
    let sink: DiagnosticSink

    init(path: String) {
        self.path = path
        self.sink = DiagnosticSink(file: path)
    }

    /// Whether `line` starts a declaration. A keyword followed by `:` is a variable name.
    static func startsChunk(_ line: [Token]) -> Bool {
        guard let first = line.first, first.isIdentifier, keywords.contains(first.text) else { return false }
        if line.count > 1, line[1].isSymbol(":") { return false }
        return true
    }

    /// The `steps latex` blocks of `chars`: each runs from the line after `steps latex` to a
    /// line `end latex` or the end of the file. Returns the blocks by the line of their `steps`
    /// keyword, and the source with the blocks blanked (lines kept) for the `.elbo` lexer.
    static func latexBlocks(_ chars: [Character], file: String) -> (blocks: [Int: LaTeXBlock], blanked: String) {
        var blocks: [Int: LaTeXBlock] = [:]
        var out = chars
        var lineStart = 0
        var line = 1
        var open: (line: Int, from: Int)?
        let text = SourceText(chars: chars, file: file, firstLine: 1, firstColumn: 1)
        while lineStart <= chars.count {
            var end = lineStart
            while end < chars.count, !chars[end].isNewline { end += 1 }
            let words = String(chars[lineStart..<end]).split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let o = open {
                if words == ["end", "latex"] {
                    blocks[o.line] = LaTeXBlock(text: text, range: o.from..<lineStart)
                    for k in lineStart..<end { out[k] = " " }
                    open = nil
                } else {
                    for k in lineStart..<end { out[k] = " " }
                }
            } else if words.count >= 2, words[0] == "steps", words[1] == "latex" {
                open = (line, min(end + 1, chars.count))
            }
            lineStart = end + 1
            line += 1
        }
        if let o = open { blocks[o.line] = LaTeXBlock(text: text, range: o.from..<chars.count) }
        return (blocks, String(out))
    }

    func parse(_ source: String, document: LaTeXBlock? = nil) -> SpecParser.Result {
        let chars = Array(source)
        let (latex, blanked) = FileParser.latexBlocks(chars, file: path)
        let (tokens, lexDiagnostics) = Lexer.tokenize(latex.isEmpty ? source : blanked, file: path)
        for d in lexDiagnostics { sink.error(at: d.location, d.message) }

        var lines: [[Token]] = []
        for t in tokens {
            if t.atLineStart || lines.isEmpty { lines.append([t]) } else { lines[lines.count - 1].append(t) }
        }

        var chunks: [Chunk] = []
        var reportedStray = false
        for line in lines {
            if FileParser.startsChunk(line) {
                chunks.append(Chunk(keyword: line[0], lines: [line]))
                reportedStray = false
            } else if !chunks.isEmpty {
                chunks[chunks.count - 1].lines.append(line)
            } else if !reportedStray {
                sink.error(line[0], "expected a declaration such as 'derivation NAME \"Title\"', found \(line[0].quoted)")
                reportedStray = true
            }
        }

        var builders: [DerivationBuilder] = []
        for chunk in chunks {
            if chunk.keyword.text == "derivation" {
                let b = DerivationBuilder(header: chunk, sink: sink)
                b.latexBlocks = latex
                builders.append(b)
            } else if let current = builders.last {
                current.chunks.append(chunk)
            } else {
                sink.error(chunk.keyword, "'\(chunk.keyword.raw)' outside a derivation: start with 'derivation NAME \"Title\"'")
            }
        }

        if let document {
            if let b = builders.last {
                if b.chunks.contains(where: { $0.keyword.text == "steps" }) {
                    sink.error(b.header.keyword, "the derivation that reads \(document.text.file) has steps of its own; leave 'steps' out of the model")
                } else {
                    // The paper's displays are the steps of the model's last derivation.
                    var keyword = b.header.keyword
                    keyword.text = "steps"
                    var latexWord = keyword
                    latexWord.text = "latex"
                    keyword.line = -1
                    b.chunks.append(Chunk(keyword: keyword, lines: [[keyword, latexWord]]))
                    b.latexBlocks[-1] = document
                }
            } else {
                sink.error(at: SourceLocation(file: path, line: 1, column: 1), "the model has no derivation to read \(document.text.file) into")
            }
        }

        var derivations: [Derivation] = []
        var seen: [String: SourceLocation] = [:]
        var erroneous: [Int: Set<Int>] = [:]
        for b in builders {
            b.buildAllSizes()
            if let first = seen[b.derivation.name] {
                sink.error(b.nameToken ?? b.header.keyword,
                           "duplicate declaration of derivation '\(b.derivation.name)' (first declared at \(first.line):\(first.column))")
            } else {
                seen[b.derivation.name] = b.derivation.location
            }
            if !b.erroneousSteps.isEmpty { erroneous[derivations.count] = b.erroneousSteps }
            derivations.append(b.derivation)
            // Each further chain of a `steps latex` block is a derivation with the same declarations.
            for chain in b.extraChains {
                var d = b.derivation
                d.name = "\(b.derivation.name)(\(chain.label))"
                d.title = "\(b.derivation.title), from (\(chain.label))"
                d.start = chain.start
                d.startLocation = chain.startLocation
                d.steps = chain.steps
                d.objectives = []
                d.estimates = []
                if !chain.erroneous.isEmpty { erroneous[derivations.count] = chain.erroneous }
                derivations.append(d)
            }
        }

        let diagnostics = sink.items.sorted {
            ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
        }
        return SpecParser.Result(file: SpecFile(path: path, derivations: derivations),
                                 diagnostics: diagnostics, erroneousSteps: erroneous)
    }
}
