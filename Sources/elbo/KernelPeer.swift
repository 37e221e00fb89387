import Foundation

/// The reference VAE loss and its gradient in PyTorch autograd, for `elbo bench kernel`:
/// the same computation as the generated `VaeBernoulliLoss` (inputs x, decoder logits f,
/// encoder mean μ and log-variance s; mean over the batch of the summed Bernoulli negative
/// log-likelihood plus the closed-form KL; gradients with respect to f, μ and s), timed in a
/// Python subprocess (`--python`, default python3) with as many threads as our kernels use.
enum KernelPeer {
    /// Best seconds of one forward and backward pass, in two forms: `logits` with
    /// `binary_cross_entropy_with_logits` (PyTorch's fused, numerically safe form) and `peer`
    /// as torch_vae.py writes it (sigmoid, then `binary_cross_entropy`).
    struct Timing {
        var logits: Double
        var peer: Double
    }

    static let script = """
        import sys, time
        import torch
        import torch.nn.functional as F
        B, K, M, reps, threads = (int(a) for a in sys.argv[1:6])
        torch.set_num_threads(threads)
        g = torch.Generator().manual_seed(1)
        x = torch.rand(B, K, generator=g)
        f0 = torch.randn(B, K, generator=g) * 3
        mu0 = torch.randn(B, M, generator=g)
        s0 = torch.randn(B, M, generator=g)
        def kl(mu, s):
            return -0.5 * torch.sum(1 + s - mu.pow(2) - s.exp())
        def logits(f, mu, s):
            return (F.binary_cross_entropy_with_logits(f, x, reduction="sum") + kl(mu, s)) / B
        def peer(f, mu, s):
            return (F.binary_cross_entropy(torch.sigmoid(f), x, reduction="sum") + kl(mu, s)) / B
        def best(loss):
            times = []
            for i in range(reps + 20):
                f = f0.clone().requires_grad_(); mu = mu0.clone().requires_grad_(); s = s0.clone().requires_grad_()
                t = time.perf_counter()
                loss(f, mu, s).backward()
                times.append(time.perf_counter() - t)
            return min(times[20:])
        print("logits", best(logits), "peer", best(peer))
        """

    /// Runs the script with `python`; a failure with the reason when it cannot import torch.
    static func time(python: String, k: Int, m: Int, batch: Int, repeats: Int, threads: Int) -> Result<Timing, BenchCommand.PythonUnavailable> {
        let result = BenchCommand.runProcess(
            [python, "-c", script, "\(batch)", "\(k)", "\(m)", "\(repeats)", "\(threads)"],
            environment: ["OMP_NUM_THREADS": "\(threads)", "MKL_NUM_THREADS": "\(threads)"])
        let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
        guard result.status == 0, let logits = BenchCommand.field("logits", in: last),
              let peer = BenchCommand.field("peer", in: last) else {
            return .failure(.init(description: "\(python) with torch not available: \(last)"))
        }
        return .success(Timing(logits: logits, peer: peer))
    }
}
