import Foundation

/// The arguments of one subcommand: positionals, `--name VALUE` (or `--name=VALUE`) options and
/// `--flag` switches, read by the command's option table. Options not declared are usage errors,
/// so typos do not pass silently.
struct CommandArguments {
    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Splits `args` by the option table; `--` ends the options (what follows is positional).
    init(_ args: [String], options: [Option]) throws {
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let byShort = Dictionary(options.compactMap { o in o.short.map { (String($0), o) } }, uniquingKeysWith: { a, _ in a })
        var i = 0
        var optionsEnded = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if optionsEnded || arg == "-" || !arg.hasPrefix("-") || Double(arg) != nil {
                positionals.append(arg)
                continue
            }
            if arg == "--" { optionsEnded = true; continue }
            var name: String
            var inline: String?
            let option: Option?
            if arg.hasPrefix("--") {
                name = String(arg.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                option = byName[name]
            } else {
                name = String(arg.dropFirst())
                option = byShort[name]
                if let option { name = option.name }
            }
            guard let option else {
                throw CommandFailure.usage("unknown option '\(arg)'")
            }
            if !option.repeatable, has(name) { throw CommandFailure.usage("--\(name) is given twice") }
            switch option.kind {
            case .flag:
                guard inline == nil else { throw CommandFailure.usage("--\(name) takes no value") }
                flags.insert(name)
            case .optionalInteger:
                flags.insert(name)
                if let inline {
                    values[name, default: []].append(inline)
                } else if i < args.count, Int(args[i]) != nil {
                    values[name, default: []].append(args[i])
                    i += 1
                }
            case .value(let placeholder):
                if let inline {
                    values[name, default: []].append(inline)
                } else {
                    guard i < args.count, !(args[i].hasPrefix("--") && args[i].count > 2) else {
                        throw CommandFailure.usage("--\(name) needs a value (\(placeholder))")
                    }
                    values[name, default: []].append(args[i])
                    i += 1
                }
            }
        }
    }

    /// Splits `args`; `valued` and `switches` are option names without the dashes (for code
    /// that has no option table yet; new commands declare `Option`s).
    init(_ args: [String], valued: Set<String>, switches: Set<String>) throws {
        let table = valued.sorted().map { Option.value($0, "VALUE", repeatable: true, "") }
            + switches.sorted().map { Option.flag($0, "") }
        try self.init(args, options: table)
    }

    /// Whether `--name` was given.
    func has(_ name: String) -> Bool { flags.contains(name) || values[name] != nil }

    /// The last value given for `--name`.
    func string(_ name: String) -> String? { values[name]?.last }

    /// Every value given for a repeatable option such as `--dim`.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// `--name` as an integer of at least `minimum`, if given.
    func int(_ name: String, minimum: Int = 1) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let n = Int(text), n >= minimum else {
            throw CommandFailure.usage("--\(name) needs an integer ≥ \(minimum), got '\(text)'")
        }
        return n
    }

    /// `--name` as a positive finite number, if given.
    func positiveDouble(_ name: String) throws -> Double? {
        guard let text = string(name) else { return nil }
        guard let x = Double(text), x.isFinite, x > 0 else {
            throw CommandFailure.usage("--\(name) needs a positive number, got '\(text)'")
        }
        return x
    }

    /// `--name` as one of `choices`, if given.
    func choice(_ name: String, _ choices: [String]) throws -> String? {
        guard let text = string(name) else { return nil }
        guard choices.contains(text) else {
            throw CommandFailure.usage("--\(name) must be one of \(choices.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }
}
