import ELBOAlgebra
import Foundation

/// Parses `.elbo` spec files (the language of `SPEC-LANGUAGE.md` and `Specs/README.md`).
public enum SpecParser {
    /// A parse that kept going after errors.
    public struct Result: Sendable {
        /// Every derivation, with each step read as far as possible.
        public var file: SpecFile
        /// All problems, sorted by position.
        public var diagnostics: [Diagnostic]
        /// For each derivation index, the indices of steps whose text produced a diagnostic:
        /// their expressions are not trustworthy and a checker should report them as errors.
        public var erroneousSteps: [Int: Set<Int>]
    }

    /// Parses a spec; throws every diagnostic when there is any.
    /// - Parameter path: the name used in diagnostics (`path:line:column: error: …`).
    public static func parse(source: String, path: String) throws(SpecErrors) -> SpecFile {
        let result = parseRecovering(source: source, path: path)
        if !result.diagnostics.isEmpty { throw SpecErrors(result.diagnostics) }
        return result.file
    }

    /// Reads and parses the file at `path`.
    public static func parseFile(at path: String) throws(SpecErrors) -> SpecFile {
        let start = SourceLocation(file: path, line: 0, column: 0)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SpecErrors([Diagnostic(start, "no such file")])
        }
        if isDirectory.boolValue { throw SpecErrors([Diagnostic(start, "is a directory, not a spec file")]) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecErrors([Diagnostic(start, "cannot read the file (permission denied or not a regular file)")])
        }
        guard let source = String(data: data, encoding: .utf8) else {
            throw SpecErrors([Diagnostic(start, "the file is not UTF-8 text")])
        }
        return try parse(source: source, path: path)
    }

    /// Parses the display math of a paper or note (`.md`, `.tex`, `.txt`) as the steps of the
    /// last derivation of the model (declarations in `.elbo`); diagnostics point into the file
    /// they concern.
    public static func parseDocument(source: String, path: String, modelSource: String, modelPath: String) -> Result {
        let chars = Array(source)
        let block = LaTeXBlock(text: SourceText(chars: chars, file: path, firstLine: 1, firstColumn: 1), range: 0..<chars.count)
        return FileParser(path: modelPath).parse(modelSource, document: block)
    }

    /// Parses a spec without throwing: the derivations as far as they could be read, and the
    /// diagnostics. Use this to report ill-formed steps as errors while checking the others.
    public static func parseRecovering(source: String, path: String) -> Result {
        FileParser(path: path).parse(source)
    }

    /// Parses one expression in the context of a derivation's declarations (for tests, tools
    /// and rewrite-rule tables). `(LABEL)` is a step reference when `stepLabels` contains LABEL.
    public static func parseExpression(_ text: String, in declarations: Declarations,
                                       stepLabels: Set<String> = [], path: String = "<expression>") throws(SpecErrors) -> Expr {
        let sink = DiagnosticSink(file: path)
        let (tokens, lexDiagnostics) = Lexer.tokenize(text, file: path)
        for d in lexDiagnostics { sink.error(at: d.location, d.message) }
        var scope = Scope(declarations: declarations)
        scope.stepLabels = stepLabels
        let origin = Token(kind: .end, text: "", raw: "", number: nil, line: 1, column: 1, start: 0, end: 0, atLineStart: true)
        let p = ExprParser(tokens: tokens, after: origin, scope: scope, sink: sink)
        var result: Expr?
        do {
            result = try p.parseExpression()
            if !p.atEnd { sink.error(p.peek, "unexpected \(p.peek.quoted) after the expression") }
        } catch {}
        if let result, sink.items.isEmpty { return result }
        throw SpecErrors(sink.items)
    }
}
