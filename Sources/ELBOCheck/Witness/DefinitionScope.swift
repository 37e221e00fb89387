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
    /// Local slots handed out so far.
    private(set) var localCount = 0
    /// Nesting of `define` expansions, to stop a recursive definition.
    private var depth = 0

    /// What `enter` replaces, for `leave`.
    struct Saved {
        fileprivate var indices: [String: Int]
        fileprivate var locals: [String: Int]
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
    mutating func enter(_ def: Definition) -> (slots: [Int], saved: Saved) {
        let slots = Array(localCount..<(localCount + def.parameters.count))
        localCount += def.parameters.count
        let saved = Saved(indices: indices, locals: locals)
        locals = Dictionary(zip(def.parameters, slots), uniquingKeysWith: { a, _ in a })
        indices = [:]
        depth += 1
        return (slots, saved)
    }

    /// Closes the body `enter` opened.
    mutating func leave(_ saved: Saved) {
        (indices, locals) = (saved.indices, saved.locals)
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
