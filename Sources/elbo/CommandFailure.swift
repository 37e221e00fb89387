import Foundation

/// Why a subcommand stopped, with the exit status it maps to (DESIGN.md: 1 when something
/// failed, 2 for usage or input errors).
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var status: Int32
    /// Whether to print the command's usage line after the message.
    var showUsage = false

    /// A malformed command line (exit 2), printed with the usage line.
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 2, showUsage: true) }
    /// Bad input: a missing or corrupt file, an unknown kernel (exit 2).
    static func input(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 2) }
    /// The command ran and failed (exit 1).
    static func failed(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 1) }

    var description: String { message }
}
