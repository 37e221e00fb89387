import ELBOAlgebra

/// The algebra's `Comparison`, named apart from Foundation's.
typealias ELBOAlgebraComparison = ELBOAlgebra.Comparison
