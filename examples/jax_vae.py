"""Trains the reference MNIST VAE (784-400-20, ReLU, Adam 1e-3 with PyTorch's defaults, batch 128,
PyTorch's nn.Linear initialisation) with the checked loss that `elbo export` writes from
Specs/vae_bernoulli.elbo for JAX, the whole step (forward, exported loss, gradient, Adam)
compiled by jax.jit. Nothing about the loss is written here: the sampler and the negative bound
are the exported module's `sample_z` and `loss`.

Prints one line per epoch, ending in `test_loss X`: the exported loss in nats per example on
the 10,000 test images (a one-sample estimate, as the PyTorch reference prints).

Usage: python examples/jax_vae.py [--epochs E] [--elbo PATH] [--data DIR] [--seed S] [--limit N]
           [--threads T]
Needs jax; runs `elbo export` (the elbo on PATH unless --elbo is given) from the repository.
"""
import argparse
import gzip
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import jax
import jax.numpy as jnp
import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = "Specs/vae_bernoulli.elbo"
MNIST = os.path.join(REPO, "Sources", "ELBORuntime", "Resources", "MNIST")
BATCH, HIDDEN, LATENT = 128, 400, 20


def export_loss(elbo, directory):
    """Runs `elbo export` on the reference VAE's spec and imports the module."""
    path = os.path.join(directory, "vae_bernoulli_loss_jax.py")
    found = shutil.which(elbo) or (elbo if os.path.exists(elbo) else None)
    if found is None:
        sys.exit(f"jax_vae.py: cannot find elbo ('{elbo}'); put it on PATH or give --elbo PATH")
    subprocess.run([found, "export", SPEC, "--to", "jax", "--out", path], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    spec = importlib.util.spec_from_file_location("vae_bernoulli_loss_jax", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def images(path):
    """An IDX image file (gzip) as float32 [n, rows * cols] in [0, 1]."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n, rows, cols = struct.unpack(">IIII", data[:16])
    assert magic == 2051, f"{path} is not an IDX image file"
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows * cols).astype(np.float32) / 255


def linear(key, fan_in, fan_out):
    """PyTorch's nn.Linear initialisation: weights and biases uniform in ±1/sqrt(fan_in)."""
    k1, k2 = jax.random.split(key)
    bound = 1.0 / np.sqrt(fan_in)
    return (jax.random.uniform(k1, (fan_in, fan_out), minval=-bound, maxval=bound),
            jax.random.uniform(k2, (fan_out,), minval=-bound, maxval=bound))


def init(key, pixels):
    """The networks the spec declares: encoder x -> mu, s and decoder z -> f (Bernoulli logits)."""
    ks = jax.random.split(key, 5)
    return {"enc": linear(ks[0], pixels, HIDDEN), "enc_mu": linear(ks[1], HIDDEN, LATENT),
            "enc_s": linear(ks[2], HIDDEN, LATENT), "dec": linear(ks[3], LATENT, HIDDEN),
            "dec_f": linear(ks[4], HIDDEN, pixels)}


def dense(p, x):
    return x @ p[0] + p[1]


def make_loss(exported):
    assert exported.NETWORKS == {"encoder": (("x",), ("mu", "s")), "decoder": (("z",), ("f",))}, exported.NETWORKS

    def model_loss(params, x, eps_z):
        h = jax.nn.relu(dense(params["enc"], x))
        mu, s = dense(params["enc_mu"], h), dense(params["enc_s"], h)
        z = exported.sample_z(mu=mu, s=s, eps_z=eps_z)
        f = dense(params["dec_f"], jax.nn.relu(dense(params["dec"], z)))
        return exported.loss(x=x, mu=mu, s=s, f=f)

    return model_loss


def make_step(model_loss):
    @jax.jit
    def step(params, m, v, t, x, eps_z):
        loss, g = jax.value_and_grad(model_loss)(params, x, eps_z)
        b1, b2, lr, e = 0.9, 0.999, 1e-3, 1e-8
        m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
        v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
        params = jax.tree_util.tree_map(
            lambda p, m, v: p - lr * (m / (1 - b1 ** t)) / (jnp.sqrt(v / (1 - b2 ** t)) + e), params, m, v)
        return params, m, v, loss

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--elbo", default="elbo", help="the elbo executable (default: elbo on PATH)")
    parser.add_argument("--data", default=MNIST, help="MNIST directory (default: the repository's bundled copy)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=60000, help="train on the first N images (default: all)")
    parser.add_argument("--threads", type=int, default=1,
                        help="XLA's intra-op threads (default 1: on a busy machine threads that wait for each "
                             "other are slower than one); ignored when XLA_FLAGS is set")
    args = parser.parse_args()
    # Read when JAX first computes, so setting it here, before any array exists, is in time.
    os.environ.setdefault("XLA_FLAGS", f"--xla_cpu_multi_thread_eigen={'true' if args.threads > 1 else 'false'} "
                                       f"intra_op_parallelism_threads={args.threads}")
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    with tempfile.TemporaryDirectory() as directory:
        exported = export_loss(args.elbo, directory)
    train = images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))[:args.limit]
    test = jnp.asarray(images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")))
    model_loss = make_loss(exported)
    step, test_loss = make_step(model_loss), jax.jit(model_loss)
    key = jax.random.PRNGKey(args.seed)
    key, k0 = jax.random.split(key)
    params = init(k0, train.shape[1])
    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)
    rng = np.random.default_rng(args.seed)
    t = 0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(len(train))
        total, seen = 0.0, 0
        for first in range(0, len(train), BATCH):
            x = jnp.asarray(train[order[first:first + BATCH]])
            t += 1
            key, k = jax.random.split(key)
            params, m, v, loss = step(params, m, v, float(t), x, jax.random.normal(k, (x.shape[0], LATENT)))
            total += float(loss) * x.shape[0]
            seen += x.shape[0]
        seconds = time.perf_counter() - start
        tested = 0.0
        for first in range(0, test.shape[0], 1000):
            x = test[first:first + 1000]
            key, k = jax.random.split(key)
            tested += float(test_loss(params, x, jax.random.normal(k, (x.shape[0], LATENT)))) * x.shape[0]
        print(f"epoch {epoch} train_loss {total / seen:.3f} epoch_seconds {seconds:.1f} "
              f"test_loss {tested / test.shape[0]:.3f}", flush=True)


if __name__ == "__main__":
    main()
