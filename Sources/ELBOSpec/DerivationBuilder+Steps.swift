import ELBOAlgebra

/// The `steps` block: a starting expression, then steps `(LABEL) RELATION EXPR [clauses]`.
extension DerivationBuilder {
    static let clauseWords: Set<String> = ["assuming", "by", "expect"]
    static let unknownRelations: Set<String> = ["==", "=>", "!=", ":=", "<", ">", "<-", "->", "~"]

    /// The relation at `index`, and how many tokens spell it.
    static func relation(in tokens: [Token], at index: Int) -> (Relation, Int)? {
        guard index < tokens.count else { return nil }
        let t = tokens[index]
        if t.isSymbol("=") {
            // `=c` written together is "equal up to a constant"; `= c` is equality with c.
            if index + 1 < tokens.count, tokens[index + 1].isWord("c"), tokens[index + 1].start == t.end {
                return (.equalUpToConstant, 2)
            }
            return (.equal, 1)
        }
        if t.kind == .symbol {
            switch t.text {
            case ">=": return (.greaterOrEqual, 1)
            case "<=": return (.lessOrEqual, 1)
            case "~=": return (.approximately, 1)
            case "=c": return (.equalUpToConstant, 1)
            default: return nil
            }
        }
        if t.isWord("prop") { return (.proportional, 1) }
        return nil
    }

    static func isRelationLike(_ tokens: [Token], at index: Int) -> Bool {
        guard index < tokens.count else { return false }
        return relation(in: tokens, at: index) != nil
            || (tokens[index].kind == .symbol && unknownRelations.contains(tokens[index].text))
    }

    /// Whether a line begins a new step: a label `(…)`, a relation, or something in a
    /// relation's place (reported as an unknown relation).
    static func startsStep(_ line: [Token]) -> Bool {
        if isRelationLike(line, at: 0) { return true }
        if let (label, close) = ExprParser.label(in: line, at: 0) {
            return label.first?.isNumber == true || isRelationLike(line, at: close + 1)
        }
        return false
    }

    func parseSteps(_ chunk: Chunk) {
        // Only the first `steps` block is read; `build` reports any other.
        guard chunks.first(where: { $0.keyword.text == "steps" })?.keyword.start == chunk.keyword.start else { return }
        if chunk.lines[0].count > 1, chunk.lines[0][1].isWord("latex") {
            guard let block = latexBlocks[chunk.keyword.line] else { return }
            if chunk.lines[0].count > 2 { sink.error(chunk.lines[0][2], "unexpected \(chunk.lines[0][2].quoted) after 'steps latex'") }
            parseLaTeXSteps(chunk, block: block)
            return
        }
        var groups: [(isStep: Bool, tokens: [Token])] = []
        let inline = Array(chunk.lines[0].dropFirst())
        if !inline.isEmpty { groups.append((DerivationBuilder.startsStep(inline), inline)) }
        for line in chunk.lines.dropFirst() {
            if DerivationBuilder.startsStep(line) || groups.isEmpty {
                groups.append((DerivationBuilder.startsStep(line), line))
            } else {
                groups[groups.count - 1].tokens += line
            }
        }
        guard let first = groups.first else { return }
        if first.isStep {
            sink.error(first.tokens[0], "derivation '\(derivation.name)' has steps but no starting expression: write the expression the first step starts from on the line after 'steps'")
        } else {
            parseStart(first.tokens, after: chunk.keyword)
        }
        for group in groups.dropFirst(first.isStep ? 0 : 1) {
            let before = sink.count
            let step = parseStep(group.tokens)
            if let step {
                derivation.steps.append(step)
                if sink.count > before { erroneousSteps.insert(derivation.steps.count - 1) }
            }
        }
    }

    func stepScope() -> Scope {
        var s = scope()
        s.stopWords = DerivationBuilder.clauseWords
        return s
    }

    func parseStart(_ tokens: [Token], after: Token) {
        guard let first = tokens.first else {
            sink.error(after, "expected an expression to start the chain after \(after.quoted)")
            return
        }
        derivation.startLocation = first.location(file)
        guard bracketsBalance(tokens) else { return }
        let p = parser(tokens, after: after, scope: stepScope())
        run {
            derivation.start = try p.parseExpression()
            if !p.atEnd {
                sink.error(p.peek, "unexpected \(p.peek.quoted) after the starting expression")
            }
        }
    }

    /// One step. Returns nil only when nothing of it could be read (the diagnostic is recorded).
    func parseStep(_ tokens: [Token]) -> Step? {
        var i = 0
        var label: String?
        let location = tokens[0].location(file)
        if let (text, close) = ExprParser.label(in: tokens, at: 0) {
            label = text
            i = close + 1
            if let previous = labels[text] {
                sink.error(tokens[0], "duplicate step label (\(text)) (first at \(previous.line):\(previous.column))")
            } else {
                labels[text] = location
            }
        }
        var relation = Relation.equal
        let relationToken = i < tokens.count ? tokens[i] : tokens[tokens.count - 1]
        if let (r, length) = DerivationBuilder.relation(in: tokens, at: i) {
            relation = r
            i += length
        } else {
            let shown = i < tokens.count ? tokens[i].quoted : "nothing"
            let at = i < tokens.count ? tokens[i] : tokens[tokens.count - 1]
            sink.error(at, "unknown relation \(shown) at the start of the step; expected =, >=, <=, ~=, =c or prop (≥ ≤ ≈ ≐ ∝)")
            if i < tokens.count, tokens[i].kind == .symbol, DerivationBuilder.unknownRelations.contains(tokens[i].text) { i += 1 }
        }
        let rest = Array(tokens[i...])
        guard !rest.isEmpty else {
            sink.error(relationToken, "expected an expression after the relation")
            return Step(label: label, relation: relation, expr: .number(.zero), location: location, exprLocation: location)
        }
        var step = Step(label: label, relation: relation, expr: .number(.zero), location: location,
                        exprLocation: rest[0].location(file))
        guard bracketsBalance(rest) else { return step }
        let p = parser(rest, after: relationToken, scope: stepScope())
        do {
            step.expr = try p.parseExpression()
            try parseClauses(p, into: &step)
        } catch {
            return step
        }
        if relation == .approximately, step.assumptions.isEmpty {
            sink.error(relationToken, "'\(relationToken.raw)' needs 'assuming NAME': an approximation names the assumption under which it is exact")
        }
        return step
    }

    /// `assuming A, B`, `by RULE, RULE`, `expect refuted`, in any order.
    func parseClauses(_ p: ExprParser, into step: inout Step) throws {
        while !p.atEnd {
            let t = p.peek
            if t.isWord("assuming") {
                p.advance()
                repeat {
                    let n = try p.expectIdentifier("an assumption name after 'assuming'")
                    if decls.assumption(n.text) == nil {
                        let known = decls.assumptions.map(\.name).joined(separator: ", ")
                        sink.error(n, "unknown assumption '\(n.raw)'" + (known.isEmpty ? "; declare it with 'assume'" : " (declared: \(known))"))
                    }
                    step.assumptions.append(n.text)
                } while p.eat(",")
            } else if t.isWord("by") {
                p.advance()
                var start = p.pos
                while !p.atEnd, !(p.peek.isIdentifier && DerivationBuilder.clauseWords.contains(p.peek.text)) {
                    if p.peek.isSymbol(",") {
                        if p.pos > start { step.authorRules.append(p.spelling(start..<p.pos)) }
                        start = p.pos + 1
                    }
                    p.advance()
                }
                if p.pos > start { step.authorRules.append(p.spelling(start..<p.pos)) }
                if step.authorRules.isEmpty { sink.error(t, "expected a rule name after 'by'") }
            } else if t.isWord("expect") {
                p.advance()
                let w = try p.expectIdentifier("'refuted' after 'expect'")
                switch w.text {
                case "refuted": step.expectation = .refuted
                case "holds", "verified": step.expectation = .holds
                default: sink.error(w, "unknown expectation '\(w.raw)'; expected 'expect refuted'")
                }
            } else {
                sink.error(t, "unexpected \(t.quoted) after the step's expression")
                return
            }
        }
    }
}
