// Tensor-level wrappers over `gemm` for 2-D tensors (a batch of rows times a weight matrix).

extension Tensor {
    /// The (rows, columns) of a rank-2 tensor, or of a rank-1 tensor as a single row.
    var matrixShape: (rows: Int, columns: Int) {
        precondition(rank == 2 || rank == 1, "Tensor: matrix expected, got shape \(shape)")
        return rank == 2 ? (shape[0], shape[1]) : (1, shape[0])
    }
}

/// `C = alpha · op(A) · op(B) + beta · C` on rank-2 tensors; C must already have shape m×n.
public func gemm(
    _ a: Tensor, _ transA: Transpose, _ b: Tensor, _ transB: Transpose,
    alpha: Float = 1, beta: Float = 0, into c: inout Tensor
) {
    let (ar, ac) = a.matrixShape, (br, bc) = b.matrixShape
    let (m, k) = transA == .none ? (ar, ac) : (ac, ar)
    let (k2, n) = transB == .none ? (br, bc) : (bc, br)
    precondition(k == k2, "gemm: op(A) is \(m)×\(k) but op(B) is \(k2)×\(n)")
    precondition(c.matrixShape == (m, n), "gemm: C has shape \(c.shape), expected [\(m), \(n)]")
    if m == 0 || n == 0 { return }
    if k == 0 {
        // Empty arrays need not have a base address; the product is then just beta·C.
        c.withUnsafeMutableBufferPointer { pc in scaleMatrix(pc.baseAddress!, m: m, n: n, ldc: n, by: beta) }
        return
    }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                gemm(transA, transB, m: m, n: n, k: k, alpha: alpha,
                     a: pa.baseAddress!, lda: ac, b: pb.baseAddress!, ldb: bc,
                     beta: beta, c: pc.baseAddress!, ldc: n)
            }
        }
    }
}

/// The matrix product `op(A) · op(B)` of rank-2 tensors.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let m = transposeA ? a.matrixShape.columns : a.matrixShape.rows
    let n = transposeB ? b.matrixShape.rows : b.matrixShape.columns
    var c = Tensor(zeros: [m, n])
    gemm(a, transposeA ? .transposed : .none, b, transposeB ? .transposed : .none, into: &c)
    return c
}
