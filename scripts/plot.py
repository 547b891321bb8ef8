#!/usr/bin/python3
"""Plots from graft runs directories, as PNG files.

  learning curves   every trial's per-epoch history (runs/<experiment>/<trial>/metrics.json):
                    training loss and each validation metric against the epoch, one line per
                    trial (labelled with the experiment's varying keys), one figure per phase.
  projection        a 2-D PCA projection of source and target user representations before and
                    after alignment, for every trial directory holding embeddings_before.csv and
                    embeddings_after.csv (header `domain,x1,...,xd`, one row per user, domain
                    `source` or `target`). Trials without them are skipped.

usage: scripts/plot.py runs/quickstart [more runs dirs] [-o plots/] [--metric mrr]
Needs python3-matplotlib (Debian) and numpy.
"""
import argparse
import csv
import json
import pathlib
import sys


def load_trials(runs_dir):
    """(label, trial dir, metrics) for every completed trial, in the spec's order."""
    spec = json.loads((runs_dir / "spec.json").read_text())
    varying = [k for k in spec.get("varying", [])]
    trials = []
    for trial_id in spec["trials"]:
        trial = runs_dir / trial_id
        if not (trial / "done").exists():
            continue
        config = json.loads((trial / "config.json").read_text())
        metrics = json.loads((trial / "metrics.json").read_text())
        label = ", ".join(f"{k}={config[k]}" for k in varying) or trial_id
        trials.append((label, trial, metrics))
    return spec.get("experiment", runs_dir.name), trials


def plot_curves(plt, name, trials, out_dir, only_metric):
    phases = sorted({e["phase"] for _, _, m in trials for e in m.get("history", [])})
    written = []
    for phase in phases:
        metrics = sorted({k for _, _, m in trials for e in m.get("history", []) if e["phase"] == phase
                          for k in e.get("metrics", {})})
        if only_metric:
            metrics = [k for k in metrics if k == only_metric]
        panels = ["loss"] + metrics
        fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.6), squeeze=False)
        for ax, panel in zip(axes[0], panels):
            for label, _, m in trials:
                points = [(e["epoch"], e["loss"] if panel == "loss" else e.get("metrics", {}).get(panel))
                          for e in m.get("history", []) if e["phase"] == phase]
                points = [(x, y) for x, y in points if y is not None]
                if points:
                    ax.plot([x for x, _ in points], [y for _, y in points], marker=".", label=label)
            ax.set_xlabel(f"{phase} epoch")
            ax.set_title(panel if panel == "loss" else f"validation {panel}")
        axes[0][-1].legend(fontsize="x-small", loc="best")
        fig.suptitle(f"{name}: {phase}")
        fig.tight_layout()
        path = out_dir / f"{name}_{phase}_curves.png"
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)
    return written


def read_embeddings(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0][0] != "domain":
        raise ValueError(f"{path}: expected a header domain,x1,...,xd")
    domains = [r[0] for r in rows[1:]]
    values = [[float(x) for x in r[1:]] for r in rows[1:]]
    return domains, values


def pca2(np, values):
    x = np.asarray(values, dtype=float)
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return x @ vt[:2].T if vt.shape[0] >= 2 else np.hstack([x @ vt[:1].T, np.zeros((len(x), 1))])


def plot_projection(plt, np, name, label, trial, out_dir):
    before, after = trial / "embeddings_before.csv", trial / "embeddings_after.csv"
    if not (before.exists() and after.exists()):
        return None
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    for ax, path, title in ((axes[0], before, "before alignment"), (axes[1], after, "after alignment")):
        domains, values = read_embeddings(path)
        xy = pca2(np, values)
        for domain, colour in (("source", "tab:blue"), ("target", "tab:orange")):
            idx = [i for i, d in enumerate(domains) if d == domain]
            ax.scatter(xy[idx, 0], xy[idx, 1], s=4, alpha=0.5, c=colour, label=domain)
        ax.set_title(title)
        ax.legend(markerscale=3)
    fig.suptitle(f"{name}: {label} (PCA of user representations)")
    fig.tight_layout()
    path = out_dir / f"{name}_{trial.name}_projection.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=pathlib.Path, help="runs directories (RUNS/<experiment>)")
    parser.add_argument("-o", "--out", type=pathlib.Path, default=pathlib.Path("plots"), help="output folder")
    parser.add_argument("--metric", help="plot only this validation metric (default: all)")
    args = parser.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np
    except ImportError as e:
        sys.exit(f"plot.py: {e}; install python3-matplotlib")
    args.out.mkdir(parents=True, exist_ok=True)
    for runs_dir in args.runs:
        if not (runs_dir / "spec.json").exists():
            sys.exit(f"plot.py: {runs_dir}: no spec.json; not a runs directory of graft sweep")
        name, trials = load_trials(runs_dir)
        if not trials:
            print(f"{runs_dir}: no completed trials", file=sys.stderr)
            continue
        written = plot_curves(plt, name, trials, args.out, args.metric)
        projected = [plot_projection(plt, np, name, label, trial, args.out) for label, trial, _ in trials]
        written += [p for p in projected if p]
        if not any(projected):
            print(f"{runs_dir}: no embeddings_before.csv/embeddings_after.csv in any trial; projection skipped",
                  file=sys.stderr)
        for path in written:
            print(path)


if __name__ == "__main__":
    main()
