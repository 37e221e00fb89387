/// Exact non-negative solutions of `target = Σ λ_k candidate_k`: the search behind a
/// decomposition. Its answer is only a proposal; the kernel re-checks the weights.
extension NonNegativityProver {
    /// Some λ ≥ 0 with `target = Σ λ_k candidate_k`, or nil when there is none.
    ///
    /// Gaussian elimination over the rationals first reduces the system to one row per
    /// independent equation (the pivot columns are a basis). When that basic solution is
    /// already non-negative it is the answer; otherwise the candidates are dependent and some
    /// other combination may be non-negative, which phase one of the simplex method finds or
    /// rules out (Bland's rule, so it terminates). Without this second stage the answer would
    /// depend on the order of the candidates, which follows the hash order of the difference's
    /// terms and so changes from run to run.
    static func solveNonNegative(_ target: NormalForm, _ candidates: [Candidate]) -> [Rational]? {
        guard let (rows, n) = reducedSystem(target, candidates) else { return nil }
        if rows.allSatisfy({ !($0.rhs < .zero) }) { return basicSolution(rows, columns: n) }
        return phaseOne(rows.map { ($0.coefficients, $0.rhs) }, columns: n)
    }

    /// The solution of the reduced system with every free unknown zero.
    static func basicSolution(_ rows: [ReducedRow], columns n: Int) -> [Rational] {
        var lambda = [Rational](repeating: .zero, count: n)
        for row in rows { lambda[row.pivot] = row.rhs }
        return lambda
    }

    /// One row of the reduced system: `Σ coefficients_k λ_k = rhs`, with `coefficients[pivot] = 1`.
    struct ReducedRow {
        var coefficients: [Rational]
        var rhs: Rational
        var pivot: Int
    }

    /// The system in reduced row-echelon form (the independent rows only), or nil when it is
    /// inconsistent.
    static func reducedSystem(_ target: NormalForm, _ candidates: [Candidate]) -> ([ReducedRow], Int)? {
        let n = candidates.count
        guard n > 0 || target.isZero else { return nil }
        var keys = Set(target.terms.keys)
        for c in candidates { keys.formUnion(c.form.terms.keys) }
        var matrix: [[Rational]] = keys.map { key in
            candidates.map { $0.form.terms[key] ?? .zero } + [target.terms[key] ?? .zero]
        }
        var pivots: [Int] = []
        var r = 0
        for col in 0..<n where r < matrix.count {
            guard let p = (r..<matrix.count).first(where: { !matrix[$0][col].isZero }) else { continue }
            matrix.swapAt(r, p)
            let pv = matrix[r][col]
            matrix[r] = matrix[r].map { $0 / pv }
            for i in 0..<matrix.count where i != r && !matrix[i][col].isZero {
                let f = matrix[i][col]
                for j in 0...n { matrix[i][j] = matrix[i][j] - f * matrix[r][j] }
            }
            pivots.append(col)
            r += 1
        }
        for row in matrix[r...] where !row[n].isZero { return nil }
        let rows = pivots.enumerated().map { i, col in
            ReducedRow(coefficients: Array(matrix[i][0..<n]), rhs: matrix[i][n], pivot: col)
        }
        return (rows, n)
    }

    /// Phase one of the simplex method on `A λ = b`, λ ≥ 0: one artificial variable per row,
    /// minimise their sum; feasible exactly when the minimum is zero.
    static func phaseOne(_ system: [([Rational], Rational)], columns n: Int) -> [Rational]? {
        let m = system.count
        // Tableau rows: the n columns, the m artificials, the right side; each row with b ≥ 0.
        var t: [[Rational]] = system.enumerated().map { i, row in
            let flip = row.1 < .zero
            var r = row.0.map { flip ? .zero - $0 : $0 }
            r += (0..<m).map { $0 == i ? Rational.one : .zero }
            r.append(flip ? .zero - row.1 : row.1)
            return r
        }
        var basis = (0..<m).map { n + $0 }
        let width = n + m
        // Reduced costs of the phase-one objective (the sum of the artificials).
        func reducedCost(_ j: Int) -> Rational {
            if j >= n { return basis.contains(j) ? .zero : .one - (0..<m).reduce(Rational.zero) { $0 + (basis[$1] >= n ? t[$1][j] : .zero) } }
            var c = Rational.zero
            for i in 0..<m where basis[i] >= n { c = c - t[i][j] }
            return c
        }
        // Bland's rule: the entering column is the smallest index with a negative reduced
        // cost, the leaving row the smallest ratio, ties by the smallest basic index.
        var iterations = 0
        while iterations < 10 * (width + 1) {
            iterations += 1
            guard let entering = (0..<width).first(where: { !basis.contains($0) && reducedCost($0) < .zero }) else { break }
            var leaving: (row: Int, ratio: Rational)? = nil
            for i in 0..<m where .zero < t[i][entering] {
                let ratio = t[i][width] / t[i][entering]
                if leaving == nil || ratio < leaving!.ratio || (ratio == leaving!.ratio && basis[i] < basis[leaving!.row]) {
                    leaving = (i, ratio)
                }
            }
            guard let (p, _) = leaving else { break }
            let pv = t[p][entering]
            t[p] = t[p].map { $0 / pv }
            for i in 0..<m where i != p && !t[i][entering].isZero {
                let f = t[i][entering]
                for j in 0...width { t[i][j] = t[i][j] - f * t[p][j] }
            }
            basis[p] = entering
        }
        for i in 0..<m where basis[i] >= n && !t[i][width].isZero { return nil }
        var lambda = [Rational](repeating: .zero, count: n)
        for i in 0..<m where basis[i] < n { lambda[basis[i]] = t[i][width] }
        return lambda
    }
}
