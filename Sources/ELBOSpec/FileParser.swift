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
        "define", "assume", "objective", "estimate", "steps",
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

    func parse(_ source: String) -> SpecParser.Result {
        let (tokens, lexDiagnostics) = Lexer.tokenize(source, file: path)
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
                builders.append(DerivationBuilder(header: chunk, sink: sink))
            } else if let current = builders.last {
                current.chunks.append(chunk)
            } else {
                sink.error(chunk.keyword, "'\(chunk.keyword.raw)' outside a derivation: start with 'derivation NAME \"Title\"'")
            }
        }

        var derivations: [Derivation] = []
        var seen: [String: SourceLocation] = [:]
        var erroneous: [Int: Set<Int>] = [:]
        for (k, b) in builders.enumerated() {
            b.build()
            if let first = seen[b.derivation.name] {
                sink.error(b.nameToken ?? b.header.keyword,
                           "duplicate declaration of derivation '\(b.derivation.name)' (first declared at \(first.line):\(first.column))")
            } else {
                seen[b.derivation.name] = b.derivation.location
            }
            derivations.append(b.derivation)
            if !b.erroneousSteps.isEmpty { erroneous[k] = b.erroneousSteps }
        }

        let diagnostics = sink.items.sorted {
            ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
        }
        return SpecParser.Result(file: SpecFile(path: path, derivations: derivations),
                                 diagnostics: diagnostics, erroneousSteps: erroneous)
    }
}
