import ELBOAlgebra

/// Members, slices, `∏` and `Σ` over indexed families, read at the sizes of one instance
/// (`Scope.plate`): `x_{t-1}` becomes the variable `x_2` when `t = 3`, `x_{1:T}` the list
/// `x_1, …, x_T`, and `∏_{t=1}^{T} F` / `Σ_{t=1}^{T} F` the product / sum of `F` read once per
/// index value (an empty range is 1 / 0). Nothing is shared across indices: each member is a
/// variable of its own and each written conditional of it is its own conditional density.
extension ExprParser {
    /// A member or slice reference: the variables it names (tokens spelled as the variables,
    /// positioned at the reference) and the index after it.
    struct FamilyReference {
        var names: [Token]
        var next: Int
        /// `j` in `x_{t,j}`: a component of the member inside a sum over `j`.
        var component: String?
    }

    /// The value of a bound index or size symbol here.
    func indexValue(_ name: String) -> Int? { plateIndices[name] ?? scope.plate?.size(name) }

    /// Reads a member (`x_t`, `x_{t-1}`, `x_T`, `x_0`) or slice (`x_{a:b}`) of a family at
    /// `tokens[k]`, whose name is `text` (without the `d` of a differential). Records a
    /// diagnostic for an index outside the family's declared members; nil when `tokens[k]`
    /// is no family reference.
    func familyReference(at k: Int, text: String) -> FamilyReference? {
        guard let plate = scope.plate, k < tokens.count, tokens[k].isIdentifier else { return nil }
        let first = tokens[k]
        var from: AffineIndex
        var to: AffineIndex?
        var next: Int
        var component: String?
        if plate.familyIndices[text] != nil, k + 2 < tokens.count, tokens[k + 1].isSymbol("_"),
           tokens[k + 1].start == first.end, tokens[k + 2].isSymbol("{") {
            // `x_{t-1}`, `x_{a:b}`, `x_{t,j}`
            switch AffineIndex.read(tokens, from: k + 3, until: [":", "}", ","], lookup: indexValue) {
            case .failure(let e): sink.error(e.token, e.message); return nil
            case .success(let (a, i)):
                from = a; next = i
            }
            if next < tokens.count, tokens[next].isSymbol(":") {
                switch AffineIndex.read(tokens, from: next + 1, until: ["}"], lookup: indexValue) {
                case .failure(let e): sink.error(e.token, e.message); return nil
                case .success(let (b, i)): to = b; next = i
                }
            } else if next + 1 < tokens.count, tokens[next].isSymbol(","), tokens[next + 1].isIdentifier {
                component = tokens[next + 1].text
                next += 2
            }
            guard next < tokens.count, tokens[next].isSymbol("}") else {
                sink.error(next < tokens.count ? tokens[next] : first, "expected '}' to close the index of '\(first.raw)'")
                return nil
            }
            next += 1
            return resolve(first: first, stem: text, from: from, to: to, next: next, component: component)
        }
        guard let (stem, sub) = plate.split(text) else { return nil }
        if let v = Int(sub) {
            from = AffineIndex(value: v, symbols: [])
        } else if let v = indexValue(sub) {
            from = AffineIndex(value: v, symbols: [sub])
        } else if plate.isFamilyIndex(sub) || sub == plate.familyIndices[stem] {
            sink.error(first, "the index '\(sub)' of '\(first.raw)' is not bound here: write the member inside ∏_{\(sub)=…}^{…} or Σ_{\(sub)=…}^{…}")
            return nil
        } else {
            return nil
        }
        return resolve(first: first, stem: stem, from: from, to: nil, next: k + 1, component: nil)
    }

    /// The member names of a reference, each checked to be declared.
    private func resolve(first: Token, stem: String, from: AffineIndex, to: AffineIndex?, next: Int,
                         component: String?) -> FamilyReference {
        let plate = scope.plate!
        if let to, to.value - from.value >= PlateContext.maximumMembers {
            sink.error(first, "'\(spelling(indexRange(of: first, next)))' has \(to.value - from.value + 1) members at \(plate.sizeDescription); at most \(PlateContext.maximumMembers) are written out")
            return FamilyReference(names: [], next: next, component: component)
        }
        let values = to.map { from.value <= $0.value ? Array(from.value...$0.value) : [] } ?? [from.value]
        let symbolic = !(from.symbols.isEmpty && (to?.symbols.isEmpty ?? true))
        var names: [Token] = []
        // One diagnostic per reference: a slice past its family's range names its first
        // undeclared member only.
        var reportedUndeclared = false
        for v in values {
            let name = PlateContext.member(stem, v)
            if scope.declarations.variable(name) == nil, !reportedUndeclared {
                reportedUndeclared = true
                let declared = plate.declarations(of: stem)
                if symbolic {
                    sink.error(first, "index outside its range: '\(spelling(indexRange(of: first, next)))' is \(name) at \(plate.sizeDescription)\(boundDescription), but '\(stem)' is declared as \(declared)")
                } else {
                    sink.error(first, "member '\(name)' of '\(stem)' is never declared ('\(stem)' is declared as \(declared))")
                }
            }
            var t = first
            t.text = name
            t.raw = spelling(indexRange(of: first, next))
            t.end = tokens[next - 1].end
            names.append(t)
        }
        return FamilyReference(names: names, next: next, component: component)
    }

    private func indexRange(of first: Token, _ next: Int) -> Range<Int> {
        let k = tokens.firstIndex { $0.start == first.start } ?? max(0, next - 1)
        return k..<next
    }

    /// `, t = 3` for the bound indices of the enclosing products and sums, for messages.
    private var boundDescription: String {
        plateIndices.keys.sorted().map { ", \($0) = \(plateIndices[$0]!)" }.joined()
    }

    /// The variables at `pos`, consumed: a member or slice of a family, or one name.
    func takeVariables() -> [Token] {
        if let r = familyReference(at: pos, text: peek.text) {
            pos = r.next
            return r.names
        }
        return [advance()]
    }

    /// A variable name, member or slice; records `what` when there is none.
    func expectVariables(_ what: String) throws -> [Token] {
        guard peek.isIdentifier else { throw fail(peek, "expected \(what), found \(peek.quoted)") }
        return takeVariables()
    }

    // MARK: Products and sums over an index

    /// The header `_{t=a}^{b}` of a `∏` or `Σ` at `tokens[k]`: the index, its bounds at this
    /// instance, the symbols they mention and where the body starts; nil when not of that form.
    func plateHeader(at k: Int) -> (index: String, from: AffineIndex, to: AffineIndex, bodyStart: Int)? {
        guard k + 4 < tokens.count, tokens[k + 1].isSymbol("_"), tokens[k + 2].isSymbol("{"),
              tokens[k + 3].isIdentifier, tokens[k + 4].isSymbol("=") else { return nil }
        let index = tokens[k + 3].text
        guard case .success(let (a, i)) = AffineIndex.read(tokens, from: k + 5, until: ["}"], lookup: indexValue),
              i + 1 < tokens.count, tokens[i].isSymbol("}"), tokens[i + 1].isSymbol("^") else { return nil }
        var j = i + 2
        let b: AffineIndex
        if j < tokens.count, tokens[j].isSymbol("{") {
            guard case .success(let (v, e)) = AffineIndex.read(tokens, from: j + 1, until: ["}"], lookup: indexValue),
                  e < tokens.count, tokens[e].isSymbol("}") else { return nil }
            b = v; j = e + 1
        } else {
            guard case .success(let (v, e)) = AffineIndex.read(tokens, from: j, until: [], limit: j + 1, lookup: indexValue)
            else { return nil }
            b = v; j = e
        }
        return (index, a, b, j)
    }

    /// Whether the `Σ` at `tokens[k]` ranges over a family's index: its bounds mention a size
    /// or an enclosing family index, or its index is a family's `for` index.
    func isPlateSum(at k: Int) -> Bool {
        guard let plate = scope.plate, let h = plateHeader(at: k) else { return false }
        return !(h.from.symbols + h.to.symbols).isEmpty || plate.isFamilyIndex(h.index)
    }

    /// Reads the body at `bodyStart` once per index value and combines the readings; an empty
    /// range reads it once (to find where it ends) with its diagnostics dropped.
    func unrolled<T>(index: String, from: Int, to: Int, bodyStart: Int, read: () throws -> T) throws -> [T] {
        let saved = plateIndices[index]
        defer { plateIndices[index] = saved }
        if from > to {
            let mark = sink.count
            plateIndices[index] = from
            pos = bodyStart
            _ = try read()
            sink.discard(after: mark)
            return []
        }
        guard to - from < PlateContext.maximumMembers else {
            throw fail(tokens[max(0, min(bodyStart, tokens.count) - 1)],
                       "the range \(index) = \(from)..\(to) has \(to - from + 1) terms; at most \(PlateContext.maximumMembers) are written out")
        }
        var parts: [T] = []
        var end = bodyStart
        for v in from...to {
            plateIndices[index] = v
            pos = bodyStart
            parts.append(try read())
            end = pos
        }
        pos = end
        return parts
    }

    /// `∏_{t=a}^{b} F`, `prod_{t=a}^{b} F`, or a `Σ` over a family's index, at `pos`.
    func parseIndexedOperator() throws -> Expr {
        let sign = peek
        let isProduct = sign.text == "prod"
        guard let h = plateHeader(at: pos) else {
            throw fail(sign, "expected \(isProduct ? "∏" : "Σ")_{t=a}^{b} with integer or 'SYMBOL ± integer' bounds after '\(sign.raw)'")
        }
        let parts = try unrolled(index: h.index, from: h.from.value, to: h.to.value, bodyStart: h.bodyStart) {
            try parseTerm()
        }
        if isProduct { return parts.isEmpty ? .int(1) : (parts.count == 1 ? parts[0] : Expr.mul(parts)) }
        return parts.isEmpty ? .int(0) : (parts.count == 1 ? parts[0] : Expr.add(parts))
    }

    /// What an identifier means at an instance's sizes: `∏`/`Σ` over an index, a member, a
    /// size symbol or a bound index as a number; nil for anything else.
    func parsePlateIdentifier() throws -> Expr? {
        guard scope.plate != nil else { return nil }
        let t = peek
        if t.text == "prod" { return try parseIndexedOperator() }
        if t.text == "sum", isPlateSum(at: pos) { return try parseIndexedOperator() }
        if let r = familyReference(at: pos, text: t.text) {
            pos = r.next
            guard r.names.count == 1 else {
                throw fail(t, "a slice such as '\(r.names.first?.raw ?? t.raw)' stands only in the variables of a density, d(…) or E_{…}; write the member, or Σ or ∏ over it")
            }
            if let j = r.component { return .component(r.names[0].text, index: j) }
            return .symbol(r.names[0].text)
        }
        if !locals.contains(t.text), !sumIndices.contains(t.text), let v = indexValue(t.text) {
            advance()
            return .int(v)
        }
        return nil
    }

    /// One item of a factorisation: a density; `∏_{t=a}^{b}` over the factors that follow it
    /// (to the end, or to the closing parenthesis of a group); or a parenthesised group.
    func parseFactorItem() throws -> [(Density, Token)] {
        let start = peek
        if start.isWord("prod"), scope.plate != nil {
            guard let h = plateHeader(at: pos) else {
                throw fail(start, "expected ∏_{t=a}^{b} with integer or 'SYMBOL ± integer' bounds after '\(start.raw)'")
            }
            let parts = try unrolled(index: h.index, from: h.from.value, to: h.to.value, bodyStart: h.bodyStart) {
                var body: [(Density, Token)] = []
                while !atEnd, !peek.isSymbol(")") {
                    if eat("*") { continue }
                    body += try parseFactorItem()
                }
                return body
            }
            return parts.flatMap { $0 }
        }
        if start.isSymbol("(") {
            advance()
            var body: [(Density, Token)] = []
            while !atEnd, !peek.isSymbol(")") {
                if eat("*") { continue }
                body += try parseFactorItem()
            }
            try expectClosing(")", start)
            return body
        }
        return [(try parseDensity(checkMembership: false), start)]
    }
}
