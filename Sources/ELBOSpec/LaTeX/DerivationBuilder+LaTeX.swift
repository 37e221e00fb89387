import ELBOAlgebra

/// The raw text of a `steps latex` block (or of a paper checked with `--model`).
struct LaTeXBlock {
    let text: SourceText
    /// The block's characters in `text.chars`.
    let range: Range<Int>
}

/// `relate (N) [RELATION] [assuming …] [expect refuted[, holds …]]`: how display (N) joins the
/// chain. Without a relation it annotates the display's own links: the assumptions apply to
/// each, the expectations to them in order (one expectation applies to all).
struct RelateLine {
    var keyword: Token
    var relation: [Token]
    /// `assuming …` and `by …` clauses.
    var clauses: [Token]
    /// The words after `expect`, one per link or one for all.
    var expectations: [Token]

    /// The clause tokens of link `index` of `count`.
    func clauses(forLink index: Int, of count: Int) -> [Token] {
        var out = clauses
        if !expectations.isEmpty {
            let word = expectations.count == count ? expectations[index] : expectations[0]
            var expect = word
            expect.text = "expect"
            expect.kind = .identifier
            out += [expect, word]
        }
        return out
    }
}

/// One link of a chain being assembled from displays: `RELATION EXPR`, with its label and the
/// clauses a `relate` line adds.
struct ChainLink {
    var label: (String, Token)?
    var relation: [Token]
    var expr: [Token]
    var clauses: [Token] = []
}

/// A chain of displays: the starting expression and its links.
struct DisplayChain {
    var start: [Token]
    var links: [ChainLink] = []
}

/// A `steps latex` block: the displays of a paper read as the derivation's steps
/// (SPEC-LANGUAGE.md, "Derivations straight from LaTeX").
extension DerivationBuilder {
    static let latexKeywords: Set<String> = ["relate", "alias", "ignore"]

    func parseLaTeXSteps(_ chunk: Chunk, block: LaTeXBlock) {
        let (aliases, relates, ignored) = parseLaTeXDirectives()
        let positions = block.text.positions()
        let found = DisplayFinder.find(in: block.text.chars, range: block.range)
        let fileOverride = block.text.file == file ? nil : block.text.file
        func location(_ offset: Int) -> SourceLocation {
            SourceLocation(file: block.text.file, line: positions[offset].line, column: positions[offset].column)
        }
        for p in found.problems { sink.error(at: location(p.at), p.message) }

        var chains: [DisplayChain] = []
        var usedRelates: Set<String> = []
        var equationCounter = 0
        let userMacros = LaTeXUserMacros(block.text, range: block.range, positions: positions)
        for display in found.displays {
            let (tex, macroProblems) = userMacros.expand(TeXLexer.tokenize(block.text, range: display.contents, positions: positions))
            for (t, message) in macroProblems {
                sink.error(at: SourceLocation(file: block.text.file, line: t.line, column: t.column), message)
            }
            if !macroProblems.isEmpty { continue }
            var translator = LaTeXTranslator(chars: block.text.chars, tokens: tex, file: fileOverride)
            var rows = translator.translate()
            LaTeXChains.number(&rows, environment: display.environment, counter: &equationCounter)
            for (t, message) in translator.diagnostics {
                sink.error(at: SourceLocation(file: block.text.file, line: t.line, column: t.column), message)
            }
            if !translator.diagnostics.isEmpty { continue }
            let label = rows.last(where: { $0.label != nil })?.label
            if let label, ignored.contains(label) { continue }
            let names = LaTeXNames(scope: scope(), aliases: aliases)
            let equations = LaTeXChains.equations(rows.filter { !LaTeXChains.statesAnOptimum($0) }.map { row in
                var r = row
                r.tokens = names.resolve(row.tokens)
                return r
            })
            for equation in equations {
                let relate = equation.label.flatMap { relates[$0.0] }
                if let l = equation.label?.0, relate != nil { usedRelates.insert(l) }
                place(equation, relate: relate, into: &chains, names: names)
            }
        }
        for (label, r) in relates where !usedRelates.contains(label) {
            sink.error(r.keyword, "relate (\(label)): no display is numbered (\(label))")
        }
        guard let first = chains.first else {
            if found.displays.isEmpty { sink.error(chunk.keyword, "'steps latex' found no display math ($$…$$, \\[…\\] or an equation environment)") }
            return
        }
        buildChain(first, after: chunk.keyword)
        for chain in chains.dropFirst() {
            let saved = (derivation.start, derivation.startLocation, derivation.steps, erroneousSteps)
            derivation.start = nil
            derivation.steps = []
            erroneousSteps = []
            buildChain(chain, after: chunk.keyword)
            let label = chain.links.first(where: { $0.label != nil })?.label?.0 ?? "\(extraChains.count + 2)"
            extraChains.append((label: label, start: derivation.start, startLocation: derivation.startLocation,
                                steps: derivation.steps, erroneous: erroneousSteps))
            (derivation.start, derivation.startLocation, derivation.steps, erroneousSteps) = saved
        }
    }

    /// Puts one equation of a display into the chains: a continuation, a definition, a related
    /// display, or a new chain.
    func place(_ eq: LaTeXEquation, relate: RelateLine?, into chains: inout [DisplayChain], names: LaTeXNames) {
        var links = eq.links
        if let relate, !links.isEmpty {
            if relate.expectations.count > 1, relate.expectations.count != links.count {
                sink.error(relate.keyword, "relate: \(relate.expectations.count) expectations for a display with \(links.count) relations")
            }
            for k in links.indices { links[k].clauses = relate.clauses(forLink: k, of: links.count) }
            if !relate.relation.isEmpty {
                links[links.count - 1].clauses = relate.clauses(forLink: 0, of: 1)
                if let head = definitionHead(eq.left, names: names), links.count >= 1 { define(head, body: links[0].expr) }
                var link = links[links.count - 1]
                link.relation = relate.relation
                if chains.isEmpty {
                    sink.error(relate.keyword, "relate: there is no chain before this display to relate it to")
                    return
                }
                chains[chains.count - 1].links.append(link)
                return
            }
        }
        if eq.left.isEmpty {
            guard !chains.isEmpty else {
                if let first = links.first?.relation.first {
                    sink.error(first, "this display starts with a relation, but no display before it starts a chain")
                }
                return
            }
            chains[chains.count - 1].links += links
            return
        }
        if links.isEmpty { return }
        if let head = definitionHead(eq.left, names: names) {
            define(head, body: links[0].expr)
            // `L = = 1`: the definition's body is empty (reported by `define`) and starts no chain.
            if links.count > 1, !links[0].expr.isEmpty {
                chains.append(DisplayChain(start: links[0].expr, links: Array(links.dropFirst())))
            }
            return
        }
        chains.append(DisplayChain(start: eq.left, links: links))
    }

    /// `NAME` or `NAME(a, b)` where NAME means nothing yet: the left side of a definition.
    func definitionHead(_ tokens: [Token], names: LaTeXNames) -> (name: Token, parameters: [Token])? {
        guard let name = tokens.first, name.kind == .identifier, !names.isKnown(name.text),
              names.aliases[name.text] == nil else { return nil }
        if tokens.count == 1 { return (name, []) }
        guard tokens.count >= 3, tokens[1].isSymbol("("), tokens.last?.isSymbol(")") == true else { return nil }
        let inner = tokens[2..<(tokens.count - 1)]
        var parameters: [Token] = []
        for (k, t) in inner.enumerated() {
            if k % 2 == 0 { guard t.kind == .identifier else { return nil }; parameters.append(t) } else if !t.isSymbol(",") { return nil }
        }
        return (name, parameters)
    }

    /// Registers `NAME(PARAMS) = BODY` as `define` would.
    func define(_ head: (name: Token, parameters: [Token]), body: [Token]) {
        func symbol(_ s: String, _ at: Token) -> Token {
            var t = at
            t.kind = .symbol
            t.text = s
            return t
        }
        var tokens = [head.name, symbol("(", head.name)]
        for (k, p) in head.parameters.enumerated() {
            if k > 0 { tokens.append(symbol(",", p)) }
            tokens.append(p)
        }
        tokens += [symbol(")", head.name), symbol("=", head.name)] + body
        var keyword = head.name
        keyword.text = "define"
        run { try self.parseDefine(Chunk(keyword: keyword, lines: [[keyword] + tokens])) }
    }

    /// Parses the start and the steps of one chain with the `.elbo` step parser.
    func buildChain(_ chain: DisplayChain, after keyword: Token) {
        parseStart(chain.start, after: keyword)
        for link in chain.links {
            var group: [Token] = []
            let anchor = link.relation.first ?? link.expr.first ?? keyword
            if let (label, at) = link.label {
                func t(_ kind: TokenKind, _ text: String) -> Token {
                    var s = at
                    s.kind = kind
                    s.text = text
                    s.raw = text
                    s.number = nil
                    return s
                }
                group += [t(.symbol, "("), t(label.allSatisfy(\.isNumber) ? .number : .identifier, label), t(.symbol, ")")]
            }
            group += link.relation.isEmpty ? [anchor] : link.relation
            group += link.expr + link.clauses
            let before = sink.count
            if let step = parseStep(group) {
                derivation.steps.append(step)
                if sink.count > before { erroneousSteps.insert(derivation.steps.count - 1) }
            }
        }
    }

    /// `alias`, `relate` and `ignore` lines of the declarations.
    func parseLaTeXDirectives() -> (aliases: [String: String], relates: [String: RelateLine], ignored: Set<String>) {
        var aliases: [String: String] = [:]
        var relates: [String: RelateLine] = [:]
        var ignored: Set<String> = []
        for chunk in chunks where DerivationBuilder.latexKeywords.contains(chunk.keyword.text) {
            let body = chunk.body
            switch chunk.keyword.text {
            case "alias":
                guard body.count == 3, body[0].isIdentifier, body[1].isSymbol("="), body[2].isIdentifier else {
                    sink.error(chunk.keyword, "expected 'alias NAME = DECLARED_NAME'")
                    continue
                }
                aliases[body[0].text] = body[2].text
            case "relate":
                guard let (label, close) = ExprParser.label(in: body, at: 0) else {
                    sink.error(chunk.keyword, "expected 'relate (N) RELATION [assuming …] [expect refuted]'")
                    continue
                }
                var k = close + 1
                var relation: [Token] = []
                if let (_, length) = DerivationBuilder.relation(in: body, at: k) {
                    relation = Array(body[k..<(k + length)])
                    k += length
                }
                if relates[label] != nil { sink.error(chunk.keyword, "a second 'relate (\(label))'") }
                var clauses = Array(body[k...])
                var expectations: [Token] = []
                if let e = clauses.firstIndex(where: { $0.isWord("expect") }) {
                    var j = e + 1
                    while j < clauses.count, clauses[j].isIdentifier, !DerivationBuilder.clauseWords.contains(clauses[j].text) {
                        expectations.append(clauses[j])
                        j += 1
                        if j < clauses.count, clauses[j].isSymbol(",") { j += 1 } else { break }
                    }
                    if expectations.isEmpty { sink.error(clauses[e], "expected 'refuted' or 'holds' after 'expect'") }
                    clauses.removeSubrange(e..<j)
                }
                relates[label] = RelateLine(keyword: chunk.keyword, relation: relation, clauses: clauses, expectations: expectations)
            default:
                var k = 0
                while let (label, close) = ExprParser.label(in: body, at: k) {
                    ignored.insert(label)
                    k = close + 1
                    if k < body.count, body[k].isSymbol(",") { k += 1 }
                }
                if k < body.count || body.isEmpty { sink.error(chunk.keyword, "expected 'ignore (N), (M)'") }
            }
        }
        return (aliases, relates, ignored)
    }
}

/// One equation of a display: its left side (empty when it continues a chain) and its links.
struct LaTeXEquation {
    var left: [Token]
    var links: [ChainLink]
    var label: (String, Token)? { links.last?.label }
}

/// Rows to equations, equations to links.
enum LaTeXChains {
    static func isRelation(_ tokens: [Token], at k: Int) -> Bool {
        DerivationBuilder.relation(in: tokens, at: k) != nil || (tokens[k].kind == .symbol && ["!=", "<", ">"].contains(tokens[k].text))
    }

    /// Environments that LaTeX numbers: each row, or the whole display once.
    static let numberedPerRow: Set<String> = ["align", "gather", "eqnarray", "flalign", "alignat"]
    static let numberedOnce: Set<String> = ["equation", "multline"]

    /// The numbers LaTeX prints: `align` numbers each row without `\nonumber` or `\tag`,
    /// `equation` the display unless it is tagged; starred environments, `$$…$$` and `\[…\]`
    /// nothing. `relate (3)` and `ignore (3)` then name the paper's equation (3).
    static func number(_ rows: inout [LaTeXRow], environment: String?, counter: inout Int) {
        guard let environment else { return }
        func give(_ k: Int) {
            counter += 1
            rows[k].label = "\(counter)"
            if var at = rows[k].tokens.last {
                at.kind = .identifier
                at.text = "\(counter)"
                rows[k].labelToken = at
            }
        }
        if numberedPerRow.contains(environment) {
            for k in rows.indices where rows[k].label == nil && !rows[k].unnumbered && !rows[k].tokens.isEmpty { give(k) }
        } else if numberedOnce.contains(environment), let last = rows.indices.last,
                  rows.allSatisfy({ $0.label == nil && !$0.unnumbered }) {
            give(last)
        }
    }

    /// A row such as `θ*, φ* = \arg\min_{θ, φ} L` or `\hat{θ} = \argmax …` states which
    /// parameters are optimal: not a step of the derivation, so it is skipped.
    static func statesAnOptimum(_ row: LaTeXRow) -> Bool {
        let words = row.tokens.filter { $0.kind == .identifier }.map(\.text)
        if words.contains(where: { ["argmin", "argmax", "arg_min", "arg_max"].contains($0) }) { return true }
        return zip(words, words.dropFirst()).contains { $0 == "arg" && ($1 == "min" || $1 == "max" || $1.hasPrefix("min_") || $1.hasPrefix("max_")) }
    }

    /// Rows that start with a relation or an operator, or follow a row ending in a relation,
    /// continue the equation; any other row starts its own.
    static func equations(_ rows: [LaTeXRow]) -> [LaTeXEquation] {
        var groups: [[LaTeXRow]] = []
        for row in rows {
            guard let first = row.tokens.first else {
                if !groups.isEmpty { groups[groups.count - 1].append(row) }
                continue
            }
            let continues = isRelation(row.tokens, at: 0) || ["+", "-", "*", "/"].contains(first.text) && first.kind == .symbol
            let previousOpen = groups.last?.last(where: { !$0.tokens.isEmpty }).map { isRelation($0.tokens, at: $0.tokens.count - 1) } ?? false
            if groups.isEmpty || !(continues || previousOpen) {
                groups.append([row])
            } else {
                groups[groups.count - 1].append(row)
            }
        }
        return groups.map(split)
    }

    /// Splits an equation's tokens at the relations outside brackets.
    static func split(_ rows: [LaTeXRow]) -> LaTeXEquation {
        var tokens: [Token] = []
        var labelAfter: [(Int, (String, Token))] = []
        for row in rows {
            tokens += row.tokens
            if let l = row.label, let t = row.labelToken { labelAfter.append((tokens.count, (l, t))) }
        }
        var depth = 0
        var cuts: [Int] = []
        for k in tokens.indices {
            let t = tokens[k]
            if t.kind == .symbol, ["(", "[", "{"].contains(t.text) { depth += 1 }
            if t.kind == .symbol, [")", "]", "}"].contains(t.text) { depth -= 1 }
            if depth == 0, isRelation(tokens, at: k) { cuts.append(k) }
        }
        let left = Array(tokens[..<(cuts.first ?? tokens.count)])
        var links: [ChainLink] = []
        for (n, cut) in cuts.enumerated() {
            let length = DerivationBuilder.relation(in: tokens, at: cut)?.1 ?? 1
            let end = n + 1 < cuts.count ? cuts[n + 1] : tokens.count
            let exprStart = min(cut + length, end)
            var link = ChainLink(relation: Array(tokens[cut..<exprStart]), expr: Array(tokens[exprStart..<end]))
            link.label = labelAfter.last(where: { $0.0 > cut && $0.0 <= end })?.1
            links.append(link)
        }
        // A label written where no link ends (after the last row) belongs to the last link.
        if let last = labelAfter.last, !links.isEmpty, links.allSatisfy({ $0.label == nil }) {
            links[links.count - 1].label = last.1
        }
        return LaTeXEquation(left: left, links: links)
    }
}
