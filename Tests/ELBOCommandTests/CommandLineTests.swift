import Foundation
import XCTest
@testable import elbo

/// The command line's help and its parsers come from one option table per command; these tests
/// read the printed help back and hold it against what the parser accepts, so a command that
/// parses an option its help does not show (or shows one it rejects) fails here.
final class CommandLineTests: XCTestCase {
    /// Every command and subcommand with its full name (`bench epoch`).
    var leaves: [(name: String, prefix: String, command: Command)] {
        Commands.all.flatMap { c in
            c.subcommands.isEmpty ? [(c.name, "elbo", c)] : c.subcommands.map { ("\(c.name) \($0.name)", "elbo \(c.name)", $0) }
        }
    }

    /// The `--name` words of a help text's options section.
    func optionNames(inHelp help: String) -> Set<String> {
        guard let section = help.range(of: "\noptions:\n") else { return [] }
        var names: Set<String> = []
        for line in help[section.upperBound...].split(separator: "\n") {
            guard line.hasPrefix("  -") else { if !line.hasPrefix(" ") { break } else { continue } }
            for word in line.split(separator: " ") where word.hasPrefix("--") {
                names.insert(String(word.dropFirst(2)).trimmingCharacters(in: CharacterSet(charactersIn: ",")))
            }
        }
        return names
    }

    /// Arguments that give `option` a well-formed value.
    func arguments(for option: Option) -> [String] {
        switch option.kind {
        case .flag, .optionalInteger: return ["--\(option.name)"]
        case .value: return ["--\(option.name)", "1"]
        }
    }

    func testHelpListsExactlyTheOptionsTheParserAccepts() throws {
        for (name, prefix, command) in leaves {
            let help = command.help(prefix: prefix)
            XCTAssertTrue(help.hasPrefix("usage: elbo \(name)"), "\(name): \(help)")
            var shown = optionNames(inHelp: help)
            XCTAssertTrue(shown.remove("help") != nil, "\(name) --help does not list --help")
            XCTAssertEqual(shown, Set(command.options.map(\.name)), "elbo \(name) --help")
            for option in shown {
                let o = try XCTUnwrap(command.options.first { $0.name == option })
                XCTAssertNoThrow(try CommandArguments(arguments(for: o), options: command.options), "elbo \(name) --\(option)")
            }
            XCTAssertThrowsError(try CommandArguments(["--no-such-option"], options: command.options)) { error in
                XCTAssertEqual((error as? CommandFailure)?.status, 2)
                XCTAssertTrue("\(error)".contains("unknown option '--no-such-option'"), "\(error)")
            }
        }
    }

    func testGlobalUsageNamesEveryCommandWithItsSummary() {
        let usage = Usage.text
        for (name, _, command) in leaves {
            XCTAssertTrue(usage.contains("elbo \(name)"), "usage lacks \(name)")
            XCTAssertTrue(usage.contains(command.summary), "usage lacks the summary of \(name)")
        }
    }

    func testValuesAndSwitchesAreReadAsDeclared() throws {
        let options: [Option] = [.flag("verbose", short: "v", "…"), .value("out", "FILE", "…"),
                                 .optionalInteger("benchmark", "N", "…"), .value("dim", "A=N", repeatable: true, "…")]
        let a = try CommandArguments(["x.elbo", "-v", "--out=r.html", "--benchmark", "5", "--dim", "k=2", "--dim", "m=3", "--", "--y"],
                                     options: options)
        XCTAssertEqual(a.positionals, ["x.elbo", "--y"])
        XCTAssertTrue(a.has("verbose"))
        XCTAssertEqual(a.string("out"), "r.html")
        XCTAssertEqual(try a.int("benchmark"), 5)
        XCTAssertEqual(a.all("dim"), ["k=2", "m=3"])
        let b = try CommandArguments(["--benchmark", "Specs"], options: options)
        XCTAssertTrue(b.has("benchmark"))
        XCTAssertNil(b.string("benchmark"))
        XCTAssertEqual(b.positionals, ["Specs"])
        XCTAssertThrowsError(try CommandArguments(["--out"], options: options))
        XCTAssertThrowsError(try CommandArguments(["--out", "a", "--out", "b"], options: options))
        XCTAssertThrowsError(try CommandArguments(["--verbose=yes"], options: options))
    }
}

/// The commands' exit statuses and messages, run in-process.
final class CommandStatusTests: XCTestCase {
    func testHelpExitsZeroForEveryCommand() {
        for c in Commands.all {
            XCTAssertEqual(c.run(["--help"]), 0, c.name)
            XCTAssertEqual(c.run(["-h"]), 0, c.name)
            for sub in c.subcommands { XCTAssertEqual(c.run([sub.name, "--help"]), 0, "\(c.name) \(sub.name)") }
        }
    }

    func testUsageAndInputErrorsExitTwo() {
        XCTAssertEqual(CheckCommand.command.run(["--no-such-option"]), 2)
        XCTAssertEqual(CheckCommand.command.run(["/nonexistent/missing.elbo"]), 2)
        XCTAssertEqual(CheckCommand.command.run(["--format", "pdf"]), 2)
        XCTAssertEqual(TrainCommand.command.run([]), 2)
        XCTAssertEqual(KernelCommand.command.run(["NoSuchKernel", "--describe"]), 2)
        XCTAssertEqual(BenchCommand.command.run(["nothing"]), 2)
    }
}
