import Foundation

/// Gauss–Hermite quadrature for the standard normal: `E[f(ε)] ≈ Σ_i w_i f(t_i)`, ε ~ N(0, 1),
/// exact for polynomials of degree up to `2n − 1`. Tensor products give the rule for N(0, I_D).
enum GaussianQuadrature {
    /// Nodes per component, never more.
    static let maximumNodes = 12
    /// Nodes per component, never fewer (exact for the cubic integrands of Gaussian algebra).
    static let minimumNodes = 2

    /// The n-point rule for N(0, 1): nodes `√2 x_i` and weights `w_i / √π` of the physicists'
    /// Gauss–Hermite rule, found by Newton's method on the orthonormal Hermite recurrence.
    static func rule(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        if n < rules.count { return rules[n] }
        return compute(n)
    }

    private static let rules: [(nodes: [Double], weights: [Double])] = (0...maximumNodes).map(compute)

    private static func compute(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        guard n > 0 else { return ([], []) }
        let pim4 = 0.7511255444649425  // π^(-1/4)
        var x = Array(repeating: 0.0, count: n), w = Array(repeating: 0.0, count: n)
        let m = (n + 1) / 2
        var z = 0.0
        for i in 0..<m {
            switch i {
            case 0: z = (2 * Double(n) + 1).squareRoot() - 1.85575 * Foundation.pow(2 * Double(n) + 1, -0.16667)
            case 1: z -= 1.14 * Foundation.pow(Double(n), 0.426) / z
            case 2: z = 1.86 * z - 0.86 * x[0]
            case 3: z = 1.91 * z - 0.91 * x[1]
            default: z = 2 * z - x[i - 2]
            }
            var pp = 0.0
            for _ in 0..<100 {
                var p1 = pim4, p2 = 0.0
                for j in 0..<n {
                    let p3 = p2
                    p2 = p1
                    p1 = z * (2 / Double(j + 1)).squareRoot() * p2 - (Double(j) / Double(j + 1)).squareRoot() * p3
                }
                pp = (2 * Double(n)).squareRoot() * p2
                let z1 = z
                z = z1 - p1 / pp
                if abs(z - z1) <= 1e-15 * max(1, abs(z)) { break }
            }
            x[i] = z
            x[n - 1 - i] = -z
            w[i] = 2 / (pp * pp)
            w[n - 1 - i] = w[i]
        }
        let sqrtPi = Double.pi.squareRoot()
        // Ascending nodes.
        let nodes = x.reversed().map { $0 * 2.0.squareRoot() }
        let weights = w.reversed().map { $0 / sqrtPi }
        return (nodes, weights)
    }

    /// The tensor-product rule for N(0, I_D) with `n` nodes per component: points (row-major,
    /// D per point) and weights.
    static func grid(dimension: Int, nodes n: Int) -> (points: [[Double]], weights: [Double]) {
        let key = Key(dimension: dimension, nodes: n)
        cacheLock.lock()
        if let g = cache[key] { cacheLock.unlock(); return g }
        cacheLock.unlock()
        let (t, w) = rule(n)
        var points: [[Double]] = []
        var weights: [Double] = []
        let total = Int(Foundation.pow(Double(n), Double(dimension)).rounded())
        points.reserveCapacity(total)
        weights.reserveCapacity(total)
        var idx = Array(repeating: 0, count: dimension)
        while true {
            points.append(idx.map { t[$0] })
            weights.append(idx.reduce(1.0) { $0 * w[$1] })
            var k = dimension - 1
            while k >= 0 {
                idx[k] += 1
                if idx[k] < n { break }
                idx[k] = 0
                k -= 1
            }
            if k < 0 { break }
        }
        cacheLock.lock()
        cache[key] = (points, weights)
        cacheLock.unlock()
        return (points, weights)
    }

    private struct Key: Hashable { var dimension: Int; var nodes: Int }
    private nonisolated(unsafe) static var cache: [Key: (points: [[Double]], weights: [Double])] = [:]
    private static let cacheLock = NSLock()
}
