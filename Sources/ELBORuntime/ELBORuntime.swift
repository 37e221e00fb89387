// ELBORuntime: the numeric layer. It knows nothing of symbols; generated kernels import it.
//
//   Tensor/       contiguous row-major Float tensors, row gathers for minibatches, elementwise ops
//   GEMM/         blocked, packed, SIMD matrix multiply on all cores; `benchmarkGEMM`
//   Layers/       `Dense`, `Activation`, `MLP`, each with an explicit backward pass
//   Optim/        `Adam` as a pure per-parameter step (torch.optim.Adam's arithmetic)
//   Random/       `RNG`: seeded xoshiro256**, normals, permutations; Codable for checkpoints
//   Compression/  CRC-32, Adler-32, INFLATE, gzip and zlib readers, a small DEFLATE writer
//   Data/         IDX files and `MNIST.load`, `Dataset` and `Batch`
//   Image/        PNG writer, `ImageGrid`, `LossCurvePlot`
//   Training/     `TrainableModel`, `Trainer`, `Checkpoint`, `InterruptFlag`, `ProgressLine`
//
// Build note: compiled as-is the GEMM uses an SSE2 kernel that runs on any x86-64. Building
// with `-Xcc -mfma -Xcc -mavx2 -D ELBO_FMA` (x86-64 with AVX2/FMA, i.e. Haswell or newer) selects the
// fused multiply-add kernel, about 2.5× faster. arm64 always uses the FMA kernel.
