import Foundation

/// A number or a vector of numbers: the value of an expression at the scalar level, where a
/// symbol may stand for a vector (`mu` of a `real[k]` variable). Operations are elementwise
/// and a scalar broadcasts against a vector. At the probability level every value is scalar,
/// and the scalar case allocates nothing.
enum WitnessValue: Equatable {
    case scalar(Double)
    case vector([Double])

    var count: Int {
        switch self { case .scalar: return 1; case .vector(let v): return v.count }
    }

    /// Component `i` (0-based); a scalar broadcasts.
    subscript(i: Int) -> Double {
        switch self { case .scalar(let s): return s; case .vector(let v): return v[i] }
    }

    /// The components as an array.
    var components: [Double] {
        switch self { case .scalar(let s): return [s]; case .vector(let v): return v }
    }

    /// Sum of the components.
    var total: Double {
        switch self { case .scalar(let s): return s; case .vector(let v): return v.reduce(0, +) }
    }

    /// Product of the components.
    var productOfComponents: Double {
        switch self { case .scalar(let s): return s; case .vector(let v): return v.reduce(1, *) }
    }

    func map(_ f: (Double) -> Double) -> WitnessValue {
        switch self {
        case .scalar(let s): return .scalar(f(s))
        case .vector(let v): return .vector(v.map(f))
        }
    }

    /// Elementwise `f(a, b)` with broadcasting; vectors of different lengths do not combine.
    static func combine(_ a: WitnessValue, _ b: WitnessValue,
                        _ f: (Double, Double) -> Double) throws -> WitnessValue {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)): return .scalar(f(x, y))
        case (.scalar(let x), .vector(let v)): return .vector(v.map { f(x, $0) })
        case (.vector(let v), .scalar(let y)): return .vector(v.map { f($0, y) })
        case (.vector(let v), .vector(let u)):
            guard v.count == u.count else {
                throw WitnessUnsupported("vectors of lengths \(v.count) and \(u.count) combined elementwise")
            }
            return .vector(zip(v, u).map(f))
        }
    }
}
