import Foundation

// The `elbo` command line: dispatches to one subcommand per file.
setvbuf(stdout, nil, _IOLBF, 0)
var arguments = Array(CommandLine.arguments.dropFirst())
let command = arguments.isEmpty ? "help" : arguments.removeFirst()
let status: Int32
switch command {
case "check": status = CheckCommand.run(arguments)
case "help", "--help", "-h": print(Usage.text); status = 0
case "--version": print("elbo 0.1"); status = 0
default:
    if let sub = Subcommands.table[command] {
        status = sub(arguments)
    } else {
        FileHandle.standardError.write("elbo: unknown command '\(command)'\n\n\(Usage.text)\n".data(using: .utf8)!)
        status = 2
    }
}
exit(status)
