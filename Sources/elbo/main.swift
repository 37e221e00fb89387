import Foundation

// The `elbo` command line: dispatches to the commands of `Commands.all`, one per file.
setvbuf(stdout, nil, _IOLBF, 0)
var arguments = Array(CommandLine.arguments.dropFirst())
let name = arguments.isEmpty ? "help" : arguments.removeFirst()
let status: Int32
switch name {
case "help", "--help", "-h":
    if let topic = arguments.first {
        if let command = Commands.named(topic) {
            status = command.run(["--help"])
        } else {
            printError("elbo help: unknown command '\(topic)'\n\n\(Usage.text)")
            status = 2
        }
    } else {
        print(Usage.text, terminator: "")
        status = 0
    }
case "--version": print("elbo 0.1"); status = 0
default:
    if let command = Commands.named(name) {
        status = command.run(arguments)
    } else {
        printError("elbo: unknown command '\(name)'\n\n\(Usage.text)")
        status = 2
    }
}
exit(status)
