import Foundation

/// What a training run directory holds besides the checkpoint: everything `elbo sample` and
/// `elbo train --resume` need to rebuild the model. Stored as `DIR/run.json`, next to
/// `DIR/checkpoint.ckpt` (whose own metadata is the trainer's `TrainingState`).
struct RunMetadata: Codable, Equatable {
    /// The file name inside a run directory.
    static let fileName = "run.json"
    /// The checkpoint's file name inside a run directory.
    static let checkpointName = "checkpoint.ckpt"

    /// The spec path as given on the command line, and made absolute.
    var spec: String
    var specAbsolute: String
    var derivation: String
    var objective: String
    /// The generated kernel's type name.
    var kernel: String
    var dims: [String: Int]
    var hidden: [Int]
    var seed: UInt64
    var batch: Int
    /// Training examples used (nil: all 60,000).
    var limit: Int?
    var learningRate: Double
    /// The epoch count of the latest `elbo train` on this directory.
    var epochs: Int
    /// The MNIST directory (nil: the copy bundled with the package).
    var data: String?

    /// The checkpoint of the run in `directory`.
    static func checkpointURL(in directory: URL) -> URL { directory.appendingPathComponent(checkpointName) }

    /// Reads `DIR/run.json`.
    static func load(from directory: URL) throws -> RunMetadata {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CommandFailure.input("\(url.path): error: no run metadata (is \(directory.path) a directory written by `elbo train`?)")
        }
        do {
            return try JSONDecoder().decode(RunMetadata.self, from: data)
        } catch {
            throw CommandFailure.input("\(url.path): error: unreadable run metadata: \(error)")
        }
    }

    /// Writes `DIR/run.json` atomically.
    func save(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent(Self.fileName), options: .atomic)
    }
}
