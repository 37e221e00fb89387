import ELBOAlgebra

/// The names a witness compiler resolves while it compiles a term: the summation indices in
/// scope, the parameters of the `define` being expanded, and the local slots handed out so far.
/// Shared by the finite and the Gaussian witness compilers, which differ in the nodes they
/// build, not in how `define`s and indices are scoped.
struct DefinitionScope {
    /// Summation index name → index slot.
    var indices: [String: Int] = [:]
    /// `define` parameter name → local slot (inside a definition's body only).
    var locals: [String: Int] = [:]
    /// Declared variables that a parameter of the `define` being expanded rebinds to another
    /// value (`f(z = mu + sigma eps)` for `define f(z) = log p(x | z)`), to its local slot: a
    /// density over such a variable in the body is that density at the point.
    var rebound: [String: Int] = [:]
    /// Local slots handed out so far.
    private(set) var localCount = 0
    /// Nesting of `define` expansions, to stop a recursive definition.
    private var depth = 0

    /// What `enter` replaces, for `leave`.
    struct Saved {
        fileprivate var indices: [String: Int]
        fileprivate var locals: [String: Int]
        fileprivate var rebound: [String: Int]
    }

    /// A component index: a summation index in scope, a literal, or a dimension's last
    /// component.
    func index(_ name: String, dimensionSlot: [String: Int]) throws -> WitnessIndex {
        if let j = indices[name] { return .index(j) }
        if let n = Int(name) { return .fixed(n) }
        if let d = dimensionSlot[name] { return .dimension(d) }
        throw WitnessUnsupported("component index '\(name)' outside a sum over it")
    }

    /// Throws unless `def` can be expanded with `arguments` arguments here.
    func check(_ def: Definition, arguments: Int) throws {
        guard arguments == def.parameters.count else {
            throw WitnessUnsupported("\(def.name) applied to \(arguments) arguments, defined with \(def.parameters.count)")
        }
        guard depth < 32 else { throw WitnessUnsupported("recursive define '\(def.name)'") }
    }

    /// Opens the body of `def`: fresh local slots for its parameters (returned, in order),
    /// and no summation indices of the caller (a definition's body cannot see them).
    /// A parameter named like a declared variable (`isVariable`) whose argument is not that
    /// variable itself rebinds it (`rebound`).
    mutating func enter(_ def: Definition, arguments: [Expr], isVariable: (String) -> Bool) -> (slots: [Int], saved: Saved) {
        let slots = Array(localCount..<(localCount + def.parameters.count))
        localCount += def.parameters.count
        let saved = Saved(indices: indices, locals: locals, rebound: rebound)
        locals = Dictionary(zip(def.parameters, slots), uniquingKeysWith: { a, _ in a })
        rebound = [:]
        for (p, (a, slot)) in zip(def.parameters, zip(arguments, slots)) where isVariable(p) && a != .symbol(p) {
            rebound[p] = slot
        }
        indices = [:]
        depth += 1
        return (slots, saved)
    }

    /// Closes the body `enter` opened.
    mutating func leave(_ saved: Saved) {
        (indices, locals, rebound) = (saved.indices, saved.locals, saved.rebound)
        depth -= 1
    }

    /// The variable slots of `∫ … d(names)`, without repeats, in order.
    static func integrationSlots(_ names: [String], variableSlot: [String: Int]) throws -> [Int] {
        var slots: [Int] = []
        for n in names {
            guard let s = variableSlot[n] else {
                throw WitnessUnsupported("integral over '\(n)', which is not a declared variable")
            }
            if !slots.contains(s) { slots.append(s) }
        }
        return slots
    }
}
