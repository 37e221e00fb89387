import Foundation

/// One option of a command. The option table of a `Command` drives its parser, its `--help`
/// and the global usage, so the three cannot drift apart.
struct Option {
    enum Kind: Equatable {
        /// `--name`: a switch.
        case flag
        /// `--name VALUE` or `--name=VALUE`; the placeholder is shown in the help (`N`, `DIR`).
        case value(String)
        /// `--name [N]`: a switch that takes the next argument as its value when that is an integer.
        case optionalInteger(String)
    }

    /// Without the dashes: `format` for `--format`.
    var name: String
    var kind: Kind
    /// One line of help, with the default where there is one.
    var help: String
    /// A one-letter alias such as `v` for `-v`.
    var short: Character?
    /// Whether the option may be given more than once (`--dim A=1 --dim B=2`).
    var repeatable = false

    static func flag(_ name: String, short: Character? = nil, _ help: String) -> Option {
        Option(name: name, kind: .flag, help: help, short: short)
    }

    static func value(_ name: String, _ placeholder: String, repeatable: Bool = false, _ help: String) -> Option {
        Option(name: name, kind: .value(placeholder), help: help, repeatable: repeatable)
    }

    static func optionalInteger(_ name: String, _ placeholder: String, _ help: String) -> Option {
        Option(name: name, kind: .optionalInteger(placeholder), help: help)
    }

    /// `--format text|json`, `--benchmark [N]`, `-v, --verbose`.
    var spelling: String {
        let long: String
        switch kind {
        case .flag: long = "--\(name)"
        case .value(let p): long = "--\(name) \(p)" + (repeatable ? " …" : "")
        case .optionalInteger(let p): long = "--\(name) [\(p)]"
        }
        return short.map { "-\($0), " + long } ?? long
    }
}

/// A subcommand of `elbo`: its name, its arguments, its options and what it does.
///
/// To add a command, write it in its own file `Sources/elbo/NameCommand.swift` as
///
///     enum NameCommand {
///         static let command = Command(
///             name: "name", arguments: "FILE", summary: "what it does, in one line",
///             options: [.flag("force", "…"), .value("out", "DIR", "… (default runs/)")]) { a in
///             // a.positionals, a.has("force"), a.string("out"), a.int("n") …
///             return 0
///         }
///     }
///
/// and add `NameCommand.command` to `Commands.all` (Usage.swift). `--help` and `-h`, the
/// global usage, `elbo help name` and the rejection of unknown options then come from the
/// table; `CommandLineTests` checks that the help and the parser agree. Throw
/// `CommandFailure.usage(…)` for a malformed command line (exit 2, with the usage line),
/// `.input(…)` for a missing or bad file (exit 2), `.failed(…)` when the work failed (exit 1).
/// A command with subcommands (`elbo bench epoch|gemm|kernel`) lists them in `subcommands`;
/// each has its own table.
struct Command {
    var name: String
    /// The positional arguments, as shown in the usage line: `[PATH…]`, `SPEC`.
    var arguments: String
    var summary: String
    /// Further paragraphs of `--help` (exit statuses, what is written where).
    var details: String = ""
    var options: [Option] = []
    var subcommands: [Command] = []
    /// Runs the command on its parsed arguments; nil for a command that only has subcommands.
    var body: ((CommandArguments) throws -> Int32)?

    init(name: String, arguments: String = "", summary: String, details: String = "", options: [Option] = [],
         subcommands: [Command] = [], body: ((CommandArguments) throws -> Int32)? = nil) {
        self.name = name; self.arguments = arguments; self.summary = summary; self.details = details
        self.options = options; self.subcommands = subcommands; self.body = body
    }

    /// `elbo check [PATH…] [options]`.
    func usageLine(prefix: String = "elbo") -> String {
        var parts = [prefix, name]
        if !subcommands.isEmpty { parts.append(subcommands.map(\.name).joined(separator: "|")) }
        if !arguments.isEmpty { parts.append(arguments) }
        if !options.isEmpty { parts.append("[options]") }
        return parts.joined(separator: " ")
    }

    /// The text of `elbo NAME --help`.
    func help(prefix: String = "elbo") -> String {
        var out = "usage: \(usageLine(prefix: prefix))\n\n\(summary)\n"
        if !details.isEmpty { out += "\n\(details)\n" }
        for sub in subcommands {
            out += "\n" + sub.help(prefix: "\(prefix) \(name)")
        }
        if subcommands.isEmpty {
            out += "\noptions:\n" + Command.optionTable(options)
            out += "  -h, --help".padding(toLength: Command.helpColumn, withPad: " ", startingAt: 0) + "this help\n"
        }
        return out
    }

    static let helpColumn = 30

    /// One line per option: its spelling, then its help (on the next line when the spelling is long).
    static func optionTable(_ options: [Option]) -> String {
        var out = ""
        for o in options {
            let left = "  " + o.spelling
            if left.count + 2 <= helpColumn {
                out += left.padding(toLength: helpColumn, withPad: " ", startingAt: 0) + o.help + "\n"
            } else {
                out += left + "\n" + String(repeating: " ", count: helpColumn) + o.help + "\n"
            }
        }
        return out
    }

    /// Runs the command on the arguments after its name: `--help`/`-h` anywhere prints the
    /// help (exit 0); otherwise the arguments are parsed with the option table and the body runs.
    func run(_ args: [String], prefix: String = "elbo") -> Int32 {
        let fullName = "\(prefix) \(name)"
        if !subcommands.isEmpty {
            guard let first = args.first, !Command.isHelp(first) else {
                if args.isEmpty {
                    printError("\(fullName): say which: \(subcommands.map(\.name).joined(separator: ", "))\n"
                               + "usage: \(usageLine(prefix: prefix))\nrun '\(fullName) --help' for the options")
                    return 2
                }
                print(help(prefix: prefix), terminator: "")
                return 0
            }
            guard let sub = subcommands.first(where: { $0.name == first }) else {
                printError("\(fullName): unknown \(name) '\(first)'; expected \(subcommands.map(\.name).joined(separator: ", "))\n"
                           + "usage: \(usageLine(prefix: prefix))")
                return 2
            }
            return sub.run(Array(args.dropFirst()), prefix: fullName)
        }
        if args.contains(where: Command.isHelp) {
            print(help(prefix: prefix), terminator: "")
            return 0
        }
        do {
            let parsed = try CommandArguments(args, options: options)
            guard let body else { return 0 }
            return try body(parsed)
        } catch let failure as CommandFailure {
            var message = "\(fullName): \(failure.message)"
            if failure.showUsage { message += "\nusage: \(usageLine(prefix: prefix))\nrun '\(fullName) --help' for the options" }
            printError(message)
            return failure.status
        } catch {
            printError("\(fullName): \(error)")
            return 1
        }
    }

    static func isHelp(_ arg: String) -> Bool { arg == "--help" || arg == "-h" }
}
