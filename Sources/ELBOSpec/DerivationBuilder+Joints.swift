import ELBOAlgebra

/// `model` and `guide` declarations and the checks on their factorisations.
extension DerivationBuilder {
    /// A joint whose head is declared and whose factors are still to be read.
    struct PendingFactors {
        let parser: ExprParser
        let nameToken: Token
        let index: Int
    }

    /// `model NAME(VARS | INPUTS) = FACTOR FACTOR …`; without `= …` the joint is unstructured.
    /// Declares the joint and returns what is needed to read its factors once every joint is
    /// known.
    func parseJointHead(_ chunk: Chunk) throws -> PendingFactors? {
        let kind: JointKind = chunk.keyword.text == "guide" ? .guide : .model
        guard bracketsBalance(chunk.body) else { return nil }
        let p = parser(chunk.body, after: chunk.keyword)
        let nameTok = try p.expectIdentifier("a \(kind.rawValue) name such as p_theta")
        let name = nameTok.text.split(separator: "_").first.map(String.init) ?? nameTok.text
        let open = try p.expect("(", "after the \(kind.rawValue) name")
        var vars: [Token] = []
        var inputs: [Token] = []
        repeat { vars += try p.expectVariables("a variable name") } while p.eat(",")
        if p.eat("|") {
            repeat { inputs += try p.expectVariables("a variable name") } while p.eat(",")
        }
        try p.expectClosing(")", open)

        var seen: Set<String> = []
        for v in vars + inputs {
            if decls.variable(v.text) == nil {
                sink.error(v, "unknown variable '\(v.raw)' in \(kind.rawValue) '\(name)'")
            }
            if !seen.insert(v.text).inserted {
                sink.error(v, "variable '\(v.raw)' appears twice in \(kind.rawValue) '\(name)'")
            }
        }
        guard declare(nameTok, as: "a \(kind.rawValue)", key: name) else { return nil }
        decls.joints.append(Joint(kind: kind, name: name, variables: vars.map(\.text), given: inputs.map(\.text), factors: nil))
        guard p.eat("=") else {
            expectEnd(p, "the \(kind.rawValue) declaration")
            return nil
        }
        if p.atEnd { throw p.fail(p.tokens[p.pos - 1], "expected the factors of '\(name)' after '='") }
        return PendingFactors(parser: parser(Array(p.tokens[p.pos...]), after: p.tokens[p.pos - 1]),
                              nameToken: nameTok, index: decls.joints.count - 1)
    }

    /// The factors of a joint: densities, juxtaposed or joined by `*`.
    func parseFactors(_ pending: PendingFactors) throws {
        let p = pending.parser
        p.scope = scope()
        var factors: [(Density, Token)] = []
        while !p.atEnd {
            if p.eat("*") { continue }
            factors += try p.parseFactorItem()
        }
        decls.joints[pending.index].factors = factors.map(\.0)
        validateFactorisation(decls.joints[pending.index], factors: factors, nameToken: pending.nameToken)
    }

    /// The factors' left sides must partition the joint's variables, they may condition only
    /// on the joint's variables and inputs, and the graph they define must be acyclic.
    func validateFactorisation(_ joint: Joint, factors: [(Density, Token)], nameToken: Token) {
        let members = Set(joint.variables)
        let inputs = Set(joint.given)
        var owner: [String: Density] = [:]
        for (d, tok) in factors {
            if d.joint != joint.name {
                sink.error(tok, "factor \(d) of \(joint.kind.rawValue) '\(joint.name)' is a density of '\(d.joint)'")
                continue
            }
            for v in d.variables {
                if inputs.contains(v) {
                    sink.error(tok, "factors of '\(joint.name)' do not partition its variables: '\(v)' is an input of '\(joint.name)' and cannot be on the left of \(d)")
                } else if !members.contains(v) {
                    if decls.variable(v) != nil {
                        sink.error(tok, "factors of '\(joint.name)' do not partition its variables: \(d) is over '\(v)', which '\(joint.name)' does not declare")
                    }
                } else if let other = owner[v] {
                    sink.error(tok, "factors of '\(joint.name)' do not partition its variables: '\(v)' is on the left of both \(other) and \(d)")
                } else {
                    owner[v] = d
                }
            }
            for g in d.given where !members.contains(g) && !inputs.contains(g) && decls.variable(g) != nil {
                sink.error(tok, "factor \(d) conditions on '\(g)', which \(joint.kind.rawValue) '\(joint.name)' does not declare")
            }
        }
        let missing = joint.variables.filter { owner[$0] == nil }
        if !missing.isEmpty {
            sink.error(nameToken, "factors of '\(joint.name)' do not partition its variables: \(missing.map { "'\($0)'" }.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") on the left of no factor")
        }
        if let cycle = findCycle(factors.map(\.0).filter { $0.joint == joint.name }, members: members) {
            sink.error(nameToken, "factors of '\(joint.name)' form a cycle: \(cycle.joined(separator: " → "))")
        }
    }

    /// A directed cycle among the joint's variables (edges from conditioning variables to the
    /// variables they condition), as a closed path, or nil.
    func findCycle(_ factors: [Density], members: Set<String>) -> [String]? {
        var edges: [String: [String]] = [:]
        for d in factors {
            for g in d.given where members.contains(g) {
                for v in d.variables { edges[g, default: []].append(v) }
            }
        }
        var state: [String: Int] = [:]  // 1 on the stack, 2 done
        var stack: [String] = []
        func visit(_ v: String) -> [String]? {
            state[v] = 1
            stack.append(v)
            for w in edges[v] ?? [] {
                if state[w] == 1, let i = stack.firstIndex(of: w) { return Array(stack[i...]) + [w] }
                if state[w] == nil, let c = visit(w) { return c }
            }
            stack.removeLast()
            state[v] = 2
            return nil
        }
        for v in members.sorted() where state[v] == nil {
            if let c = visit(v) { return c }
        }
        return nil
    }
}
