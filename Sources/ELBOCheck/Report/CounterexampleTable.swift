import Foundation

/// A witness counterexample laid out as a small table: the two sides' values, then the
/// instance's clauses (`dimensions { k = 1, m = 2 }`, `at x = point 0, z = point 1`, …), one
/// row per clause and one line per value in it.
///
/// The witness describes an instance as `clause; clause; …` where a clause is `NAME { item,
/// item }` (items split at `;` when the group uses it, else at `,`), `at a = v, b = w`, or
/// free text; brackets and parentheses protect their commas.
struct CounterexampleTable {
    /// A row: a heading and its values.
    struct Row: Equatable {
        var heading: String
        var values: [String]
    }

    var rows: [Row]

    init(_ c: CounterexampleReport) {
        rows = [
            Row(heading: "left side", values: [CounterexampleTable.format(c.lhs)]),
            Row(heading: "right side", values: [CounterexampleTable.format(c.rhs)]),
            Row(heading: "left − right", values: [CounterexampleTable.format(c.lhs - c.rhs)]),
        ]
        var loose: [String] = []
        for clause in CounterexampleTable.split(c.instance, at: ";") {
            if let open = clause.firstIndex(of: "{"), clause.hasSuffix("}") {
                let heading = clause[..<open].trimmingCharacters(in: .whitespaces)
                let inner = String(clause[clause.index(after: open)..<clause.index(before: clause.endIndex)])
                let semicolons = CounterexampleTable.split(inner, at: ";")
                let items = semicolons.count > 1 ? semicolons : CounterexampleTable.split(inner, at: ",")
                rows.append(Row(heading: heading, values: items))
            } else if clause.hasPrefix("at ") {
                rows.append(Row(heading: "at", values: CounterexampleTable.split(String(clause.dropFirst(3)), at: ",")))
            } else {
                loose.append(clause)
            }
        }
        if !loose.isEmpty { rows.insert(Row(heading: "instance", values: loose), at: 3) }
    }

    /// Six significant digits, as the text report prints them, with a real minus sign.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "−∞" : "∞" }
        return String(format: "%.6g", v).replacingOccurrences(of: "-", with: "−")
    }

    /// Splits at a separator outside brackets, trimming the pieces and dropping empty ones.
    static func split(_ s: String, at separator: Character) -> [String] {
        var pieces: [String] = []
        var current = ""
        var depth = 0
        for ch in s {
            switch ch {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth = max(0, depth - 1)
            default: break
            }
            if ch == separator && depth == 0 {
                pieces.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        pieces.append(current)
        return pieces.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
