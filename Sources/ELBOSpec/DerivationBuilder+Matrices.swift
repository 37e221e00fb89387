import ELBOAlgebra

extension DerivationBuilder {
    /// `spd`, `sym` or `lower` after a square matrix's shape (`param S[m, m] spd`), if present;
    /// a structure on anything but a square matrix is an error.
    func parseMatrixStructure(_ p: ExprParser, _ name: Token, _ shape: [Dimension]) throws -> MatrixStructure? {
        guard p.peek.isIdentifier, let structure = MatrixStructure(rawValue: p.peek.text) else { return nil }
        let t = p.advance()
        guard shape.count == 2, shape[0] == shape[1] else {
            throw p.fail(t, "'\(t.raw)' needs a square matrix: declare \(name.raw)[d, d] \(t.raw)")
        }
        return structure
    }
}
