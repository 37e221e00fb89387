import Foundation

/// The kernel IR: an arena of SSA values, hash-consed so that building the same value twice
/// gives the same id (common subexpressions are shared across the forward and backward
/// passes), with constructors that fold constants and drop identities.
///
/// Every value lives at a loop path. A leaf sits at the shortest prefix of the current loop
/// nest that contains its component's levels (so loop-invariant loads are hoisted); any
/// other value sits at the deepest path of its arguments; a reduction removes its level.
public struct KernelGraph: Sendable {
    /// The values, in creation order: arguments always precede their users.
    public private(set) var nodes: [KernelNode] = []
    private var ids: [KernelNode: ValueID] = [:]
    /// Source terms of values built from the loss, for comments in generated code.
    public var labels: [ValueID: String] = [:]
    /// A readable index name per loop level (`j`), from the sums of the source.
    public var indexNames: [LoopLevel: String] = [:]

    public init() {}

    public subscript(_ id: ValueID) -> KernelNode { nodes[id] }

    /// The literal value of `id`, if it is a constant.
    public func constantValue(_ id: ValueID) -> Double? {
        if case .constant(let c) = nodes[id].op { return c }
        return nil
    }

    func isConstant(_ id: ValueID, _ c: Double) -> Bool { constantValue(id) == c }

    mutating func intern(_ op: KernelOp, _ args: [ValueID], path: [LoopLevel]) -> ValueID {
        let node = KernelNode(op: op, args: args, path: path)
        if let id = ids[node] { return id }
        nodes.append(node)
        ids[node] = nodes.count - 1
        return nodes.count - 1
    }

    // MARK: Leaves

    /// A literal.
    public mutating func constant(_ c: Double) -> ValueID { intern(.constant(c == 0 ? 0 : c), [], path: []) }

    /// A leaf at the shortest prefix of `context` that contains the levels it is indexed by.
    public mutating func leaf(_ op: KernelOp, context: [LoopLevel] = []) -> ValueID {
        precondition(op.isLeaf, "KernelGraph.leaf: \(op.name) is not a leaf")
        let levels: [LoopLevel]
        switch op {
        case .input(_, let ls), .param(_, let ls), .incomingGradient(_, let ls): levels = ls
        case .dimension(let d):
            if let n = Int(d) { return constant(Double(n)) }
            levels = []
        default: levels = []
        }
        var depth = 0
        for l in levels {
            guard let i = context.firstIndex(of: l) else {
                preconditionFailure("KernelGraph.leaf: level \(l) of \(op.name) is not in the loop nest \(context)")
            }
            depth = max(depth, i + 1)
        }
        return intern(op, [], path: Array(context.prefix(depth)))
    }

    // MARK: Operations

    /// Applies a non-leaf op, simplifying: constants fold, identities drop, and a few
    /// inverse pairs cancel (log∘exp, exp∘log, √∘exp).
    public mutating func apply(_ op: KernelOp, _ args: [ValueID]) -> ValueID {
        precondition(!op.isLeaf, "KernelGraph.apply: \(op.name) is a leaf")
        if op.reducedLevel == nil, args.allSatisfy({ constantValue($0) != nil }),
           let v = KernelEvaluator.pointwise(op, args.map { constantValue($0)! }), v.isFinite {
            return constant(v)
        }
        switch op {
        case .add: return add(args[0], args[1])
        case .sub: return sub(args[0], args[1])
        case .mul: return mul(args[0], args[1])
        case .div: return div(args[0], args[1])
        case .neg: return neg(args[0])
        case .powInt(let n): return powInt(args[0], n)
        case .powReal(let r): return powReal(args[0], r)
        case .sum(let l), .logsumexp(let l): return reduce(op, level: l, args[0])
        case .log:
            if case .exp = nodes[args[0]].op { return nodes[args[0]].args[0] }
        case .exp:
            if case .log = nodes[args[0]].op { return nodes[args[0]].args[0] }
        case .sqrt:
            if case .exp = nodes[args[0]].op { return exp(mul(constant(0.5), nodes[args[0]].args[0])) }
        default: break
        }
        return make(op, args)
    }

    /// Interns without simplification, at the deepest argument path.
    mutating func make(_ op: KernelOp, _ args: [ValueID]) -> ValueID {
        var path: [LoopLevel] = []
        for a in args {
            let p = nodes[a].path
            if p.count > path.count {
                precondition(Array(p.prefix(path.count)) == path, "KernelGraph: paths \(path) and \(p) are not nested")
                path = p
            } else {
                precondition(Array(path.prefix(p.count)) == p, "KernelGraph: paths \(path) and \(p) are not nested")
            }
        }
        return intern(op, args, path: path)
    }

    /// Orders the arguments of a commutative op (constants first, then by id), so that a·b
    /// and b·a are one value.
    func ordered(_ a: ValueID, _ b: ValueID) -> (ValueID, ValueID) {
        let ca = constantValue(a) != nil, cb = constantValue(b) != nil
        if ca != cb { return ca ? (a, b) : (b, a) }
        return a <= b ? (a, b) : (b, a)
    }

    public mutating func add(_ a: ValueID, _ b: ValueID) -> ValueID {
        if let x = constantValue(a), let y = constantValue(b) { return constant(x + y) }
        if isConstant(a, 0) { return b }
        if isConstant(b, 0) { return a }
        if case .neg = nodes[b].op { return sub(a, nodes[b].args[0]) }
        if case .neg = nodes[a].op { return sub(b, nodes[a].args[0]) }
        if let (f, x, y) = commonFactor(a, b) { return mul(f, add(x, y)) }
        if let (f, x, y) = commonFactor(a, b, negated: true) { return mul(f, sub(x, y)) }
        if let (f, x, y) = commonFactor(b, a, negated: true) { return mul(f, sub(x, y)) }
        let (x, y) = ordered(a, b)
        return make(.add, [x, y])
    }

    public mutating func sub(_ a: ValueID, _ b: ValueID) -> ValueID {
        if let x = constantValue(a), let y = constantValue(b) { return constant(x - y) }
        if isConstant(b, 0) { return a }
        if isConstant(a, 0) { return neg(b) }
        if a == b { return constant(0) }
        if case .neg = nodes[b].op { return add(a, nodes[b].args[0]) }
        if let (f, x, y) = commonFactor(a, b) { return mul(f, sub(x, y)) }
        if let (f, x, y) = commonFactor(a, b, negated: true) { return mul(f, add(x, y)) }
        if let (f, x, y) = commonFactor(b, a, negated: true) { return neg(mul(f, add(x, y))) }
        return make(.sub, [a, b])
    }

    public mutating func mul(_ a: ValueID, _ b: ValueID) -> ValueID {
        if let x = constantValue(a), let y = constantValue(b) { return constant(x * y) }
        let (c, e) = ordered(a, b)
        if let k = constantValue(c) {
            if k == 0 { return constant(0) }
            if k == 1 { return e }
            if k == -1 { return neg(e) }
            switch nodes[e].op {
            case .neg: return mul(constant(-k), nodes[e].args[0])
            case .mul:
                if let k2 = constantValue(nodes[e].args[0]) { return mul(constant(k * k2), nodes[e].args[1]) }
            default: break
            }
            return make(.mul, [c, e])
        }
        // Pull a negation out, unless it sits on the factor computed outside the other's loop
        // (where `neg` puts it on purpose).
        if case .neg = nodes[a].op, nodes[a].path.count >= nodes[b].path.count { return neg(mul(nodes[a].args[0], b)) }
        if case .neg = nodes[b].op, nodes[b].path.count >= nodes[a].path.count { return neg(mul(a, nodes[b].args[0])) }
        // k·(c·y) with k computed outside y's loop: (c·k)·y, so the constant is applied once.
        for (p, q) in [(a, b), (b, a)] {
            if case .mul = nodes[q].op, let k = constantValue(nodes[q].args[0]),
               nodes[p].path.count < nodes[nodes[q].args[1]].path.count {
                return mul(mul(constant(k), p), nodes[q].args[1])
            }
        }
        return make(.mul, [c, e])
    }

    /// (f, x, y) when a = f·x and b = f·y (or b = (−f)·y when `negated`): sums of products
    /// with a common factor are factored, which turns σ·s − x·s of a Bernoulli gradient
    /// into (σ − x)·s.
    func commonFactor(_ a: ValueID, _ b: ValueID, negated: Bool = false) -> (ValueID, ValueID, ValueID)? {
        guard case .mul = nodes[a].op, case .mul = nodes[b].op else { return nil }
        let (a0, a1) = (nodes[a].args[0], nodes[a].args[1])
        let (b0, b1) = (nodes[b].args[0], nodes[b].args[1])
        func same(_ f: ValueID, _ g: ValueID) -> Bool {
            guard negated else { return f == g }
            if case .neg = nodes[g].op { return nodes[g].args[0] == f }
            return false
        }
        if same(a0, b0) { return (a0, a1, b1) }
        if same(a0, b1) { return (a0, a1, b0) }
        if same(a1, b0) { return (a1, a0, b1) }
        if same(a1, b1) { return (a1, a0, b0) }
        return nil
    }

    public mutating func div(_ a: ValueID, _ b: ValueID) -> ValueID {
        if let x = constantValue(a), let y = constantValue(b), y != 0 { return constant(x / y) }
        if isConstant(a, 0) { return constant(0) }
        if let y = constantValue(b), y != 0 {
            let r = 1 / y
            // Multiply by the reciprocal only when it is exact (a power of two).
            if r * y == 1, y.significandBitPattern == 0 { return mul(constant(r), a) }
            return make(.div, [a, b])
        }
        if a == b { return constant(1) }
        return make(.div, [a, b])
    }

    public mutating func neg(_ a: ValueID) -> ValueID {
        if let x = constantValue(a) { return constant(-x) }
        switch nodes[a].op {
        case .neg: return nodes[a].args[0]
        case .sub: return make(.sub, [nodes[a].args[1], nodes[a].args[0]])
        case .mul:
            let (x, y) = (nodes[a].args[0], nodes[a].args[1])
            if let k = constantValue(x) { return mul(constant(-k), y) }
            // Negate the factor computed outside the other's loop.
            if nodes[x].path.count < nodes[y].path.count { return mul(neg(x), y) }
            if nodes[y].path.count < nodes[x].path.count { return mul(x, neg(y)) }
        default: break
        }
        return make(.neg, [a])
    }

    public mutating func powInt(_ a: ValueID, _ n: Int) -> ValueID {
        if n == 0 { return constant(1) }
        if n == 1 { return a }
        if n == -1 { return div(constant(1), a) }
        if let x = constantValue(a) { return constant(Foundation.pow(x, Double(n))) }
        if case .exp = nodes[a].op { return exp(mul(constant(Double(n)), nodes[a].args[0])) }
        return make(.powInt(n), [a])
    }

    public mutating func powReal(_ a: ValueID, _ r: Double) -> ValueID {
        if r == r.rounded(), abs(r) < 1e9 { return powInt(a, Int(r)) }
        if r == 0.5 { return apply(.sqrt, [a]) }
        if r == -0.5 { return div(constant(1), apply(.sqrt, [a])) }
        if case .exp = nodes[a].op { return exp(mul(constant(r), nodes[a].args[0])) }
        return make(.powReal(r), [a])
    }

    public mutating func exp(_ a: ValueID) -> ValueID { apply(.exp, [a]) }
    public mutating func log(_ a: ValueID) -> ValueID { apply(.log, [a]) }

    /// A reduction over `level` of `body`. A body that does not vary along the level is
    /// reduced in closed form: Σ c = n·c, log Σ exp c = c + log n.
    public mutating func reduce(_ op: KernelOp, level: LoopLevel, _ body: ValueID) -> ValueID {
        let path = nodes[body].path
        if path.last != level {
            precondition(!path.contains(level), "KernelGraph.reduce: level \(level) is not innermost in \(path)")
            let n = leaf(.dimension(level.dimension))
            switch op {
            case .sum: return mul(n, body)
            case .logsumexp: return add(body, log(n))
            default: preconditionFailure("KernelGraph.reduce: \(op.name) is not a reduction")
            }
        }
        return intern(op, [body], path: Array(path.dropLast()))
    }

    /// Every value `roots` depend on (themselves included), ascending.
    public func closure(of roots: [ValueID]) -> [ValueID] {
        var seen = Set<ValueID>()
        var stack = roots
        while let v = stack.popLast() {
            if seen.insert(v).inserted { stack.append(contentsOf: nodes[v].args) }
        }
        return seen.sorted()
    }

    /// A one-line-per-value dump, for tests and debugging.
    public func dump(_ roots: [ValueID]) -> String {
        closure(of: roots).map { id in
            let n = nodes[id]
            let args = n.args.map { "%\($0)" }.joined(separator: ", ")
            let path = n.path.isEmpty ? "" : "  @\(n.path.map(\.description).joined(separator: "/"))"
            return "%\(id) = \(n.op.name)(\(args))\(path)"
        }.joined(separator: "\n")
    }
}
