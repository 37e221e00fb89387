import Foundation
import ELBOAlgebra

/// `elbo rules [--format text|json]`: the table of named rules that proofs are made of.
enum RulesCommand {
    static let command = Command(
        name: "rules", summary: "print the table of named rules that proofs apply",
        details: "Each rule: its name, its statement (pattern ⇒ pattern, or term ≥ 0) and its side\n"
            + "conditions. JSON: {\"rules\": [{\"name\", \"statement\", \"conditions\", \"kind\"}]}.",
        options: [.value("format", "text|json", "output format (default text)")],
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        guard a.positionals.isEmpty else { throw CommandFailure.usage("unexpected argument '\(a.positionals[0])'") }
        let format = try a.choice("format", ["text", "json"]) ?? "text"
        print(format == "json" ? json(RuleTable.all) : text(RuleTable.all), terminator: "")
        return 0
    }

    /// One JSON object per rule, in table order.
    static func json(_ rules: [RuleDefinition]) -> String {
        struct Row: Encodable { var name, statement: String; var conditions: [String]; var kind: String }
        struct Table: Encodable { var rules: [Row] }
        let table = Table(rules: rules.map {
            Row(name: $0.name, statement: $0.statement, conditions: $0.conditions.map(\.rawValue), kind: $0.kind.rawValue)
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(table), as: UTF8.self) + "\n"
    }

    /// Aligned lines: name, statement, conditions.
    static func text(_ rules: [RuleDefinition]) -> String {
        let width = rules.map(\.name.count).max() ?? 0
        return rules.map { r in
            let name = r.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let conditions = r.conditions.isEmpty ? "" : "   [\(r.conditions.map(\.rawValue).joined(separator: ", "))]"
            return "\(name)  \(r.statement)\(conditions)\n"
        }.joined()
    }
}
