#!/usr/bin/python3
"""scripts/plot.py on fabricated runs directories: which PNGs it writes and how big, what its
figures hold (one mean line per method, legends off the data, the significant row marked), its
exit status on bad input, and its re-run under a Python that has matplotlib.
Exits 77 (skipped) when this Python lacks matplotlib."""
import contextlib
import importlib.util
import io
import json
import os
import pathlib
import struct
import subprocess
import sys
import tempfile
import unittest

MISSING = [m for m in ("matplotlib", "numpy") if importlib.util.find_spec(m) is None]
if MISSING:
    print(f"test_plot.py: skipped: {MISSING[0]} is not installed for {sys.executable}: "
          "apt-get install python3-matplotlib")
    sys.exit(77)

import numpy as np  # noqa: E402  (after the check, so a missing one skips)

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "plot.py"
METHODS = ("target_only", "finetune")
SEEDS = (0, 1, 2)
CURVES_A = "toy_target-a_adapt_curves.png"
BUDGET = "fewshot_overall.ndcg@10_budget.png"
COMPARISON = "toy_cold_start.mrr_comparison.png"


def load_plot_module():
    spec = importlib.util.spec_from_file_location("plot", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plot = load_plot_module()


def write_json(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def history(method, target, seed):
    """finetune pretrains, then both adapt; target b sits 1.0 above target a, so averaging the
    two settings together would show."""
    shift = 1.0 if target == "b" else 0.0
    bonus = 0.05 if method == "finetune" else 0.0
    entries = []
    if method == "finetune":
        entries += [{"phase": "pretrain", "epoch": e, "loss": shift + 1.0 / e + 0.01 * seed, "metrics": {}}
                    for e in range(1, 5)]
    for e in range(1, 7):
        mrr = shift + 0.1 * e + 0.01 * seed + bonus
        metrics = {"mrr": mrr, "hr@10": 2 * mrr, "test:mrr": mrr / 2} if e % 2 == 0 else {}
        entries.append({"phase": "adapt", "epoch": e, "loss": shift + 0.5 / e + 0.02 * seed + bonus,
                        "metrics": metrics})
    return entries


def make_trial(folder, config, metrics):
    write_json(folder / "config.json", config)
    write_json(folder / "metrics.json", metrics)
    (folder / "done").write_text("")


def make_toy_runs(root):
    """2 methods × 2 targets × 3 seeds with histories (999 sampled negatives, cold-start users),
    one trial with representations, one trial not done."""
    folder, trials = root / "toy", []
    for target in ("a", "b"):
        for method in METHODS:
            for seed in SEEDS:
                trials.append(f"{method}-{target}-{seed}")
                config = {"method": method, "seed": seed, "target": target, "source": "src",
                          "data.split.negatives": 999, "selection_metric": "mrr"}
                metrics = {"method": method, "protocol": "sampled", "cold_start": {"mrr": 0.2 + 0.01 * seed},
                           "overall": {"mrr": 0.1}, "history": history(method, target, seed)}
                make_trial(folder / trials[-1], config, metrics)
    trials.append("pending")  # still running: left out
    write_json(folder / "pending" / "config.json", {"method": "finetune", "seed": 9})
    write_embeddings(folder / "finetune-a-0")
    write_json(folder / "spec.json", {"experiment": "toy", "varying": ["method", "target", "seed"],
                                      "fixed": {"data.split.negatives": 999}, "trials": trials})
    return folder


def write_embeddings(trial):
    rng = np.random.default_rng(0)
    for when, offset in (("before", 3.0), ("after", 0.2)):
        rows = ["domain,x1,x2,x3,x4"]
        for domain, centre in (("source", 0.0), ("target", offset)):
            points = rng.normal(centre, 1.0, (20, 4))
            rows += [domain + "," + ",".join(f"{v:.4f}" for v in point) for point in points]
        (trial / f"embeddings_{when}.csv").write_text("\n".join(rows) + "\n")


def make_fewshot_runs(root):
    """A budget study: 2 methods × k in {0, 1, 5} × 2 seeds, full ranking, no histories."""
    folder, trials = root / "fewshot", []
    for method in ("popularity", "finetune"):
        for k in (0, 1, 5):
            for seed in (0, 1):
                trials.append(f"{method}-{k}-{seed}")
                config = {"method": method, "seed": seed, "data.split.k_shot": k, "data.split.negatives": 0,
                          "selection_metric": "ndcg@10"}
                ndcg = 0.1 + (0.02 * k if method == "finetune" else 0) + 0.01 * seed
                metrics = {"method": method, "protocol": "full", "cold_start": {},
                           "overall": {"ndcg@10": ndcg}, "history": []}
                make_trial(folder / trials[-1], config, metrics)
    write_json(folder / "spec.json", {"experiment": "fewshot", "fixed": {}, "trials": trials,
                                      "varying": ["method", "data.split.k_shot", "seed"]})
    return folder


def row(label, mean, std, p=None):
    """A report row; p=None makes it the baseline (no comparison with itself)."""
    metric = {"values": [], "n": 3, "mean": mean, "std": std}
    if p is not None:
        metric["vs_baseline"] = {"pairs": 3, "difference": mean - 0.2, "p": p}
    return {"label": label, "metrics": {"cold_start.mrr": metric}}


def make_report(root):
    """graft report --format json --baseline target_only: finetune significant for target a only."""
    sections = [{"label": "target=a", "keys": {"target": "a"},
                 "rows": [row("target_only", 0.2, 0.01), row("finetune", 0.3, 0.01, p=0.01)]},
                {"label": "target=b", "keys": {"target": "b"},
                 "rows": [row("target_only", 0.2, 0.01), row("finetune", 0.21, 0.02, p=0.4)]}]
    path = root / "report.json"
    write_json(path, {"experiment": "toy", "rows_key": "method", "baseline": "target_only", "fixed": {},
                      "varying": ["method", "target", "seed"], "columns": ["cold_start.mrr"],
                      "sections": sections})
    return path


def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def run_plot(*args, python=(sys.executable,), env=None):
    return subprocess.run([*python, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


def quietly(function, *args):
    """Figures by name, without load_study's note about the trial not done."""
    with contextlib.redirect_stderr(io.StringIO()):
        return dict(function(*args))


def line(ax, label):
    return next(l for l in ax.get_lines() if l.get_label() == label)


class PlotTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = pathlib.Path(cls.tmp.name)
        cls.toy, cls.fewshot = make_toy_runs(cls.root), make_fewshot_runs(cls.root)
        cls.report = make_report(cls.root)
        cls.out = cls.root / "plots"
        cls.result = run_plot(cls.toy, cls.fewshot, "--report", cls.report, "-o", cls.out)
        with contextlib.redirect_stderr(io.StringIO()):
            cls.toy_study = plot.load_study(cls.toy)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_writes_the_expected_readable_pngs(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        expected = {CURVES_A, "toy_target-a_pretrain_curves.png", "toy_target-b_adapt_curves.png",
                    "toy_target-b_pretrain_curves.png", "toy_target-a_seed0_projection.png", BUDGET,
                    COMPARISON}
        self.assertEqual(set(self.result.stdout.split()), {str(self.out / name) for name in expected})
        self.assertEqual(sorted(p.name for p in self.out.iterdir()), sorted(expected))  # no temporaries left
        for name in expected:
            width, height = png_size(self.out / name)
            self.assertTrue(400 <= width <= 2000 and 250 <= height <= 2000, f"{name}: {width} × {height} px")
        self.assertIn("1 of 13 trials not done", self.result.stderr)

    def test_svg_for_the_results_page_is_the_same_bytes_every_time(self):
        outs = [self.root / "svg1", self.root / "svg2"]
        for out in outs:
            result = run_plot(self.toy, "--report", self.report, "-o", out, "--format", "svg")
            self.assertEqual(result.returncode, 0, result.stderr)
        names = sorted(p.name for p in outs[0].iterdir())
        self.assertIn(CURVES_A.replace(".png", ".svg"), names)
        self.assertIn(COMPARISON.replace(".png", ".svg"), names)
        for name in names:
            first = (outs[0] / name).read_bytes()
            self.assertIn(b"<svg", first[:2000])
            self.assertEqual(first, (outs[1] / name).read_bytes(), name)

    def test_learning_curves_have_one_mean_line_per_method_per_setting(self):
        figures = quietly(plot.curve_figures, self.toy_study)
        fig = figures[CURVES_A]
        titles = ["training loss (each method's own objective)", "validation HR@10", "validation MRR"]
        self.assertEqual([ax.get_title() for ax in fig.axes], titles)  # test:mrr left out by default
        for ax in fig.axes:
            self.assertEqual(sorted(l.get_label() for l in ax.get_lines()), sorted(METHODS))
        self.assertLessEqual(len({round(ax.get_position().x0, 3) for ax in fig.axes}), 3)
        mrr = fig.axes[2]
        self.assertIn("999 sampled negatives, cold-start users", mrr.get_ylabel())
        self.assertAlmostEqual(line(mrr, "finetune").get_ydata()[0], 0.26)  # seeds 0, 1, 2 at epoch 2
        fig_b = figures["toy_target-b_adapt_curves.png"]
        self.assertAlmostEqual(line(fig_b.axes[2], "finetune").get_ydata()[0], 1.26)  # b alone, not with a
        self.assertIn("target=b", fig_b._suptitle.get_text())

    def test_legend_lies_outside_every_panel(self):
        fig = quietly(plot.curve_figures, self.toy_study)[CURVES_A]
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        self.assertEqual(len(fig.legends), 1)
        self.assertEqual([t.get_text() for t in fig.legends[0].get_texts()], list(METHODS))
        legend = fig.legends[0].get_window_extent(renderer)
        for ax in fig.axes:
            self.assertFalse(legend.overlaps(ax.get_window_extent(renderer)), ax.get_title())

    def test_comparison_marks_the_baseline_and_the_significant_row(self):
        report = plot.load_report(self.report)
        fig = quietly(plot.comparison_figures, report, "999 sampled negatives")[COMPARISON]
        marked = []
        for ax in fig.axes:
            rows = {tick.get_text(): y for tick, y in zip(ax.get_yticklabels(), ax.get_yticks())}
            self.assertIn("target_only (baseline)", rows)
            marked.append([label for label, y in rows.items()
                           if any(t.get_text() == "*" and t.xy[1] == y for t in ax.texts)])
        self.assertEqual(marked, [["finetune"], []])
        self.assertIn("999 sampled negatives, cold-start users", fig.axes[0].get_xlabel())

    def test_budget_plot_has_a_line_per_method_over_k(self):
        fig = quietly(plot.budget_figures, plot.load_study(self.fewshot))[BUDGET]
        self.assertEqual(sorted(l.get_label() for l in fig.axes[0].get_lines()), ["finetune", "popularity"])
        finetune = line(fig.axes[0], "finetune")
        self.assertEqual(list(finetune.get_xdata()), [0, 1, 5])
        self.assertAlmostEqual(finetune.get_ydata()[2], 0.205)  # seeds 0 and 1 at k = 5
        self.assertIn("full ranking, all users", fig.axes[0].get_ylabel())

    def test_projection_has_before_and_after_per_method(self):
        fig = quietly(plot.projection_figures, self.toy_study)["toy_target-a_seed0_projection.png"]
        self.assertEqual([ax.get_title() for ax in fig.axes],
                         ["finetune: before alignment", "finetune: after alignment"])

    def test_bad_input_names_the_path(self):
        bad_json = self.root / "bad.json"
        bad_json.write_text("{not json")
        cases = [([self.root], 3, str(self.root)),  # a folder without spec.json
                 (["--report", self.root / "missing.json"], 3, str(self.root / "missing.json")),
                 (["--report", bad_json], 3, str(bad_json)),
                 ([], 2, "nothing to plot")]
        for args, status, text in cases:
            result = run_plot(*args, "-o", self.root / "bad_out")
            self.assertEqual(result.returncode, status, (args, result.stderr))
            self.assertIn(text, result.stderr)
        self.assertFalse((self.root / "bad_out").exists())  # input is read before any output

    def test_broken_metrics_json_is_a_data_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            folder = make_fewshot_runs(pathlib.Path(tmp))
            broken = folder / "finetune-5-1" / "metrics.json"
            broken.write_text('{"history": [')
            result = run_plot(folder, "-o", pathlib.Path(tmp) / "out")
            self.assertEqual(result.returncode, 3, result.stderr)
            self.assertIn(str(broken), result.stderr)

    def test_reruns_itself_under_a_python_with_matplotlib(self):
        bare = (sys.executable, "-S")  # no site-packages, so no matplotlib: like a pyenv python3
        if subprocess.run([*bare, "-c", "import matplotlib"], capture_output=True).returncode == 0:
            self.skipTest(f"{sys.executable} -S still finds matplotlib")
        out = self.root / "rerun"
        result = run_plot(self.fewshot, "-o", out, python=bare, env={"GRAFT_PLOT_PYTHON": sys.executable})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue((out / BUDGET).exists())
        missing = {"GRAFT_PLOT_PYTHON": "/nonexistent/python3"}
        result = run_plot(self.fewshot, "-o", out, python=bare, env=missing)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"matplotlib is not installed for {sys.executable}", result.stderr)
        self.assertIn("apt-get install python3-matplotlib", result.stderr)


if __name__ == "__main__":
    unittest.main()
