import Foundation
import ELBOAlgebra
import ELBOSpec
import ELBOCodegen
import ELBORuntime
import GeneratedKernels

/// An objective of a spec together with its generated kernel: what `elbo train` and
/// `elbo sample` build a model from.
struct ModelSetup {
    /// The spec path as given.
    var specPath: String
    var derivation: Derivation
    var objective: ObjectiveDecl
    /// The kernel's type name, the objective's name in CamelCase.
    var kernelName: String
    var kernel: any ObjectiveKernel.Type

    /// Latent sizes of the reference models when `--dim` does not say otherwise: m = 20 as the
    /// reference MNIST VAE, the CDVAE's two codes 10 each, the SRVAE's z 20 (its u shares the
    /// CDVAE's m_u = 10) and K = 10 mixture components in its prior.
    static let defaultDimensions: [String: Int] = ["m": 20, "m_l": 10, "m_u": 10, "m_z": 20, "K": 10]
    /// MNIST's class count, the size of a label input.
    static let classCount = 10

    /// Parses `specPath` and finds the objective (the only one when `objective` is nil) and its
    /// kernel in `KernelRegistry`.
    static func load(specPath: String, objective name: String?) throws -> ModelSetup {
        let spec: SpecFile
        do { spec = try SpecParser.parseFile(at: specPath) } catch {
            throw CommandFailure.input("\(error)")
        }
        let all = spec.derivations.flatMap { d in d.objectives.map { (d, $0) } }
        let chosen: (Derivation, ObjectiveDecl)
        if let name {
            guard let found = all.first(where: { $0.1.name == name }) else {
                throw CommandFailure.input("\(specPath): no objective '\(name)'; it declares "
                    + (all.isEmpty ? "none" : all.map(\.1.name).joined(separator: ", ")))
            }
            chosen = found
        } else {
            guard all.count == 1 else {
                throw CommandFailure.usage(all.isEmpty
                    ? "\(specPath) declares no objective to train"
                    : "\(specPath) declares \(all.count) objectives (\(all.map(\.1.name).joined(separator: ", "))); choose one with --objective")
            }
            chosen = all[0]
        }
        let kernelName = ObjectiveLowering.kernelTypeName(chosen.1.name)
        guard let kernel = KernelRegistry.kernel(named: kernelName) else {
            let have = KernelRegistry.all.map { $0.descriptor.name }
            throw CommandFailure.input("no generated kernel \(kernelName) for objective \(chosen.1.name) of \(specPath); "
                + "Generated/ has \(have.isEmpty ? "none" : have.joined(separator: ", ")). "
                + "Run `elbo generate` and rebuild (`swift build`) to generate it.")
        }
        return ModelSetup(specPath: specPath, derivation: chosen.0, objective: chosen.1, kernelName: kernelName, kernel: kernel)
    }

    /// Whether the kernel was generated from this exact spec text (nil when unknown, e.g. a
    /// fixture kernel).
    var kernelMatchesSpec: Bool? {
        let d = kernel.descriptor
        guard URL(fileURLWithPath: d.specPath).lastPathComponent == URL(fileURLWithPath: specPath).lastPathComponent,
              let text = try? String(contentsOfFile: specPath, encoding: .utf8) else { return nil }
        return ObjectiveLowering.specHash(of: text) == d.specHash
    }

    /// `NAME=VALUE` arguments of `--dim` as a dictionary.
    static func parseDimensionOverrides(_ args: [String]) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for a in args {
            let parts = a.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let n = Int(parts[1]), n > 0 else {
                throw CommandFailure.usage("--dim needs NAME=VALUE with a positive VALUE, got '\(a)'")
            }
            out[parts[0]] = n
        }
        return out
    }

    /// The size of every dimension symbol of `descriptor`: the data input's from the data
    /// (`dataWidth`), a label input's is the class count, a 2×2-downsampled transform's a
    /// quarter of its input's, the rest from `overrides` or `defaultDimensions`.
    static func resolveDimensions(_ descriptor: KernelDescriptor, overrides: [String: Int],
                                  dataWidth: Int = MNIST.pixels, classes: Int = classCount) throws -> [String: Int] {
        let known = Set(descriptor.dimensions)
        if let unknown = overrides.keys.sorted().first(where: { !known.contains($0) }) {
            throw CommandFailure.usage("--dim \(unknown)=…: kernel \(descriptor.name) has no dimension '\(unknown)'"
                + " (it has \(descriptor.dimensions.joined(separator: ", ")))")
        }
        var dims: [String: Int] = [:]
        for d in descriptor.dimensions { if let n = Int(d) { dims[d] = n } }  // literal sizes
        for input in descriptor.inputs {
            guard let d = input.dimension, known.contains(d) else { continue }
            switch input.role {
            case .data:
                if let given = overrides[d], given != dataWidth {
                    throw CommandFailure.usage("--dim \(d)=\(given): the data input \(input.name) has \(dataWidth) values per example")
                }
                dims[d] = dataWidth
            case .label:
                if let given = overrides[d], given != classes {
                    throw CommandFailure.usage("--dim \(d)=\(given): the label input \(input.name) has \(classes) classes")
                }
                dims[d] = classes
            default: break
            }
        }
        for (d, n) in overrides where dims[d] == nil { dims[d] = n }
        for (d, n) in defaultDimensions where known.contains(d) && dims[d] == nil { dims[d] = n }
        // A 2×2 downsampling (e.g. the SRVAE's y) has a quarter of its input's width.
        for t in descriptor.transforms where t.function == "downsample2x2" {
            guard let out = descriptor.input(t.output)?.dimension, dims[out] == nil,
                  let inDim = descriptor.input(t.input)?.dimension, let w = dims[inDim] else { continue }
            dims[out] = w / 4
        }
        let missing = descriptor.dimensions.filter { dims[$0] == nil }
        if !missing.isEmpty {
            throw CommandFailure.usage("no size for dimension\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) of kernel \(descriptor.name); "
                + "give \(missing.map { "--dim \($0)=N" }.joined(separator: " "))")
        }
        return dims
    }
}

/// The dimensions as `k=784 m=20`, sorted by name.
func describeDimensions(_ dims: [String: Int]) -> String {
    dims.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
}
