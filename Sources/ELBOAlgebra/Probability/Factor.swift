/// Identifies one factor of a joint: a declared conditional, the unstructured joint itself,
/// or the arbitrary root distribution of the joint's inputs.
public struct FactorID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The joint's name (`p`, `q`).
    public var joint: String
    /// Position in the (possibly assumption-modified) factor list; `-1` is the inputs' root.
    public var index: Int
    /// Disambiguates factors rebuilt by an assumption from the declared ones.
    public var variant: String

    public init(joint: String, index: Int, variant: String = "") {
        self.joint = joint; self.index = index; self.variant = variant
    }
    public static func < (a: FactorID, b: FactorID) -> Bool {
        (a.joint, a.index, a.variant) < (b.joint, b.index, b.variant)
    }
    public var description: String { "\(joint)#\(index)\(variant)" }
}

/// One conditional density of a factorised joint: children given parents.
public struct Factor: Hashable, Sendable {
    public var id: FactorID
    public var children: Set<String> { didSet { variables = children.union(parents) } }
    public var parents: Set<String> { didSet { variables = children.union(parents) } }
    /// How reports print the factor, e.g. `p(x | z_l, z_u)`.
    public var label: String
    /// True for the arbitrary distribution of a joint's inputs: it is no learnable quantity.
    public var isInputRoot: Bool
    /// True when an assumption made this factor a point mass.
    public var isDeterministic: Bool

    /// All variables the factor mentions (kept with children and parents: the normaliser
    /// asks for it in its innermost loops).
    public private(set) var variables: Set<String>

    public init(id: FactorID, children: Set<String>, parents: Set<String>, label: String, isInputRoot: Bool,
                isDeterministic: Bool) {
        self.id = id
        self.children = children
        self.parents = parents
        self.label = label
        self.isInputRoot = isInputRoot
        self.isDeterministic = isDeterministic
        variables = children.union(parents)
    }
}
