import Foundation

/// Turns loss programs into Python modules (`elbo export`) and keeps the exported copies in
/// `Exported/` fresh, the way `KernelGenerator` keeps `Generated/` (`elbo generate --check`
/// checks both).
public enum PythonExporter {
    /// The directory `elbo generate` writes the exported modules of Specs/ to.
    public static let defaultDirectory = "Exported"

    /// The Python source of `program` for `backend`. Deterministic.
    public static func source(for program: LossProgram, backend: PythonBackend) throws -> String {
        try PythonModuleEmitter(plan: try KernelPlan(program), backend: backend).source()
    }

    /// The objective's name (`vae_bernoulli_loss`), read from the `name = …` text the lowering
    /// writes; for a hand-built program, its kernel name.
    public static func objectiveName(of program: LossProgram) -> String {
        let text = program.objectiveText
        if let r = text.range(of: " = ") {
            let name = String(text[..<r.lowerBound])
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { return name }
        }
        return program.name
    }

    /// `vae_bernoulli_loss_torch.py`, `vae_bernoulli_loss_jax.py`.
    public static func fileName(for program: LossProgram, backend: PythonBackend) -> String {
        "\(objectiveName(of: program))_\(backend.fileSuffix).py"
    }

    /// Every exported file of `programs`, both backends, by file name.
    public static func files(_ programs: [LossProgram]) throws -> [String: String] {
        var out: [String: String] = [:]
        for p in programs {
            for b in PythonBackend.allCases { out[fileName(for: p, backend: b)] = try source(for: p, backend: b) }
        }
        return out
    }

    /// Writes the exports of `programs` into `directory` and removes exported files of
    /// programs that no longer exist (files without the export header are left alone).
    @discardableResult
    public static func write(_ programs: [LossProgram], to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let wanted = try files(programs)
        var written: [String] = []
        for (name, text) in wanted.sorted(by: { $0.key < $1.key }) {
            let path = (directory as NSString).appendingPathComponent(name)
            if (try? String(contentsOfFile: path, encoding: .utf8)) != text {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
            written.append(path)
        }
        for name in exportedFiles(in: directory) where wanted[name] == nil {
            try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        return written
    }

    /// Paths in `directory` that differ from what `write` would produce: missing, modified, or
    /// exported from a program that no longer exists. Empty when the directory is fresh.
    public static func staleFiles(_ programs: [LossProgram], in directory: String) -> [String] {
        let wanted: [String: String]
        do { wanted = try files(programs) } catch { return ["(export failed: \(error))"] }
        var stale: [String] = []
        for (name, text) in wanted.sorted(by: { $0.key < $1.key }) {
            let path = (directory as NSString).appendingPathComponent(name)
            if (try? String(contentsOfFile: path, encoding: .utf8)) != text { stale.append(path) }
        }
        for name in exportedFiles(in: directory) where wanted[name] == nil {
            stale.append((directory as NSString).appendingPathComponent(name))
        }
        return stale
    }

    /// Python files in `directory` that carry the export header.
    static func exportedFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            guard name.hasSuffix(".py"),
                  let text = try? String(contentsOfFile: (directory as NSString).appendingPathComponent(name), encoding: .utf8)
            else { return false }
            return text.hasPrefix(PythonModuleEmitter.headerPrefix)
        }.sorted()
    }
}
