import Foundation
import ELBOSpec

/// Finds, parses and checks spec files; the whole of `elbo check`.
public struct CheckRun {
    public var checker = Checker()
    /// The declarations (`.elbo`) for the display math of `.md`, `.tex` and `.txt` files.
    public var modelPath: String?
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
                let spec = try parse(path)
                specs.append(spec)
                diagnostics += CheckRun.emptinessWarnings(spec)
            } catch {
                diagnostics += error.diagnostics
            }
        }
        files = checker.check(specs)
        return (CheckReport(files: files), diagnostics)
    }

    /// A spec file, or a paper's text checked against the declarations of `modelPath`.
    func parse(_ path: String) throws(SpecErrors) -> SpecFile {
        guard CheckRun.documentExtensions.contains((path as NSString).pathExtension.lowercased()) else {
            return try SpecParser.parseFile(at: path)
        }
        guard let modelPath else {
            throw SpecErrors([Diagnostic(SourceLocation(file: path, line: 0, column: 0),
                                         "a paper's text needs its declarations: elbo check \(path) --model DECLS.elbo")])
        }
        let document = try CheckRun.read(path)
        let model = try CheckRun.read(modelPath)
        let result = SpecParser.parseDocument(source: document, path: path, modelSource: model, modelPath: modelPath)
        if !result.diagnostics.isEmpty { throw SpecErrors(result.diagnostics) }
        return SpecFile(path: path, derivations: result.file.derivations)
    }

    /// Texts whose display math is checked against `--model` declarations.
    public static let documentExtensions: Set<String> = ["md", "tex", "txt", "markdown"]

    static func read(_ path: String) throws(SpecErrors) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SpecErrors([Diagnostic(SourceLocation(file: path, line: 0, column: 0), exists ? "cannot read the file" : "no such file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecErrors([Diagnostic(SourceLocation(file: path, line: 0, column: 0), "cannot read the file as UTF-8 text")])
        }
        return text
    }

    /// The text of every file of a report that can still be read, for the HTML report's
    /// listings (a file that cannot be read is left out: its steps name their lines unlinked).
    public static func sources(of report: CheckReport) -> [String: String] {
        var out: [String: String] = [:]
        for f in report.files where out[f.path] == nil {
            if let text = try? read(f.path) { out[f.path] = text }
        }
        return out
    }

    /// Warnings for a file that declares no derivation and for derivations with no steps:
    /// they would otherwise check with "0 verified" and exit 0 as if all were well.
    public static func emptinessWarnings(_ spec: SpecFile) -> [Diagnostic] {
        if spec.derivations.isEmpty {
            return [Diagnostic(SourceLocation(file: spec.path, line: 1, column: 1),
                               "no derivation in this file: nothing was checked (start one with 'derivation NAME \"Title\"')",
                               severity: .warning)]
        }
        return spec.derivations.filter { $0.steps.isEmpty }.map {
            Diagnostic($0.location, "derivation '\($0.name)' has no steps: nothing in it was checked", severity: .warning)
        }
    }
}
