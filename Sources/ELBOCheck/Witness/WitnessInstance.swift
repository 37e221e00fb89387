import Foundation

/// A concrete world in which both sides of a step are evaluated: every variable ranges over
/// points with base-measure weights (integrals are weighted sums over them), every density of
/// the step has a value at each assignment, and every symbol has a value.
///
/// `WitnessFiniteInstance` realises this with small finite domains and random tables. A
/// Gaussian-family instance fits the same shape: its points and weights are a quadrature rule
/// (exact for the polynomial-times-Gaussian integrands of family-level steps) and its
/// densities are the family formulas at those points.
protocol WitnessInstance {
    /// Number of points of a variable.
    func pointCount(_ variable: Int) -> Int
    /// Base-measure weight of a point (1 for a discrete variable).
    func weight(_ variable: Int, _ point: Int) -> Double
    /// The variable's value as a number or vector at a point (when a step uses it as one).
    func value(_ variable: Int, _ point: Int) -> WitnessValue
    /// The density `id` of the program at the assignment (indexed by variable slot); NaN when
    /// it conditions on an event of probability zero.
    func density(_ id: Int, _ assignment: [Int]) -> Double
    /// The value of a dimension symbol.
    func dimension(_ slot: Int) -> Int
    /// The value of a learnable symbol.
    func parameter(_ slot: Int) -> WitnessValue
    /// A person-readable account of the instance at an assignment of the free variables.
    func describe(assignment: [Int], free: [Int], shownValues: Set<Int>) -> String
}

/// An instance on small finite domains: the exact "continuous instance" of the design. A
/// continuous variable's points carry random weights that are not all one, and densities are
/// normalised against them, so exactly the identities true for every measure space hold.
struct WitnessFiniteInstance: WitnessInstance {
    /// `seed …, instance …, draw …`.
    var label: String
    var variableNames: [String]
    var continuous: [Bool]
    var sizes: [Int]
    var weights: [[Double]]
    var values: [[WitnessValue]]
    var dimensionNames: [String]
    var dimensionValues: [Int]
    var parameterNames: [String]
    var parameterValues: [WitnessValue]
    /// The conditional table of each density of the program.
    var conditionals: [WitnessTable]
    var assumptions: [String]

    @inline(__always) func pointCount(_ variable: Int) -> Int { sizes[variable] }
    @inline(__always) func weight(_ variable: Int, _ point: Int) -> Double { weights[variable][point] }
    @inline(__always) func value(_ variable: Int, _ point: Int) -> WitnessValue { values[variable][point] }
    @inline(__always) func density(_ id: Int, _ assignment: [Int]) -> Double { conditionals[id][assignment] }
    @inline(__always) func dimension(_ slot: Int) -> Int { dimensionValues[slot] }
    @inline(__always) func parameter(_ slot: Int) -> WitnessValue { parameterValues[slot] }

    func describe(assignment: [Int], free: [Int], shownValues: Set<Int>) -> String {
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        func show(_ v: WitnessValue) -> String {
            switch v {
            case .scalar(let s): return f(s)
            case .vector(let xs): return "(" + xs.map(f).joined(separator: ", ") + ")"
            }
        }
        var parts = [label]
        let domains = variableNames.indices.map { i -> String in
            continuous[i]
                ? "\(variableNames[i]): \(sizes[i]) points, continuous, weights \(weights[i].map(f).joined(separator: ", "))"
                : "\(variableNames[i]): \(sizes[i]) points, discrete"
        }
        parts.append("domains { " + domains.joined(separator: "; ") + " }")
        if !dimensionNames.isEmpty {
            parts.append("dimensions { " + zip(dimensionNames, dimensionValues).map { "\($0) = \($1)" }.joined(separator: ", ") + " }")
        }
        if !parameterNames.isEmpty {
            parts.append("parameters { " + zip(parameterNames, parameterValues).map { "\($0) = \(show($1))" }
                .joined(separator: ", ") + " }")
        }
        if !free.isEmpty {
            parts.append("at " + free.map { v in
                let p = assignment[v]
                return shownValues.contains(v)
                    ? "\(variableNames[v]) = point \(p) ↦ \(show(values[v][p]))"
                    : "\(variableNames[v]) = point \(p)"
            }.joined(separator: ", "))
        }
        parts.append(assumptions.isEmpty ? "no assumptions" : "assuming " + assumptions.joined(separator: ", "))
        return parts.joined(separator: "; ")
    }
}
