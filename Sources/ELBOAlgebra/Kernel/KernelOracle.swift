/// What the kernel relies on without checking it. Everything else in a certificate the kernel
/// checks itself (see `Kernel`).
///
/// The oracle is a function, not a search: it computes the normal form of an expression or
/// of a monomial (the normaliser's canonicalisation: factor graph, integration, the exact ring
/// normaliser of the scalar layer), says whether a normal form mentions learnable quantities,
/// which variables are discrete, and runs the scalar layer's non-negativity certificate.
public protocol KernelOracle {
    /// The normal form of `e`; nil when it has none (an error, an exhausted budget, a refusal).
    mutating func normalForm(of e: Expr) -> NormalForm?
    /// The canonical form of one monomial (integration of its measure over its bound variables).
    mutating func canonical(_ m: Monomial) -> Monomial
    /// Whether `n` is free of learnable quantities (for `≃` and `∝`).
    func isFreeOfLearnables(_ n: NormalForm) -> Bool
    /// Whether `variable` is declared discrete.
    func isDiscrete(_ variable: String) -> Bool
    /// The variables on the left of the densities of `measure`.
    func leftVariables(of measure: Expr) -> [String]?
    /// The rules of the scalar layer's certificate that `n` (a purely scalar form) is ≥ 0.
    mutating func scalarCertificate(of n: NormalForm) -> [Rule]?
    /// The canonical product of two normal forms (a constant weight times a term).
    mutating func product(_ a: NormalForm, _ b: NormalForm) -> NormalForm?
    /// The declarations (for the statement of Jensen's rule for mixture families).
    var declarations: Declarations { get }
}
