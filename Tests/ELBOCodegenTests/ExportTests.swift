import Foundation
import XCTest
@testable import ELBOCodegen
import ELBORuntime
import GeneratedKernels

/// The exported PyTorch and JAX modules against the generated Swift kernels: for every kernel
/// (the objectives of Specs/ through their modules in Exported/, the fixtures exported on the
/// spot), on the same random inputs in float64, the module's loss equals the Double kernel's
/// (relative 1e-9), the framework's autodiff gradient of it equals the generated gradient and
/// each sampler's output and vector-Jacobian product equal the kernel's sampler and its
/// backward (relative 1e-6).
///
/// Python is `$ELBO_PYTHON`, else the package's `.venv/bin/python` (`.ci/run` creates it with
/// numpy and jax). Without a Python, or without the backend in it, the test is skipped with a
/// message saying so: it never passes without having run.
final class ExportTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testPyTorchExportsMatchTheSwiftKernels() throws { try compareEveryKernel(.pytorch) }

    func testJAXExportsMatchTheSwiftKernels() throws { try compareEveryKernel(.jax) }

    /// `elbo generate --check` for Exported/: the committed modules are what the exporter writes.
    func testExportedDirectoryIsFresh() throws {
        let fm = FileManager.default
        let saved = fm.currentDirectoryPath
        XCTAssert(fm.changeCurrentDirectoryPath(Self.packageRoot.path))
        defer { _ = fm.changeCurrentDirectoryPath(saved) }
        let programs = try LossPrograms.fromSpecs("Specs")
        XCTAssertEqual(PythonExporter.staleFiles(programs, in: PythonExporter.defaultDirectory), [], "run `elbo generate`")
        XCTAssertEqual(PythonExporter.exportedFiles(in: PythonExporter.defaultDirectory).count, 2 * programs.count)
    }

    /// A changed, missing or orphaned export is reported, and `write` repairs it.
    func testStaleExportsAreDetected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("elbo-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let programs = LossProgramFixtures.all
        XCTAssertEqual(PythonExporter.staleFiles(programs, in: dir).count, 2 * programs.count, "empty directory")
        try PythonExporter.write(programs, to: dir)
        XCTAssertEqual(PythonExporter.staleFiles(programs, in: dir), [])
        let path = (dir as NSString).appendingPathComponent(PythonExporter.fileName(for: programs[0], backend: .jax))
        try (try String(contentsOfFile: path, encoding: .utf8) + "# edited\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(PythonExporter.staleFiles(programs, in: dir), [path])
        XCTAssertEqual(PythonExporter.staleFiles(Array(programs.dropFirst()), in: dir).count, 2, "orphaned exports")
        try PythonExporter.write(Array(programs.dropFirst()), to: dir)
        XCTAssertEqual(PythonExporter.staleFiles(Array(programs.dropFirst()), in: dir), [])
    }

    // MARK: Comparing with the kernels

    /// One kernel's inputs and what the Swift kernel computes on them.
    struct Case {
        var kernel: any ObjectiveKernel.Type
        var module: String
        /// Which inputs were scaled up, for messages.
        var scaling: String
        var inputs: KernelBatch<Double>
        var params: KernelParams<Double>
        var loss: Double
        var gradients: KernelGradients<Double>
        /// Per sampler: the incoming gradient, the sample and the backward's gradients.
        var samplers: [String: (incoming: [Double], output: [Double], gradients: KernelGradients<Double>)]
    }

    func compareEveryKernel(_ backend: PythonBackend) throws {
        let python = try Self.python(importing: backend)
        let programs = try LossProgramFixtures.all + LossPrograms.fromSpecs(Self.packageRoot.appendingPathComponent("Specs").path)
        var cases: [Case] = []
        for m in try modules(backend) {
            // At ordinary values; with every network output ×20; and with the inputs that reach
            // a softplus or sigmoid ×1000, beyond the range of Double's exponential, where only
            // the safe forms stay finite.
            let outputs = m.kernel.descriptor.inputs.filter { $0.role == .networkOutput }.map(\.name)
            var scalings: [(String, [String: Double])] = [("ordinary values", [:]),
                                                          ("network outputs ×20", Dictionary(uniqueKeysWithValues: outputs.map { ($0, 20) }))]
            guard let program = programs.first(where: { $0.name == m.kernel.descriptor.name }) else {
                XCTFail("no loss program for \(m.kernel.descriptor.name)"); continue
            }
            let saturating = try Self.inputsOfSafeForms(program)
            if !saturating.isEmpty {
                scalings.append(("\(saturating.sorted().joined(separator: ", ")) ×1000",
                                 Dictionary(uniqueKeysWithValues: saturating.map { ($0, 1000) })))
            }
            cases += scalings.map { makeCase(m.kernel, module: m.path, scaling: $0) }
        }
        let results = try Self.evaluate(cases, backend: backend, python: python)
        XCTAssertEqual(results.count, cases.count)
        for (c, r) in zip(cases, results) { compare(c, r, backend) }
    }

    /// Every kernel of the registry with its module: Exported/ for the specs' objectives, a
    /// fresh export in a temporary directory for the fixtures.
    func modules(_ backend: PythonBackend) throws -> [(kernel: any ObjectiveKernel.Type, path: String)] {
        let exported = Self.packageRoot.appendingPathComponent(PythonExporter.defaultDirectory)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("elbo-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: scratch) }
        var byKernel: [String: String] = [:]
        for p in LossProgramFixtures.all {
            let url = scratch.appendingPathComponent(PythonExporter.fileName(for: p, backend: backend))
            try PythonExporter.source(for: p, backend: backend).write(to: url, atomically: true, encoding: .utf8)
            byKernel[p.name] = url.path
        }
        for name in PythonExporter.exportedFiles(in: exported.path) where name.hasSuffix("_\(backend.fileSuffix).py") {
            let text = try String(contentsOf: exported.appendingPathComponent(name), encoding: .utf8)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("KERNEL = ") }) else {
                XCTFail("\(name) names no KERNEL"); continue
            }
            byKernel[String(line.dropFirst("KERNEL = ".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))] =
                exported.appendingPathComponent(name).path
        }
        return KernelRegistry.all.compactMap { k in
            guard let path = byKernel[k.descriptor.name] else {
                XCTFail("no \(backend.displayName) export of \(k.descriptor.name); run `elbo generate`"); return nil
            }
            return (k, path)
        }
    }

    /// Inputs read through a softplus, sigmoid or log-sigmoid of the loss (Bernoulli logits).
    static func inputsOfSafeForms(_ program: LossProgram) throws -> Set<String> {
        let plan = try KernelPlan(program)
        let g = plan.loss.graph
        var out = Set<String>()
        for id in g.closure(of: plan.loss.sinks.map(\.value)) {
            switch g[id].op {
            case .softplus, .sigmoid, .logsigmoid:
                for leaf in g.closure(of: g[id].args) { if case .input(let n, _) = g[leaf].op { out.insert(n) } }
            default: break
            }
        }
        return out
    }

    func makeCase(_ kernel: any ObjectiveKernel.Type, module: String, scaling: (String, [String: Double])) -> Case {
        func run<K: ObjectiveKernel>(_ k: K.Type) -> Case {
            let d = K.descriptor
            var rng = RNG(seed: 14)
            var (inputs, params) = KernelGradcheck.randomInputs(d, dims: KernelGradcheck.defaultDims(d), batchSize: 3, rng: &rng)
            for (name, factor) in scaling.1 {
                inputs.set(name, inputs.values(name)!.map { $0 * factor }, width: d.width(of: name, dims: inputs.dims))
            }
            // The samples first, as in training: the loss then reads the sampled latents.
            var samplers: [String: (incoming: [Double], output: [Double], gradients: KernelGradients<Double>)] = [:]
            for s in d.samplers {
                let n = inputs.batchSize * d.width(of: s.output, dims: inputs.dims)
                let incoming = (0..<n).map { _ in rng.normalDouble() }
                K.sample(s.output, inputs: &inputs, params: params)
                var back = KernelGradients<Double>()
                back.setInput(s.output, buffer: KernelBuffer(incoming))
                for name in s.gradientInputs { _ = back.input(name, count: inputs.batchSize * d.width(of: name, dims: inputs.dims)) }
                for p in d.params { _ = back.param(p.name, count: d.count(of: p, dims: inputs.dims)) }
                K.sampleBackward(s.output, inputs: inputs, params: params, gradients: &back)
                samplers[s.output] = (incoming, inputs.values(s.output)!, back)
            }
            var grads = KernelGradients<Double>()
            let loss = K.loss(inputs: inputs, params: params, gradients: &grads)
            return Case(kernel: k, module: module, scaling: scaling.0, inputs: inputs, params: params, loss: loss, gradients: grads, samplers: samplers)
        }
        return run(kernel)
    }

    func compare(_ c: Case, _ r: [String: Any], _ backend: PythonBackend) {
        let d = c.kernel.descriptor
        let what = "\(d.name) (\(backend.displayName), \(c.scaling))"
        XCTAssertEqual(r["kernel"] as? String, d.name, what)
        guard let loss = Self.number(r["loss"]), let gradients = Self.numbers(r["gradients"]),
              let samplers = r["samplers"] as? [String: [String: Any]] else {
            return XCTFail("\(what): malformed result \(r)")
        }
        assertClose(loss, c.loss, rtol: 1e-9, atol: 0, "loss of \(what)")
        // loss() takes exactly what the kernel's loss reads, and every parameter.
        XCTAssertEqual(Set(gradients.keys), Set(d.inputs.filter(\.readByLoss).map(\.name) + d.params.map(\.name)), what)
        var compared = 0
        for i in d.inputs where i.hasGradient {
            let n = c.inputs.batchSize * d.width(of: i.name, dims: c.inputs.dims)
            let swift = Array(c.gradients.inputs[i.name]!.array.prefix(n))
            guard let exported = gradients[i.name] else {
                // Not an argument of loss(): the kernel's gradient must then be zero.
                XCTAssert(swift.allSatisfy { $0 == 0 }, "\(what): ∂loss/∂\(i.name) is not zero but loss() does not take \(i.name)")
                continue
            }
            compared += compareArrays(exported, swift, rtol: 1e-6, "∂loss/∂\(i.name) of \(what)")
        }
        for p in d.params {
            let swift = c.gradients.params[p.name]!.array
            compared += compareArrays(gradients[p.name] ?? [], swift, rtol: 1e-6, "∂loss/∂\(p.name) of \(what)")
        }
        XCTAssertGreaterThan(compared, 0, what)
        XCTAssertEqual(Set(samplers.keys), Set(d.samplers.map(\.output)), what)
        for s in d.samplers {
            guard let result = samplers[s.output], let output = Self.numbers(["output": result["output"] as Any])?["output"],
                  let sgrads = Self.numbers(result["gradients"]), let swift = c.samplers[s.output] else {
                XCTFail("\(what): no result for sampler \(s.output)"); continue
            }
            compareArrays(output, swift.output, rtol: 1e-9, "sample_\(s.output) of \(what)")
            for name in s.gradientInputs {
                let n = c.inputs.batchSize * d.width(of: name, dims: c.inputs.dims)
                let expected = Array(swift.gradients.inputs[name]!.array.prefix(n))
                compareArrays(sgrads[name] ?? [], expected, rtol: 1e-6, "∂\(s.output)/∂\(name) of \(what)")
            }
            for p in s.gradientParams {
                compareArrays(sgrads[p] ?? [], swift.gradients.params[p]!.array, rtol: 1e-6, "∂\(s.output)/∂\(p) of \(what)")
            }
        }
    }

    /// A number of the script's JSON; null (a value that was not finite) reads as NaN, so it
    /// fails every comparison.
    static func number(_ v: Any?) -> Double? {
        if v is NSNull { return .nan }
        return v as? Double
    }

    /// `{name: [numbers]}` of the script's JSON, nulls as NaN.
    static func numbers(_ v: Any?) -> [String: [Double]]? {
        guard let object = v as? [String: Any] else { return nil }
        var out: [String: [Double]] = [:]
        for (name, list) in object {
            guard let items = list as? [Any] else { return nil }
            var values: [Double] = []
            for item in items {
                guard let x = number(item) else { return nil }
                values.append(x)
            }
            out[name] = values
        }
        return out
    }

    /// Element by element, |a − b| ≤ rtol·max(|b|, 1e-12); the number of elements compared.
    @discardableResult
    func compareArrays(_ a: [Double], _ b: [Double], rtol: Double, _ what: String) -> Int {
        guard a.count == b.count else {
            XCTFail("\(what): \(a.count) values, expected \(b.count)"); return 0
        }
        for (k, (x, y)) in zip(a, b).enumerated() where !(Swift.abs(x - y) <= rtol * max(Swift.abs(y), 1e-12)) {
            XCTFail("\(what)[\(k)]: \(x) vs \(y)"); return a.count
        }
        return a.count
    }

    // MARK: Python

    /// The Python that has `backend`, or a skip that says why the comparison did not run.
    static func python(importing backend: PythonBackend) throws -> String {
        let env = ProcessInfo.processInfo.environment
        let local = packageRoot.appendingPathComponent(".venv/bin/python").path
        let python: String
        if let p = env["ELBO_PYTHON"], !p.isEmpty {
            python = p
        } else if FileManager.default.isExecutableFile(atPath: local) {
            python = local
        } else {
            throw XCTSkip("DID NOT RUN: no Python for the \(backend.displayName) export tests; set ELBO_PYTHON or create .venv (see .ci/run)")
        }
        let module = backend == .pytorch ? "torch" : "jax"
        let probe = run([python, "-c", "import \(module)"], input: Data())
        guard probe.status == 0 else {
            throw XCTSkip("DID NOT RUN: \(python) cannot import \(module), so the \(backend.displayName) exports were not "
                          + "compared with the kernels: \(probe.error.suffix(300))")
        }
        return python
    }

    /// Runs `export_check.py` on all cases at once; one result object per case.
    static func evaluate(_ cases: [Case], backend: PythonBackend, python: String) throws -> [[String: Any]] {
        var requestCases: [[String: Any]] = []
        for c in cases {
            let d = c.kernel.descriptor
            var arrays: [String: Any] = [:]
            for i in d.inputs {
                let w = d.width(of: i.name, dims: c.inputs.dims)
                let shape = i.dimension == nil ? [c.inputs.batchSize] : [c.inputs.batchSize, w]
                arrays[i.name] = ["shape": shape, "values": c.inputs.values(i.name)!]
            }
            for p in d.params {
                arrays[p.name] = ["shape": p.shape.map { c.inputs.dims[$0] ?? Int($0)! }, "values": c.params.values(p.name)!]
            }
            var incoming: [String: Any] = [:]
            for s in d.samplers {
                incoming[s.output] = ["shape": [c.inputs.batchSize, d.width(of: s.output, dims: c.inputs.dims)],
                                      "values": c.samplers[s.output]!.incoming]
            }
            requestCases.append(["module": c.module, "arrays": arrays, "incoming": incoming])
        }
        let request = try JSONSerialization.data(withJSONObject: ["backend": backend.rawValue, "cases": requestCases])
        let script = packageRoot.appendingPathComponent("Tests/Python/export_check.py").path
        let result = run([python, script], input: request)
        guard result.status == 0 else {
            XCTFail("export_check.py failed (status \(result.status)): \(result.error.suffix(2000))")
            return []
        }
        guard let top = try JSONSerialization.jsonObject(with: result.output) as? [String: Any],
              let results = top["cases"] as? [[String: Any]] else {
            XCTFail("export_check.py printed no result: \(String(decoding: result.output.prefix(500), as: UTF8.self))")
            return []
        }
        return results
    }

    static func run(_ arguments: [String], input: Data) -> (status: Int32, output: Data, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["JAX_PLATFORMS"] = "cpu"
        process.environment = env
        // Standard error goes to a file, so only standard output needs reading while the
        // process runs; the script prints its result after it has read all of its input.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("elbo-export-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        guard let stderr = try? FileHandle(forWritingTo: errorFile) else { return (-1, Data(), "cannot create \(errorFile.path)") }
        process.standardError = stderr
        do { try process.run() } catch { return (-1, Data(), "cannot run \(arguments[0]): \(error)") }
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? stderr.close()
        let errors = (try? Data(contentsOf: errorFile)) ?? Data()
        return (process.terminationStatus, output, String(decoding: errors, as: UTF8.self))
    }
}
