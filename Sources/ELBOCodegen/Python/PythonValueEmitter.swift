/// Writes values of the kernel IR as array statements of one Python framework.
///
/// A value at loop path P (the loops the Swift kernel computes it in) becomes an array with
/// a leading batch axis and one axis per level of P, broadcast (size 1) along the levels it
/// does not vary with: `u` read inside the loop over mixture components becomes
/// `u[:, None, :]`, a mixture mean `entry(M, i, j)` becomes `M[None, :, :]`. A value used
/// inside a deeper loop gets trailing axes (`[..., None]`); a reduction over a level is a
/// reduction over the last axis. Values that are only numbers (literals, dimension sizes,
/// scalar parameters) stay unindexed and broadcast as they are.
///
/// Reductions, values used more than once and the roots get named statements (named for
/// what they compute: `sum_softplus_f`, `logsumexp_a`), each under a comment with the term
/// of the loss it came from; other values are written inline.
struct PythonValueEmitter {
    let graph: KernelGraph
    let backend: PythonBackend
    /// The Python name of every input and parameter argument.
    let argumentNames: [String: String]
    /// The Python name of every dimension size.
    let dimensionNames: [String: String]
    var names: PythonNameTable

    /// Dimension sizes the statements read, so the caller defines exactly those.
    private(set) var usedDimensions = Set<String>()
    /// Inputs and parameters the statements read.
    private(set) var usedArguments = Set<String>()

    /// A Python expression and how tightly it binds, for parenthesising.
    struct Code {
        var text: String
        var precedence: Int
        static let atom = 100, power = 90, unary = 80, product = 70, sum = 60
    }

    private var code: [ValueID: Code] = [:]
    private var numbersOnly: [ValueID: Bool] = [:]
    private var varies: [ValueID: Set<LoopLevel>] = [:]
    private var baseNames: [ValueID: String] = [:]

    /// An operation with no Python spelling, or an IR shape the array form cannot express.
    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    init(graph: KernelGraph, backend: PythonBackend, argumentNames: [String: String],
         dimensionNames: [String: String], names: PythonNameTable) {
        self.graph = graph; self.backend = backend; self.argumentNames = argumentNames
        self.dimensionNames = dimensionNames; self.names = names
    }

    /// The statements that compute each root into the variable given with it, in order
    /// (indented by the caller).
    mutating func statements(for roots: [(value: ValueID, variable: String)]) throws -> [String] {
        let rootSet = Set(roots.map(\.value))
        let closure = graph.closure(of: roots.map(\.value))
        var uses: [ValueID: Int] = [:]
        var inSum = Set<ValueID>()
        for id in closure {
            for a in graph[id].args { uses[a, default: 0] += 1 }
            if Self.isSumOrDifference(graph[id].op) { inSum.formUnion(graph[id].args) }
        }
        var lines: [String] = []
        for id in closure {
            let node = graph[id]
            let expression = try spell(id)
            let isReduction = node.op.reducedLevel != nil
            let shared = !node.op.isLeaf && graph.constantValue(id) == nil && uses[id, default: 0] > 1
            // A long expression gets a name, unless it is a term of a longer sum: a sum is
            // written whole and wrapped one term to a line.
            let long = expression.text.count > 60 && !(Self.isSumOrDifference(node.op) && inSum.contains(id))
            guard rootSet.contains(id) || isReduction || shared || long else {
                code[id] = expression
                continue
            }
            let variable = roots.first { $0.value == id }?.variable ?? names.unique(baseName(id))
            // A root's term is the whole loss or sampler, which the docstring already shows.
            if !rootSet.contains(id), let label = graph.labels[id], label != expression.text {
                lines += PythonText.comment(label)
            }
            lines += PythonText.assignment(variable, expression.text)
            code[id] = Code(text: variable, precedence: Code.atom)
        }
        return lines
    }

    static func isSumOrDifference(_ op: KernelOp) -> Bool {
        switch op {
        case .add, .sub, .neg: return true
        default: return false
        }
    }

    // MARK: Spelling one value

    mutating func spell(_ id: ValueID) throws -> Code {
        let node = graph[id]
        switch node.op {
        case .constant(let c):
            numbersOnly[id] = true
            varies[id] = []
            let text = PythonText.literal(c)
            return Code(text: text, precedence: c < 0 ? Code.unary : Code.atom)
        case .dimension(let d):
            numbersOnly[id] = true
            varies[id] = []
            return Code(text: dimension(d), precedence: Code.atom)
        case .input(let n, let levels):
            usedArguments.insert(n)
            numbersOnly[id] = false
            varies[id] = Set(levels)
            return Code(text: try indexed(n, levels: levels, path: node.path, batchAxis: ":"), precedence: Code.atom)
        case .param(let n, let levels):
            usedArguments.insert(n)
            numbersOnly[id] = node.path.isEmpty
            varies[id] = Set(levels)
            return Code(text: try indexed(n, levels: levels, path: node.path, batchAxis: "None"), precedence: Code.atom)
        case .seed, .incomingGradient:
            throw Unsupported(description: "\(node.op.name) belongs to the gradient, which the framework derives itself")
        case .sum(let level), .logsumexp(let level):
            let body = node.args[0]
            numbersOnly[id] = false
            varies[id] = varies[body, default: []].subtracting([level])
            let inner = code[body]!
            let isSum: Bool
            if case .sum = node.op { isSum = true } else { isSum = false }
            if !varies[body, default: []].contains(level) {
                // Constant along the level (broadcast there): Σ c = n·c, log Σ exp c = c + log n.
                let first = wrap(inner, below: Code.atom) + "[..., 0]"
                let n = dimension(level.dimension)
                return isSum ? Code(text: "\(n) * \(first)", precedence: Code.product)
                    : Code(text: "\(first) + \(backend.call("log", [n]))", precedence: Code.sum)
            }
            return Code(text: isSum ? backend.sumLastAxis(inner.text) : backend.logSumExpLastAxis(inner.text),
                        precedence: Code.atom)
        default:
            break
        }
        numbersOnly[id] = node.args.allSatisfy { numbersOnly[$0] == true }
        varies[id] = node.args.reduce(into: Set<LoopLevel>()) { $0.formUnion(varies[$1, default: []]) }
        let args = node.args.map { broadcast($0, to: node.path) }
        switch node.op {
        case .add: return binary(args[0], "+", args[1], Code.sum)
        case .sub: return binary(args[0], "-", args[1], Code.sum)
        case .mul: return binary(args[0], "*", args[1], Code.product)
        case .div: return binary(args[0], "/", args[1], Code.product)
        case .neg: return Code(text: "-" + wrap(args[0], below: Code.unary + 1), precedence: Code.unary)
        case .powInt(let n): return power(args[0], PythonText.literal(Double(n)))
        case .powReal(let r): return power(args[0], PythonText.literal(r))
        default:
            guard let text = backend.function(node.op, args.map(\.text)) else {
                throw Unsupported(description: "no \(backend.displayName) form for \(node.op.name)")
            }
            return Code(text: text, precedence: Code.atom)
        }
    }

    /// `a op b`, parenthesised so that Python evaluates it in the IR's order.
    func binary(_ a: Code, _ op: String, _ b: Code, _ precedence: Int) -> Code {
        Code(text: wrap(a, below: precedence) + " \(op) " + wrap(b, below: precedence + 1), precedence: precedence)
    }

    func power(_ base: Code, _ exponent: String) -> Code {
        let e = exponent.hasPrefix("-") ? "(\(exponent))" : exponent
        return Code(text: wrap(base, below: Code.power + 1) + " ** " + e, precedence: Code.power)
    }

    func wrap(_ c: Code, below precedence: Int) -> String {
        c.precedence < precedence ? "(\(c.text))" : c.text
    }

    /// The code of `id` with a trailing axis for every level of `path` it lacks.
    func broadcast(_ id: ValueID, to path: [LoopLevel]) -> Code {
        let c = code[id]!
        let missing = path.count - graph[id].path.count
        guard missing > 0, numbersOnly[id] != true else { return c }
        return Code(text: wrap(c, below: Code.atom) + "[..., " + Array(repeating: "None", count: missing).joined(separator: ", ") + "]",
                    precedence: Code.atom)
    }

    /// `x`, `u[:, None, :]`, `M[None, :, :]`: an argument laid out along the batch axis and
    /// the levels of `path`.
    func indexed(_ name: String, levels: [LoopLevel], path: [LoopLevel], batchAxis: String) throws -> String {
        guard let argument = argumentNames[name] else {
            throw Unsupported(description: "'\(name)' is not an argument of the exported function")
        }
        let positions = levels.map { path.firstIndex(of: $0) ?? -1 }
        guard !positions.contains(-1), positions == positions.sorted() else {
            throw Unsupported(description: "'\(name)' is indexed in another order than its loops")
        }
        if path.isEmpty { return argument }
        let axes = [batchAxis] + path.map { levels.contains($0) ? ":" : "None" }
        if axes.allSatisfy({ $0 == ":" }) { return argument }
        return argument + "[" + axes.joined(separator: ", ") + "]"
    }

    mutating func dimension(_ d: String) -> String {
        if Int(d) != nil { return d }
        usedDimensions.insert(d)
        return dimensionNames[d] ?? d
    }

    // MARK: Names that say what a value is

    /// `sum_softplus_f`, `exp_s`, `xhat_minus_x_sq`; `term` or `sum_over_m` when the
    /// description would be too long to read.
    mutating func baseName(_ id: ValueID) -> String {
        if let n = baseNames[id] { return n }
        let node = graph[id]
        let a = node.args.map { baseName($0) }
        var name: String
        switch node.op {
        case .constant: name = "c"
        case .input(let n, _), .param(let n, _): name = n
        case .dimension(let d): name = d
        case .seed: name = "seed"
        case .incomingGradient(let n, _): name = "d_" + n
        case .add: name = a[0] + "_plus_" + a[1]
        case .sub: name = a[0] + "_minus_" + a[1]
        case .mul:
            if graph.constantValue(node.args[0]) != nil { name = a[1] }
            else if graph.constantValue(node.args[1]) != nil { name = a[0] }
            else { name = a[0] + "_times_" + a[1] }
        case .div: name = a[0] + "_over_" + a[1]
        case .neg: name = "neg_" + a[0]
        case .powInt(2): name = a[0] + "_sq"
        case .powInt(let n): name = a[0] + (n < 0 ? "_pow_minus\(-n)" : "_pow\(n)")
        case .powReal: name = a[0] + "_pow"
        case .sum(let l): name = "sum_" + a[0]
            if name.count > 40 { name = "sum_over_" + l.dimension }
        case .logsumexp(let l): name = "logsumexp_" + a[0]
            if name.count > 40 { name = "logsumexp_over_" + l.dimension }
        case .ifNonNegative: name = "selected"
        case .sqrt, .log, .exp, .softplus, .sigmoid, .logsigmoid, .log1p, .expm1, .log1pUnit, .expNegAbs, .abs, .relu:
            name = node.op.name + "_" + a[0]
        }
        if name.count > 40 { name = "term" }
        baseNames[id] = name
        return name
    }
}
