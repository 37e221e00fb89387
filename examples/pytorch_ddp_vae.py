"""Trains the reference MNIST VAE (784-400-20, ReLU, Adam 1e-3, a global batch of 128) with the
checked loss that `elbo export` writes from Specs/vae_bernoulli.elbo, under torch.distributed:
gloo backend, --world-size N processes that this script starts itself, each holding 128 / N
examples of every batch (DistributedDataParallel averages their gradients, so a step is a step
on the mean over the whole batch). Nothing about the loss is written here: the sampler and the
negative bound are the exported module's `sample_z` and `loss`.

Prints one line per epoch, ending in `test_loss X`: the exported loss in nats per example on
the 10,000 test images (a one-sample estimate, as the PyTorch reference prints).

Usage: python examples/pytorch_ddp_vae.py [--world-size N] [--epochs E] [--elbo PATH]
           [--data DIR] [--seed S] [--limit N] [--threads T]
Needs torch; runs `elbo export` (the elbo on PATH unless --elbo is given) from the repository.
"""
import argparse
import gzip
import importlib.util
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = "Specs/vae_bernoulli.elbo"
MNIST = os.path.join(REPO, "Sources", "ELBORuntime", "Resources", "MNIST")
GLOBAL_BATCH = 128


def export_loss(elbo, directory):
    """Runs `elbo export` on the reference VAE's spec; returns the module's path."""
    path = os.path.join(directory, "vae_bernoulli_loss_torch.py")
    found = shutil.which(elbo) or (elbo if os.path.exists(elbo) else None)
    if found is None:
        sys.exit(f"pytorch_ddp_vae.py: cannot find elbo ('{elbo}'); put it on PATH or give --elbo PATH")
    subprocess.run([found, "export", SPEC, "--to", "pytorch", "--out", path], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return path


def load_module(path):
    spec = importlib.util.spec_from_file_location("vae_bernoulli_loss_torch", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def images(path):
    """An IDX image file (gzip) as a float tensor [n, rows * cols] in [0, 1]."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n, rows, cols = struct.unpack(">IIII", data[:16])
    assert magic == 2051, f"{path} is not an IDX image file"
    pixels = torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8)
    return pixels.reshape(n, rows * cols).to(torch.float32) / 255


class VAE(nn.Module):
    """The networks the spec declares: encoder x -> mu, s and decoder z -> f (Bernoulli logits)."""

    def __init__(self, exported, pixels=784, hidden=400, latent=20):
        super().__init__()
        assert exported.NETWORKS == {"encoder": (("x",), ("mu", "s")), "decoder": (("z",), ("f",))}, exported.NETWORKS
        self.exported = exported
        self.enc = nn.Linear(pixels, hidden)
        self.enc_mu, self.enc_s = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
        self.dec = nn.Linear(latent, hidden)
        self.dec_f = nn.Linear(hidden, pixels)

    def forward(self, x, eps_z):
        h = F.relu(self.enc(x))
        mu, s = self.enc_mu(h), self.enc_s(h)
        z = self.exported.sample_z(mu=mu, s=s, eps_z=eps_z)
        f = self.dec_f(F.relu(self.dec(z)))
        return self.exported.loss(x=x, mu=mu, s=s, f=f)


def worker(rank, world, args, module_path, port):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.set_num_threads(args.threads)
    exported = load_module(module_path)
    train = images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))[:args.limit]
    test = images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    torch.manual_seed(args.seed)  # the same initial parameters on every rank
    model = nn.parallel.DistributedDataParallel(VAE(exported))
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    noise = torch.Generator().manual_seed(args.seed * 1000 + rank)  # each rank its own noise
    shuffle = torch.Generator().manual_seed(args.seed)  # the same order on every rank
    latent = model.module.enc_mu.out_features
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(train), generator=shuffle)
        total = torch.zeros(2, dtype=torch.float64)  # summed loss, examples
        model.train()
        for first in range(0, len(train), GLOBAL_BATCH):
            shard = order[first:first + GLOBAL_BATCH][rank::world]
            x = train[shard]
            loss = model(x, torch.randn(len(x), latent, generator=noise))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += torch.tensor([loss.item() * len(x), len(x)], dtype=torch.float64)
        seconds = time.perf_counter() - start
        model.eval()
        tested = torch.zeros(2, dtype=torch.float64)
        with torch.no_grad():
            mine = test[rank::world]
            for first in range(0, len(mine), 1000):
                x = mine[first:first + 1000]
                loss = model.module(x, torch.randn(len(x), latent, generator=noise))
                tested += torch.tensor([loss.item() * len(x), len(x)], dtype=torch.float64)
        dist.all_reduce(total)
        dist.all_reduce(tested)
        if rank == 0:
            print(f"epoch {epoch} world_size {world} train_loss {total[0] / total[1]:.3f} "
                  f"epoch_seconds {seconds:.1f} test_loss {tested[0] / tested[1]:.3f}", flush=True)
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--world-size", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--elbo", default="elbo", help="the elbo executable (default: elbo on PATH)")
    parser.add_argument("--data", default=MNIST, help="MNIST directory (default: the repository's bundled copy)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=60000, help="train on the first N images (default: all)")
    parser.add_argument("--threads", type=int, default=1,
                        help="intra-op threads per process (default 1: on a busy machine two threads "
                             "that wait for each other ran a step 13x slower than one)")
    args = parser.parse_args()
    if args.world_size < 1 or GLOBAL_BATCH % args.world_size:
        parser.error(f"--world-size must divide the batch of {GLOBAL_BATCH}")
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    with tempfile.TemporaryDirectory() as directory:
        module_path = export_loss(args.elbo, directory)
        mp.spawn(worker, args=(args.world_size, args, module_path, free_port()), nprocs=args.world_size, join=True)


if __name__ == "__main__":
    main()
