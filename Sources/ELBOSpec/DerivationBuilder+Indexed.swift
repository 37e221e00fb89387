import ELBOAlgebra

/// Derivations over indexed families: the sizes they are read at, the `for` clause of a
/// family, and the reading of the whole derivation once per size assignment.
extension DerivationBuilder {
    /// A size symbol: `dim T ≥ 2` (lower bound 2), `dim L = 2` (fixed), or a symbol in a
    /// family's range without a `dim` bound (lower bound 1).
    struct SizeDeclaration {
        var name: String
        var lower: Int
        var fixed: Int?
    }

    /// How many sizes past its lower bound each size symbol is read at (bound … bound + 3).
    static let sizesPastLowerBound = 3
    /// At most this many size assignments; more size symbols are advanced together.
    static let maximumAssignments = 16

    /// The size symbols and family stems the chunks declare, read before anything else so
    /// that every declaration can be read at a size.
    func prescanSizes() -> (sizes: [SizeDeclaration], familyIndices: [String: String]) {
        var sizes: [SizeDeclaration] = []
        func add(_ name: String, lower: Int, fixed: Int?) {
            if let k = sizes.firstIndex(where: { $0.name == name }) {
                if fixed != nil || lower > sizes[k].lower { sizes[k] = SizeDeclaration(name: name, lower: lower, fixed: fixed) }
            } else {
                sizes.append(SizeDeclaration(name: name, lower: lower, fixed: fixed))
            }
        }
        for chunk in chunks where chunk.keyword.text == "dim" {
            let body = chunk.body
            var k = 0
            while k < body.count {
                if body[k].isIdentifier, k + 2 < body.count, let n = body[k + 2].number?.intValue {
                    if body[k + 1].isSymbol(">=") { add(body[k].text, lower: n, fixed: nil) }
                    if body[k + 1].isSymbol(">") { add(body[k].text, lower: n + 1, fixed: nil) }
                    if body[k + 1].isSymbol("=") { add(body[k].text, lower: n, fixed: n) }
                }
                k += 1
            }
        }
        var families: [String: String] = [:]
        for chunk in chunks where chunk.keyword.text == "variables" {
            for (n, line) in chunk.lines.enumerated() {
                let tokens = n == 0 ? Array(line.dropFirst()) : line
                guard let f = tokens.firstIndex(where: { $0.isWord("for") }), f + 2 < tokens.count,
                      let name = tokens.first, tokens[f + 1].isIdentifier else { continue }
                let index = tokens[f + 1].text
                if name.text.hasSuffix("_" + index), name.text.count > index.count + 1 {
                    families[String(name.text.dropLast(index.count + 1))] = index
                }
                for t in tokens[(f + 2)...] where t.isIdentifier && sizes.allSatisfy({ $0.name != t.text }) {
                    add(t.text, lower: 1, fixed: nil)
                }
            }
        }
        return (sizes, families)
    }

    /// Every size from each lower bound to the bound + 3 (one value for a fixed size), as a
    /// product of the sizes' ranges, or all advanced together when the product is too large.
    static func assignments(_ sizes: [SizeDeclaration]) -> [[SizeValue]] {
        let ranges = sizes.map { s in s.fixed.map { [$0] } ?? Array(s.lower...(s.lower + sizesPastLowerBound)) }
        let product = ranges.reduce(1) { $0 * $1.count }
        if product <= maximumAssignments {
            var out: [[SizeValue]] = [[]]
            for (s, range) in zip(sizes, ranges) {
                out = out.flatMap { prefix in range.map { prefix + [SizeValue(name: s.name, value: $0)] } }
            }
            return out
        }
        return (0...sizesPastLowerBound).map { k in
            zip(sizes, ranges).map { s, range in SizeValue(name: s.name, value: range[min(k, range.count - 1)]) }
        }
    }

    /// Builds the derivation; one over indexed families is read at every size assignment and
    /// carries them as `sizedInstances` (itself being the first). A diagnostic is reported
    /// once per position, from the smallest size at which it occurs, naming the size when it
    /// occurs only at larger ones.
    func buildAllSizes() {
        let (sizes, families) = prescanSizes()
        guard !sizes.isEmpty || !families.isEmpty else { build(); return }
        if let big = sizes.first(where: { ($0.fixed ?? ($0.lower + DerivationBuilder.sizesPastLowerBound)) > PlateContext.maximumMembers }),
           let chunk = chunks.first(where: { $0.keyword.text == "dim" }) {
            let at = chunk.body.first { $0.text == big.name } ?? chunk.keyword
            sink.error(at, "the size '\(big.name)' would be checked at \(big.fixed ?? big.lower + DerivationBuilder.sizesPastLowerBound), past the \(PlateContext.maximumMembers) members a family is written out with; give it a smaller bound (the step is checked at every size from the bound to the bound + \(DerivationBuilder.sizesPastLowerBound))")
            return
        }
        var instances: [SizedDerivation] = []
        var first: DerivationBuilder?
        var reported: Set<String> = []
        var erroneous: Set<Int> = []
        for (n, assignment) in DerivationBuilder.assignments(sizes).enumerated() {
            let b = DerivationBuilder(header: header, sink: DiagnosticSink(file: file))
            b.chunks = chunks
            b.latexBlocks = latexBlocks
            b.plate = PlateContext(sizes: assignment, familyIndices: families)
            b.build()
            let at = assignment.map { "\($0.name) = \($0.value)" }.joined(separator: ", ")
            var here: Set<String> = []
            for d in b.sink.items {
                let key = "\(d.location.line):\(d.location.column)"
                if n == 0 {
                    guard here.insert(key + d.message).inserted else { continue }
                    sink.error(at: d.location, d.message)
                } else if !reported.contains(key), here.insert(key).inserted {
                    sink.error(at: d.location, d.message.contains(at) ? d.message : "\(d.message) (at \(at))")
                }
            }
            for d in b.sink.items { reported.insert("\(d.location.line):\(d.location.column)") }
            erroneous.formUnion(b.erroneousSteps)
            instances.append(SizedDerivation(sizes: assignment, derivation: b.derivation))
            if first == nil { first = b }
        }
        guard let first else { build(); return }
        derivation = first.derivation
        derivation.sizedInstances = instances
        nameToken = first.nameToken
        erroneousSteps = erroneous
        extraChains = first.extraChains
    }

    /// `for t = A..B` after a variable's type: the members `x_A … x_B` of the family `x_t` at
    /// this instance's sizes (none when B < A).
    func parseFamilyClause(_ p: ExprParser, names: [Token]) throws -> [Token] {
        let forTok = p.advance()
        guard names.count == 1 else {
            throw p.fail(forTok, "a family is declared one per line: x_t : ROLE TYPE for t = A..B")
        }
        let name = names[0]
        let index = try p.expectIdentifier("the family's index after 'for' (for t = A..B)")
        guard name.text.hasSuffix("_" + index.text), name.text.count > index.text.count + 1 else {
            throw p.fail(name, "the family ranges over '\(index.raw)', so its name carries that index: write it as NAME_\(index.raw), like x_\(index.raw)")
        }
        let stem = String(name.text.dropLast(index.text.count + 1))
        _ = try p.expect("=", "after the family's index (for \(index.raw) = A..B)")
        let lookup: (String) -> Int? = { [plate] in plate?.size($0) }
        let aStart = p.pos
        let a: AffineIndex
        switch AffineIndex.read(p.tokens, from: p.pos, until: [".."], lookup: lookup) {
        case .failure(let e): throw p.fail(e.token, e.message)
        case .success(let (v, i)): a = v; p.pos = i
        }
        let aEnd = p.pos
        _ = try p.expect("..", "between the bounds of the family's range (for \(index.raw) = A..B)")
        let bStart = p.pos
        let b: AffineIndex
        switch AffineIndex.read(p.tokens, from: p.pos, until: ["="], lookup: lookup) {
        case .failure(let e): throw p.fail(e.token, e.message)
        case .success(let (v, i)): b = v; p.pos = i
        }
        let range = "\(name.raw) for \(index.raw) = \(p.spelling(aStart..<aEnd))..\(p.spelling(bStart..<p.pos))"
        plate?.declaredAs[stem, default: []].append(range)
        guard a.value <= b.value else { return [] }
        guard b.value - a.value < PlateContext.maximumMembers else {
            throw p.fail(name, "'\(range)' has \(b.value - a.value + 1) members at \(plate?.sizeDescription ?? "this size"); at most \(PlateContext.maximumMembers) are written out")
        }
        return (a.value...b.value).map { v in
            var t = name
            t.text = PlateContext.member(stem, v)
            return t
        }
    }

    /// Declares a variable; a member declared twice (by overlapping ranges, or by a range and
    /// a line of its own) is reported as an overlap.
    func declareVariableName(_ n: Token, family: Token?) -> Bool {
        if let plate, let (stem, _) = plate.split(n.text) {
            if let previous = declared[n.text] {
                let by = family.map { " by the range of '\($0.raw)'" } ?? ""
                sink.error(n, "ranges of '\(stem)' overlap: '\(n.text)' is declared at \(previous.location.line):\(previous.location.column) and again here\(by) (at \(plate.sizeDescription))")
                return false
            }
            if family == nil { self.plate?.declaredAs[stem, default: []].append(n.text) }
        }
        return declare(n, as: "a variable")
    }

    /// `dim T ≥ 2`, `dim T > 1`, `dim L = 2`, `dim N`: a size symbol (its bound was read by
    /// `prescanSizes`; here it is declared and the bound's form checked).
    func parseSizeBound(_ p: ExprParser, _ t: Token) throws {
        _ = declare(t, as: "a size")
        guard p.peek.isSymbol(">=") || p.peek.isSymbol(">") || p.peek.isSymbol("=") else { return }
        let op = p.advance()
        let n = p.advance()
        guard n.kind == .number, let v = n.number, v.isInteger, v >= .zero else {
            throw p.fail(n, "a size's bound is a non-negative integer: dim \(t.raw) \(op.raw) 1, found \(n.quoted)")
        }
    }
}
