import Foundation
import ELBOSpec

/// Finds, parses and checks spec files; the whole of `elbo check`.
public struct CheckRun {
    public var checker = Checker()
    public init() {}

    /// The `.elbo` files under the given paths (files or directories), sorted.
    public static func specFiles(in paths: [String]) throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
                throw SpecErrors([Diagnostic(SourceLocation(file: p, line: 0, column: 0), "no such file or directory")])
            }
            if isDir.boolValue {
                let items = (try? fm.subpathsOfDirectory(atPath: p)) ?? []
                out += items.filter { $0.hasSuffix(".elbo") }.sorted().map { (p as NSString).appendingPathComponent($0) }
            } else {
                out.append(p)
            }
        }
        return out
    }

    /// Parses and checks every file; returns the report and the diagnostics of files that did
    /// not parse (those files are not checked).
    public func run(paths: [String]) -> (report: CheckReport, diagnostics: [Diagnostic]) {
        var files: [FileReport] = []
        var diagnostics: [Diagnostic] = []
        let list: [String]
        do { list = try CheckRun.specFiles(in: paths) } catch let e as SpecErrors {
            return (CheckReport(files: []), e.diagnostics)
        } catch { return (CheckReport(files: []), []) }
        var specs: [SpecFile] = []
        for path in list {
            do {
                specs.append(try SpecParser.parseFile(at: path))
            } catch {
                diagnostics += error.diagnostics
            }
        }
        files = checker.check(specs)
        return (CheckReport(files: files), diagnostics)
    }
}
