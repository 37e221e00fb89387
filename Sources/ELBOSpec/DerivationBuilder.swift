import ELBOAlgebra

/// Builds one `Derivation` from its chunks.
///
/// Declarations are read by kind, not in file order, so that a name may be used before the
/// line that declares it: variables, dimensions and params first, then joints, networks,
/// families, definitions, assumptions, steps, objectives and estimates.
final class DerivationBuilder {
    let header: Chunk
    var chunks: [Chunk] = []
    let sink: DiagnosticSink
    var derivation: Derivation
    var nameToken: Token?
    /// Indices of steps whose line range produced a diagnostic.
    var erroneousSteps: Set<Int> = []
    /// Names in the value-and-function namespace, with what declared them.
    var declared: [String: (kind: String, location: SourceLocation)] = [:]
    var labels: [String: SourceLocation] = [:]
    var explicitDimensions: Set<String> = []
    /// The text of a `steps latex` block, keyed by the line of its `steps` keyword.
    var latexBlocks: [Int: LaTeXBlock] = [:]
    /// Chains of a `steps latex` block after the first: each becomes a derivation of its own.
    var extraChains: [(label: String, start: Expr?, startLocation: SourceLocation?, steps: [Step], erroneous: Set<Int>)] = []

    static let order = ["source", "variables", "dim", "param", "model", "network", "family", "define",
                        "assume", "steps", "objective", "estimate"]

    init(header: Chunk, sink: DiagnosticSink) {
        self.header = header
        self.sink = sink
        derivation = Derivation(name: "", title: "", location: header.keyword.location(sink.file))
    }

    var file: String { sink.file }
    var decls: Declarations {
        get { derivation.declarations }
        set { derivation.declarations = newValue }
    }

    /// The sizes this derivation is unrolled at and its indexed families (nil without plates).
    var plate: PlateContext?

    /// A scope with everything declared so far.
    func scope() -> Scope {
        var s = Scope(declarations: decls)
        s.plate = plate
        return s
    }

    /// A parser over `tokens`, the rest of the chunk after `after`.
    func parser(_ tokens: [Token], after: Token, scope: Scope? = nil) -> ExprParser {
        ExprParser(tokens: tokens, after: after, scope: scope ?? self.scope(), sink: sink)
    }

    func build() {
        run { try self.parseHeader() }
        var pendingFactors: [PendingFactors] = []
        for kind in DerivationBuilder.order {
            if kind == "network" {
                // Every joint is declared now, so factors may name any of them.
                for pending in pendingFactors { run { try self.parseFactors(pending) } }
            }
            let matching = chunks.filter {
                $0.keyword.text == kind || (kind == "model" && $0.keyword.text == "guide")
            }
            for chunk in matching {
                switch kind {
                case "source": run { try self.parseSource(chunk) }
                case "variables": parseVariables(chunk)
                case "dim": run { try self.parseDim(chunk) }
                case "param": run { try self.parseParam(chunk) }
                case "model":
                    run { if let pending = try self.parseJointHead(chunk) { pendingFactors.append(pending) } }
                case "network": run { try self.parseNetwork(chunk) }
                case "family": run { try self.parseFamily(chunk) }
                case "define": run { try self.parseDefine(chunk) }
                case "assume": run { try self.parseAssume(chunk) }
                case "steps": parseSteps(chunk)
                case "objective": run { try self.parseObjective(chunk) }
                case "estimate": run { try self.parseEstimate(chunk) }
                default: break
                }
            }
        }
        let stepsChunks = chunks.filter { $0.keyword.text == "steps" }
        if stepsChunks.count > 1 {
            sink.error(stepsChunks[1].keyword, "a derivation has one 'steps' block; '\(derivation.name)' already has one at \(stepsChunks[0].keyword.line):\(stepsChunks[0].keyword.column)")
        }
    }

    /// Runs a declaration parser, absorbing the abort after a recorded diagnostic.
    func run(_ body: () throws -> Void) {
        do { try body() } catch {}
    }

    /// Ensures a chunk has nothing left.
    func expectEnd(_ p: ExprParser, _ what: String) {
        if !p.atEnd { sink.error(p.peek, "unexpected \(p.peek.quoted) after \(what)") }
    }

    /// Checks the bracket structure of `tokens`; reports the opening bracket of a pair that
    /// does not close. Returns whether they balance.
    func bracketsBalance(_ tokens: [Token]) -> Bool {
        let pairs: [String: String] = ["(": ")", "[": "]", "{": "}"]
        var stack: [Token] = []
        for t in tokens where t.kind == .symbol {
            if pairs[t.text] != nil {
                stack.append(t)
            } else if [")", "]", "}"].contains(t.text) {
                if let top = stack.last {
                    if pairs[top.text] == t.text {
                        stack.removeLast()
                    } else {
                        sink.error(top, "unbalanced '\(top.raw)': closed by '\(t.raw)' at \(t.line):\(t.column)")
                        return false
                    }
                } else {
                    sink.error(t, "unmatched '\(t.raw)' without an opening bracket")
                    return false
                }
            }
        }
        if let open = stack.last {
            sink.error(open, "unbalanced '\(open.raw)': no matching '\(pairs[open.text]!)'")
            return false
        }
        return true
    }

    /// Records a name in the shared namespace; reports a duplicate.
    @discardableResult
    func declare(_ token: Token, as kind: String, key: String? = nil) -> Bool {
        let name = key ?? token.text
        if let previous = declared[name] {
            sink.error(token, "duplicate declaration of '\(name)' (first declared as \(previous.kind) at \(previous.location.line):\(previous.location.column))")
            return false
        }
        declared[name] = (kind, token.location(file))
        derivation.declarationLocations[name] = token.location(file)
        return true
    }

    // MARK: Header, source, variables, dimensions, params

    func parseHeader() throws {
        let p = parser(header.body, after: header.keyword)
        let name = try p.expectIdentifier("a derivation name after 'derivation'")
        nameToken = name
        derivation.name = name.text
        derivation.title = name.text
        if p.peek.kind == .string { derivation.title = p.advance().text }
        expectEnd(p, "the derivation title")
    }

    func parseSource(_ chunk: Chunk) throws {
        let p = parser(chunk.body, after: chunk.keyword)
        guard p.peek.kind == .string else { throw p.fail(p.peek, "expected a quoted path after 'source', found \(p.peek.quoted)") }
        if derivation.source != nil {
            sink.error(chunk.keyword, "duplicate declaration of the source of '\(derivation.name)'")
        }
        derivation.source = p.advance().text
        expectEnd(p, "the source path")
    }

    /// `variables` then one `NAME : ROLE TYPE` per line (the first may follow the keyword).
    func parseVariables(_ chunk: Chunk) {
        var lines = chunk.lines
        lines[0].removeFirst()
        for line in lines where !line.isEmpty {
            run { try self.parseVariableLine(line, after: chunk.keyword) }
        }
    }

    func parseVariableLine(_ line: [Token], after: Token) throws {
        let p = parser(line, after: after)
        var names: [Token] = []
        repeat { names.append(try p.expectIdentifier("a variable name")) } while p.eat(",")
        _ = try p.expect(":", "after the variable name (NAME : ROLE TYPE)")
        let roleTok = try p.expectIdentifier("a role (observed, latent or input)")
        guard let role = VariableRole(rawValue: roleTok.text) else {
            throw p.fail(roleTok, "unknown role '\(roleTok.raw)'; expected observed, latent or input")
        }
        let typeTok = try p.expectIdentifier("a type (real[D], binary[D] or label[C])")
        var dimension = Dimension.value(1)
        if p.peek.isSymbol("[") {
            let open = p.advance()
            dimension = try parseDimension(p)
            try p.expectClosing("]", open)
        } else if typeTok.text == "label" {
            throw p.fail(p.peek, "a label type needs its number of classes: label[C]")
        }
        let type: VariableType
        switch typeTok.text {
        case "real": type = .real(dimension)
        case "binary": type = .binary(dimension)
        case "label": type = .label(dimension)
        default: throw p.fail(typeTok, "unknown type '\(typeTok.raw)'; expected real[D], binary[D] or label[C]")
        }
        // `x_t : latent real[k] for t = 1..T`: one variable per member of the family.
        let members = p.peek.isWord("for") ? try parseFamilyClause(p, names: names) : nil
        var computed: Expr?
        if p.peek.isSymbol("=") {
            let eq = p.advance()
            guard role == .observed, names.count == 1 else {
                throw p.fail(eq, "only one observed variable may be computed from data (NAME : observed TYPE = F(x))")
            }
            computed = try p.parseExpression()
        }
        expectEnd(p, "the variable's type")
        for n in members ?? names where declareVariableName(n, family: members == nil ? nil : names.first) {
            decls.variables.append(Variable(name: n.text, role: role, type: type, computed: computed))
        }
    }

    /// A dimension: a positive integer or a symbol, which becomes a dimension symbol.
    func parseDimension(_ p: ExprParser) throws -> Dimension {
        let t = p.advance()
        if t.kind == .number, let n = t.number?.intValue, n > 0 { return .value(n) }
        guard t.isIdentifier else { throw p.fail(t, "expected a dimension (a symbol or a positive integer), found \(t.quoted)") }
        addDimension(t, explicit: false)
        return .symbol(t.text)
    }

    func addDimension(_ t: Token, explicit: Bool) {
        if explicit {
            guard declare(t, as: "a dimension") else { return }
        } else if let previous = declared[t.text] {
            if previous.kind != "a dimension" {
                sink.error(t, "'\(t.raw)' is used as a dimension but declared as \(previous.kind) at \(previous.location.line):\(previous.location.column)")
            }
            return
        } else {
            declared[t.text] = ("a dimension", t.location(file))
            derivation.declarationLocations[t.text] = t.location(file)
        }
        if !decls.dimensions.contains(t.text) { decls.dimensions.append(t.text) }
    }

    func parseDim(_ chunk: Chunk) throws {
        let p = parser(chunk.body, after: chunk.keyword)
        repeat {
            let t = try p.expectIdentifier("a dimension name")
            if plate?.size(t.text) != nil {
                // A plate size (`dim T ≥ 2`, `dim L = 2`): a number at each instance.
                try parseSizeBound(p, t)
                continue
            }
            if declared[t.text]?.kind == "a dimension", !explicitDimensions.contains(t.text) {
                // Already introduced by a type such as real[k]; `dim k` only repeats it.
                explicitDimensions.insert(t.text)
                continue
            }
            explicitDimensions.insert(t.text)
            addDimension(t, explicit: true)
        } while p.eat(",")
        expectEnd(p, "the dimension names")
    }

    /// `param NAME`, `param NAME[D, …]`, `param NAME > 0`, `param beta ≥ 1`, several separated
    /// by commas. A constraint applies to every name listed since the previous constraint:
    /// `param a, b > 0` constrains both, `param a > 0, b` only a.
    func parseParam(_ chunk: Chunk) throws {
        let p = parser(chunk.body, after: chunk.keyword)
        var pending: [(Token, [Dimension], MatrixStructure?)] = []
        func flush(_ bound: ParamBound?) {
            for (name, shape, structure) in pending where declare(name, as: "a param") {
                decls.params.append(Param(name: name.text, shape: shape, bound: bound, structure: structure))
            }
            pending = []
        }
        repeat {
            let name = try p.expectIdentifier("a parameter name")
            var shape: [Dimension] = []
            if p.peek.isSymbol("[") {
                let open = p.advance()
                repeat { shape.append(try parseDimension(p)) } while p.eat(",")
                try p.expectClosing("]", open)
            }
            pending.append((name, shape, try parseMatrixStructure(p, name, shape)))
            if let comparison = parseBoundComparison(p) { flush(ParamBound(comparison, try parseBoundValue(p))) }
        } while p.eat(",")
        flush(nil)
        expectEnd(p, "the parameter declaration")
    }

    /// `>`, `≥`/`>=`, `<`, `≤`/`<=` after a parameter, if present.
    func parseBoundComparison(_ p: ExprParser) -> ParamBound.Comparison? {
        let table: [(String, ParamBound.Comparison)] = [(">=", .greaterOrEqual), (">", .greater), ("<=", .lessOrEqual), ("<", .less)]
        for (symbol, comparison) in table where p.peek.isSymbol(symbol) {
            p.advance()
            return comparison
        }
        return nil
    }

    /// The number a constraint compares with: a literal, optionally negative (`param b > -1`).
    func parseBoundValue(_ p: ExprParser) throws -> Rational {
        let negative = p.eat("-")
        let t = p.advance()
        guard t.kind == .number, let r = t.number else {
            throw p.fail(t, "a parameter's constraint compares it with a number (> 0, ≥ 1, < 1, ≤ -2), found \(t.quoted)")
        }
        var value = r
        if p.eat("/") {
            let d = p.advance()
            guard d.kind == .number, let q = d.number, !q.isZero else {
                throw p.fail(d, "expected a non-zero denominator in the constraint, found \(d.quoted)")
            }
            value = value / q
        }
        return negative ? -value : value
    }
}
