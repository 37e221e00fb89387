/// A function of finitely many variables stored densely: one value per configuration of
/// `slots` (variable slots; the last varies fastest). Joint densities, their marginals and
/// conditionals are all tables.
struct WitnessTable {
    let slots: [Int]
    let strides: [Int]
    var values: [Double]

    /// A table over `slots` whose sizes are `sizes[slot]`, filled with `fill`.
    init(slots: [Int], sizes: [Int], fill: Double = 0) {
        self.slots = slots
        var strides = Array(repeating: 1, count: slots.count)
        var n = 1
        for k in stride(from: slots.count - 1, through: 0, by: -1) {
            strides[k] = n
            n *= sizes[slots[k]]
        }
        self.strides = strides
        values = Array(repeating: fill, count: n)
    }

    /// The position of the configuration that `assignment` (indexed by variable slot) gives.
    @inline(__always)
    func offset(_ assignment: [Int]) -> Int {
        var o = 0
        for k in 0..<slots.count { o += assignment[slots[k]] &* strides[k] }
        return o
    }

    @inline(__always)
    subscript(_ assignment: [Int]) -> Double {
        get { values[offset(assignment)] }
        set { values[offset(assignment)] = newValue }
    }
}

/// Visits every configuration of `slots` (the last fastest), writing each into `assignment`
/// (indexed by variable slot) before calling `body`. The entries of `slots` end at zero.
@inline(__always)
func witnessForEachConfiguration(of slots: [Int], sizes: [Int], _ assignment: inout [Int],
                                 _ body: (inout [Int]) throws -> Void) rethrows {
    for s in slots { assignment[s] = 0 }
    while true {
        try body(&assignment)
        var k = slots.count - 1
        while k >= 0 {
            let s = slots[k]
            assignment[s] += 1
            if assignment[s] < sizes[s] { break }
            assignment[s] = 0
            k -= 1
        }
        if k < 0 { return }
    }
}
