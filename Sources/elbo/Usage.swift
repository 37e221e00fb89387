import Foundation

/// Every subcommand of `elbo`, in the order the global usage lists them. A new command is one
/// file with a `static let command = Command(…)` and one line here (see `Command`).
enum Commands {
    static let all: [Command] = [
        CheckCommand.command,
        GenerateCommand.command,
        ExportCommand.command,
        GradcheckCommand.command,
        KernelCommand.command,
        TrainCommand.command,
        SampleCommand.command,
        BenchCommand.command,
        RulesCommand.command,
    ]

    static func named(_ name: String) -> Command? { all.first { $0.name == name } }
}

/// The global usage, generated from the command tables.
enum Usage {
    static var text: String {
        var out = "usage: elbo <command> [options]\n\ncommands:\n"
        for c in Commands.all {
            out += "  " + c.usageLine() + "\n      " + c.summary + "\n"
            for sub in c.subcommands { out += "    " + sub.usageLine(prefix: "elbo \(c.name)") + "\n        " + sub.summary + "\n" }
        }
        out += "  elbo help [COMMAND]\n      this text, or the options of COMMAND (also: elbo COMMAND --help)\n"
        out += "  elbo --version\n"
        return out
    }
}

/// Writes to standard error.
func printError(_ s: String) {
    var s = s
    if !s.hasSuffix("\n") { s += "\n" }
    FileHandle.standardError.write(s.data(using: .utf8)!)
}
