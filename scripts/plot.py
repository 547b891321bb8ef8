#!/usr/bin/python3
"""Plots of graft studies as PNG (or SVG) files, readable at 100% zoom.

  learning curves  one figure per phase (pretrain, adapt, joint, ...) and setting: training loss
                   and the validation metrics against the epoch, one line per method = the mean
                   over seeds with a shaded ± 1 std band. Keys that vary besides method and seed
                   (target, source, k, ...) get figures of their own; they are never averaged.
  comparison       with --report: each method's test metric (mean ± std over seeds), a panel per
                   section of `graft report --format json --baseline B`, one figure per column;
                   the baseline is marked and rows differing from it (paired t-test, p < 0.05)
                   get a *.
  budget           few-shot and new-category studies (a varying key such as data.split.k_shot):
                   the test metric against the budget k, one line per method, mean ± std band.
  projection       2-D PCA of source and target user representations before and after
                   alignment, a row per method, for trials run with keep_representations=true.

usage:
  scripts/plot.py RUNS/<experiment> [more runs dirs] [-o plots/] [--metric ndcg@10 ...]
  graft report RUNS/xmarket --format json --baseline target_only > /tmp/report.json
  scripts/plot.py RUNS/xmarket --report /tmp/report.json -o plots/

Prints each file it writes. Exit status 2: usage error; 3: bad input (no spec.json, a missing or
unreadable file), the message naming the path. Needs matplotlib and numpy (Debian: apt-get
install python3-matplotlib); started by a python3 without them (pyenv, venv), it re-runs itself
with /usr/bin/python3, or with $GRAFT_PLOT_PYTHON when set.
"""
import argparse
import csv
import dataclasses
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import textwrap

FALLBACK_PYTHON = os.environ.get("GRAFT_PLOT_PYTHON", "/usr/bin/python3")
EXIT_DATA = 3  # as graft exits on bad input data; argparse exits 2 on usage errors
PANEL_W, PANEL_H, DPI = 4.5, 3.2, 120  # inches per panel: three a row make 1620 px
MAX_COLS = 3
SIGNIFICANT_P = 0.05
RANKING_METRIC = re.compile(r"(hr|ndcg|mrr|recall|precision|map|auc)(@\d+)?$")
BUDGET_KEY = re.compile(r"(^|\.)(k_shot|budget)$")


def python_has(python, modules):
    """Whether `python` can import `modules`; asked in a child, which only looks them up."""
    code = "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in sys.argv[1:]))"
    try:
        return subprocess.run([python, "-c", code, *modules], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def rerun_with_fallback_python(missing):
    """python3 on the PATH may be a pyenv or venv one without matplotlib: re-run under Debian's."""
    if not os.environ.get("GRAFT_PLOT_REEXEC") and python_has(FALLBACK_PYTHON, ["matplotlib", "numpy"]):
        os.environ["GRAFT_PLOT_REEXEC"] = "1"  # once: never an exec loop
        os.execv(FALLBACK_PYTHON, [FALLBACK_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])
    sys.exit(f"plot.py: {missing} is not installed for {sys.executable} (nor for {FALLBACK_PYTHON}): "
             "apt-get install python3-matplotlib")


try:
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    import numpy as np
except ImportError as error:
    if __name__ != "__main__":
        raise
    rerun_with_fallback_python(error.name or "matplotlib")


class DataError(Exception):
    """Bad input; the message names the path."""


# ---- reading runs directories and reports ------------------------------------------------------

def read_json_object(path):
    """A JSON object from `path`, or a DataError naming it."""
    try:
        value = json.loads(pathlib.Path(path).read_text())
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError(f"{path}: not readable JSON ({e})") from None
    if not isinstance(value, dict):
        raise DataError(f"{path}: expected a JSON object")
    return value


@dataclasses.dataclass
class Trial:
    folder: pathlib.Path
    config: dict   # flat, fully resolved
    metrics: dict  # metrics.json

    @property
    def method(self):
        return str(self.config.get("method") or self.metrics.get("method") or "?")

    @property
    def seed(self):
        return self.config.get("seed", 0)


@dataclasses.dataclass
class Study:
    folder: pathlib.Path
    name: str       # the experiment, used in titles and file names
    varying: list   # config keys that vary across trials
    trials: list    # completed ones, in the spec's order


def load_study(folder):
    """The spec and every completed trial of a runs directory (RUNS/<experiment>)."""
    folder = pathlib.Path(folder)
    if not (folder / "spec.json").is_file():
        raise DataError(f"{folder}: no spec.json here; not a runs directory of graft sweep")
    spec = read_json_object(folder / "spec.json")
    if not isinstance(spec.get("trials"), list):
        raise DataError(f"{folder / 'spec.json'}: no list of trials")
    done = [folder / str(t) for t in spec["trials"] if (folder / str(t) / "done").exists()]
    if len(done) < len(spec["trials"]):  # still running or failed: nothing final to draw
        print(f"{folder}: {len(spec['trials']) - len(done)} of {len(spec['trials'])} trials not done; "
              "left out", file=sys.stderr)
    trials = [Trial(d, read_json_object(d / "config.json"), read_json_object(d / "metrics.json"))
              for d in done]
    name = str(spec.get("experiment") or folder.name)
    return Study(folder, name, [str(k) for k in spec.get("varying", [])], trials)


def load_report(path):
    """The JSON of `graft report --format json`, checked for the parts the comparison reads."""
    report = read_json_object(path)
    if not isinstance(report.get("columns"), list) or not isinstance(report.get("sections"), list):
        raise DataError(f"{path}: not the output of graft report --format json (no columns/sections)")
    for section in report["sections"]:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
            raise DataError(f"{path}: a section without rows")
    return report


# ---- settings: what varies besides method and seed -------------------------------------------

def format_value(value):
    if isinstance(value, list):
        return ",".join(format_value(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def setting_keys(study, exclude=()):
    """Varying keys other than method and seed: their values are never averaged together."""
    return [k for k in study.varying if k not in ("method", "seed", *exclude)]


def group_by_setting(trials, keys):
    """{((key, value), ...): trials}, settings in the order of first appearance."""
    groups = {}
    for t in trials:
        groups.setdefault(tuple((k, format_value(t.config.get(k))) for k in keys), []).append(t)
    return groups


def setting_title(setting):
    return ", ".join(f"{k}={v}" for k, v in setting)  # as graft report labels its sections


def slug(text):
    return re.sub(r"[^A-Za-z0-9@.+_-]+", "-", text).strip("-")


def setting_slug(setting):
    return slug("_".join(f"{k.split('.')[-1]}-{v}" for k, v in setting))


# ---- how a number was measured, in words ------------------------------------------------------

GROUP_USERS = {"cold_start": "cold-start users", "warm": "warm users", "overall": "all users",
               "all_items": "all users, ranked among all items", "best_valid": "validation, best epoch"}
SCOPES = {"valid": "validation", "test": "test", "source_valid": "source validation",
          "source_test": "source test"}


def protocol_text(trials):
    """'full ranking' or 'N sampled negatives' (../shared/PROTOCOLS.md), as the trials ranked."""
    texts = []
    for t in trials:
        negatives = t.config.get("data.split.negatives")
        full = t.metrics.get("protocol", "sampled" if negatives else "full") == "full"  # older runs lack it
        text = "full ranking" if full else f"{negatives or ''} sampled negatives".lstrip()
        if text not in texts:
            texts.append(text)
    return " / ".join(texts)


def users_text(trials):
    """Evaluation is on the cold-start users when the split has them, else on all users."""
    return "cold-start users" if trials and all(t.metrics.get("cold_start") for t in trials) else "all users"


def split_metric(name):
    """('validation', 'ndcg@10') from 'valid_ndcg@10' or 'ndcg@10'; ('test', 'mrr') from 'test:mrr'."""
    if ":" in name:
        scope, base = name.split(":", 1)
    else:
        scope, base = "valid", name[len("valid_"):] if name.startswith("valid_") else name
    return SCOPES.get(scope, scope.replace("_", " ")), base


def pretty(base):
    """'ndcg@10' → 'NDCG@10', 'recall@20' → 'Recall@20', 'loss_sum' → 'loss sum'."""
    head, at, k = base.partition("@")
    if head in ("recall", "precision"):
        head = head.capitalize()
    elif RANKING_METRIC.match(base):
        head = head.upper()
    else:
        head = head.replace("_", " ")
    return head + at + k


def metric_label(base, protocol, users):
    """An axis label: the metric, then how it was measured (ranking metrics only)."""
    if not RANKING_METRIC.match(base):
        return pretty(base)
    return f"{pretty(base)}\n{', '.join(p for p in (protocol, users) if p)}"


def metric_order(name):
    """hr@5 < hr@10 < hr@20 < mrr < ndcg@5: numerically within a metric."""
    scope, base = split_metric(name)
    head, _, k = base.partition("@")
    return scope != "validation", scope, head, int(k) if k.isdigit() else -1


# ---- figures: grid, title and legend outside the data -----------------------------------------

LINESTYLES = ("-", "--", ":", "-.")


class Palette:
    """Each method keeps one colour in every figure of its study; other lines (a phase run
    several times) take, dashed, colours that no other line of their figure has."""

    def __init__(self, study):
        methods = dict.fromkeys(t.method for t in study.trials)
        self.methods = {m: {"color": f"C{i % 10}", "linestyle": LINESTYLES[i // 10 % 4]}
                        for i, m in enumerate(methods)}

    def styles(self, labels):
        styles = {label: self.methods[label] for label in labels if label in self.methods}
        used = {style["color"] for style in styles.values()}
        free = [c for c in (f"C{i}" for i in range(10)) if c not in used] or ["C0"]
        others = [label for label in labels if label not in styles]
        for i, label in enumerate(others):
            styles[label] = {"color": free[i % len(free)], "linestyle": LINESTYLES[1 + i // len(free) % 3]}
        return styles


def panel_grid(n, panel_h=PANEL_H, max_cols=MAX_COLS):
    """A figure of n panels, at most max_cols a row, each PANEL_W × panel_h inches."""
    cols = min(n, max_cols)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(PANEL_W * cols, panel_h * rows), squeeze=False)
    axes = list(axes.flat)
    for ax in axes[n:]:
        fig.delaxes(ax)
    return fig, axes[:n]


def finish(fig, title, handles=(), labels=(), note="", markerscale=1.0):
    """Title above and legend (with a note) below the panels, so neither covers any data."""
    width = fig.get_figwidth()
    title_lines = textwrap.wrap(title, int(width * 8.5)) or [""]
    note_lines = textwrap.wrap(note, int(width * 14))
    label_w = 0.55 + 0.075 * max((len(s) for s in labels), default=0)  # inches, at font size 9
    ncol = max(1, min(len(labels), int(width // label_w)))
    title_h = 0.15 + 0.25 * len(title_lines)
    note_h = 0.1 + 0.17 * len(note_lines) if note_lines else 0
    legend_h = 0.1 + 0.24 * math.ceil(len(labels) / ncol) if labels else 0
    height = fig.get_figheight() + title_h + legend_h + note_h
    fig.set_figheight(height)
    fig.tight_layout(rect=(0, (legend_h + note_h) / height, 1, 1 - title_h / height))
    fig.suptitle("\n".join(title_lines), y=1 - 0.05 / height, va="top", fontsize=12)
    if labels:
        fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, (legend_h + note_h) / height),
                   ncol=ncol, fontsize=9, frameon=False, markerscale=markerscale)
    if note_lines:
        fig.text(0.5, 0.05 / height, "\n".join(note_lines), ha="center", va="bottom", fontsize=8.5,
                 color="0.3")
    return fig


def draw_band(ax, x, mean, std, style, label):
    """The mean as a line; ± std shaded where at least two seeds give one."""
    (line,) = ax.plot(x, mean, label=label, marker="." if len(x) <= 40 else None, markersize=5, **style)
    if np.isfinite(std).any():
        ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.18, linewidth=0)
    return line


def mean_std(values):
    """Mean and sample std (as graft report computes it); std is NaN for fewer than two values."""
    return float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else math.nan


def legend_entries(axes):
    """Each label once, in the order drawn, across all panels."""
    entries = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


def seeds_note(counts):
    n = max(counts, default=0)
    return f"lines: mean over {n} seed{'s' if n != 1 else ''}" + (", bands: ± 1 std" if n > 1 else "")


# ---- learning curves ----------------------------------------------------------------------------

def history_runs(history):
    """[(phase, entries)]: a new run wherever the phase changes or its epochs start over."""
    runs = []
    for entry in history:
        if not runs or entry["phase"] != runs[-1][0] or entry["epoch"] <= runs[-1][1][-1]["epoch"]:
            runs.append((entry["phase"], []))
        runs[-1][1].append(entry)
    return runs


def run_labels(method, runs):
    """The method's name per run; a phase run several times (one pretraining per source) gets
    'method run n, before <next phase>' so its runs are not averaged together."""
    phases = [phase for phase, _ in runs]
    labels, seen = [], {}
    for i, phase in enumerate(phases):
        if phases.count(phase) == 1:
            labels.append(method)
            continue
        seen[phase] = seen.get(phase, 0) + 1
        after = f", before {phases[i + 1]}" if i + 1 < len(phases) else ""
        labels.append(f"{method} run {seen[phase]}{after}")
    return labels


def collect_curves(trials):
    """{phase: {line label: {seed: history entries}}}, in order of appearance."""
    curves = {}
    for t in trials:
        try:
            runs = history_runs(t.metrics.get("history") or [])
        except (KeyError, TypeError) as e:
            raise DataError(f"{t.folder / 'metrics.json'}: malformed history ({e!r})") from None
        for (phase, entries), label in zip(runs, run_labels(t.method, runs)):
            curves.setdefault(phase, {}).setdefault(label, {})[t.seed] = entries
    return curves


def curve_values(per_seed, panel):
    """Epochs, mean and std over seeds of the loss or one metric."""
    by_epoch = {}
    for entries in per_seed.values():
        for e in entries:
            value = e.get("loss") if panel == "loss" else (e.get("metrics") or {}).get(panel)
            if isinstance(value, (int, float)) and math.isfinite(value):
                by_epoch.setdefault(e["epoch"], []).append(value)
    epochs = sorted(by_epoch)
    stats = [mean_std(by_epoch[x]) for x in epochs]
    return np.array(epochs), np.array([m for m, _ in stats]), np.array([s for _, s in stats])


def wanted_metric(name, wanted):
    """Whether to draw a logged metric: `wanted` names it ('ndcg@10' names 'valid_ndcg@10') or is
    ['all']; by default the validation ranking metrics, as test and source ones triple the panels."""
    scope, base = split_metric(name)
    if wanted:
        return "all" in wanted or name in wanted or (scope == "validation" and base in wanted)
    return scope == "validation" and bool(RANKING_METRIC.match(base))


def curve_panels(lines, wanted):
    """'loss', then the metrics to draw, in a stable order."""
    names = {k for per_seed in lines.values() for entries in per_seed.values() for e in entries
             for k in (e.get("metrics") or {})}
    return ["loss", *sorted((n for n in names if wanted_metric(n, wanted)), key=metric_order)]


def line_values(ax):
    values = [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
    values = np.concatenate(values) if values else np.array([])
    return values[np.isfinite(values)]


def use_log_scale(ax, decades=2):
    """A log y axis when the panel's mean lines (all positive) span more than `decades` powers
    of ten; limits from the lines, as a band reaching zero would stretch the axis."""
    values = line_values(ax)
    if not len(values) or values.min() <= 0 or values.max() / values.min() <= 10 ** decades:
        return False
    ax.set_yscale("log")
    ax.set_ylim(values.min() / 1.5, values.max() * 1.5)
    return True


def label_curve_panel(ax, panel, phase, protocol, users):
    if panel == "loss":
        ax.set_title("training loss (each method's own objective)", fontsize=10)
        log = use_log_scale(ax)  # a pretraining loss falling 1000-fold reads flat on a linear axis
        ax.set_ylabel("loss (log scale)" if log else "loss")
    else:
        scope, base = split_metric(panel)
        ax.set_title(f"{scope} {pretty(base)}", fontsize=10)
        ax.set_ylabel(metric_label(base, protocol, users), fontsize=9)
    ax.set_xlabel(f"{phase} epoch")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))  # no epoch 2.5
    ax.grid(alpha=0.3)


def curve_figure(title, phase, lines, panels, trials, palette):
    """One panel per metric, one mean ± std line per label."""
    fig, axes = panel_grid(len(panels))
    protocol, users = protocol_text(trials), users_text(trials)
    styles = palette.styles(list(lines))
    most = max(len(per_seed) for per_seed in lines.values())
    for ax, panel in zip(axes, panels):
        for label, per_seed in lines.items():
            x, mean, std = curve_values(per_seed, panel)
            shown = label if len(per_seed) == most else f"{label} ({len(per_seed)} seeds)"  # one failed
            if len(x):
                draw_band(ax, x, mean, std, styles[label], shown)
        label_curve_panel(ax, panel, phase, protocol, users)
    handles, labels = legend_entries(axes)
    return finish(fig, title, handles, labels, seeds_note([most]))


def curve_figures(study, wanted_metrics=None):
    """(file name, figure) per setting and phase of the study's training histories."""
    palette = Palette(study)
    for setting, trials in group_by_setting(study.trials, setting_keys(study)).items():
        for phase, lines in collect_curves(trials).items():
            title = f"{study.name}: {phase} phase" + (f" — {setting_title(setting)}" if setting else "")
            fig = curve_figure(title, phase, lines, curve_panels(lines, wanted_metrics), trials, palette)
            name = "_".join(filter(None, (study.name, setting_slug(setting), slug(phase), "curves")))
            yield name + ".png", fig


# ---- comparison against the baseline (graft report --format json) ------------------------------

def significant(stats):
    p = (stats.get("vs_baseline") or {}).get("p")
    return isinstance(p, (int, float)) and p < SIGNIFICANT_P


def draw_comparison(ax, section, column, baseline):
    """Methods top to bottom as dots ± std; the baseline a black square and a dashed line; * where
    a method differs from the baseline significantly."""
    rows = [(r.get("label", "?"), (r.get("metrics") or {}).get(column)) for r in section["rows"]]
    rows = [(label, s) for label, s in rows if isinstance(s, dict) and s.get("mean") is not None]
    ys = list(range(len(rows)))[::-1]
    for y, (label, stats) in zip(ys, rows):
        mean, std = stats["mean"], stats.get("std") or 0.0
        is_baseline = label == baseline
        ax.errorbar(mean, y, xerr=std, fmt="s" if is_baseline else "o", capsize=3, markersize=6,
                    color="black" if is_baseline else "C0")
        if is_baseline:
            ax.axvline(mean, color="black", linestyle="--", linewidth=0.8)
        if significant(stats):
            ax.annotate("*", (mean + std, y), xytext=(3, -5), textcoords="offset points", fontsize=15,
                        fontweight="bold", color="C3")
    ax.set_yticks(ys, [f"{label} (baseline)" if label == baseline else label for label, _ in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.margins(x=0.12)
    ax.grid(axis="x", alpha=0.3)


def column_label(column, protocol):
    """'overall.ndcg@10' → 'test NDCG@10' over '99 sampled negatives, all users'."""
    group, _, base = column.rpartition(".")
    scope = "validation" if group == "best_valid" else "test"
    users = GROUP_USERS.get(group, group.replace("_", " ")) if group != "best_valid" else "best epoch"
    return f"{scope} {pretty(base)}\n" + ", ".join(p for p in (protocol, users) if p)


def report_protocol(report, studies):
    """The ranking protocol of the report's trials: from their runs when given, else its fixed keys."""
    for study in studies:
        if study.name == report.get("experiment") and study.trials:
            return protocol_text(study.trials)
    fixed = report.get("fixed") or {}
    if fixed.get("protocol") == "full":
        return "full ranking"
    negatives = fixed.get("data.split.negatives")
    return f"{negatives} sampled negatives" if negatives else ""


def comparison_figures(report, protocol=""):
    """(file name, figure) per report column: a panel per section."""
    baseline = report.get("baseline")
    for column in report["columns"]:
        sections = [s for s in report["sections"]
                    if any(isinstance((r.get("metrics") or {}).get(column), dict) for r in s["rows"])]
        if not sections:
            continue
        rows = max(len(s["rows"]) for s in sections)
        fig, axes = panel_grid(len(sections), panel_h=max(2.0, 0.9 + 0.32 * rows))  # ~1/3 inch a method
        for ax, section in zip(axes, sections):
            draw_comparison(ax, section, column, baseline)
            ax.set_title(section.get("label") or report.get("experiment", ""), fontsize=10)
            ax.set_xlabel(column_label(column, protocol), fontsize=9)
        note = "dots: mean over seeds, bars: ± 1 std" + (
            f"; dashed: {baseline}; * p < {SIGNIFICANT_P} against {baseline} (paired t-test over seeds)"
            if baseline else "")
        name = str(report.get("experiment") or "report")
        yield f"{name}_{slug(column)}_comparison.png", finish(fig, f"{name}: {column}", note=note)


# ---- budget studies (few-shot, new category) ----------------------------------------------------

def budget_key(study, requested=None):
    """The numeric varying key to put on the x axis, or None when the study has none."""
    candidates = [requested] if requested else [k for k in study.varying if BUDGET_KEY.search(k)]
    for key in candidates:
        values = [t.config.get(key) for t in study.trials]
        if key in study.varying and values and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                    for v in values):
            return key
    return None


def default_test_metric(trials):
    """The selection metric, on the cold-start users when every trial has them, else on all."""
    group = "cold_start" if users_text(trials) == "cold-start users" else "overall"
    return f"{group}.{trials[0].config.get('selection_metric') or 'ndcg@10'}"


def budget_values(trials, key, column):
    """{method: (ks, means, stds)} of the test metric over seeds."""
    group, _, base = column.rpartition(".")
    per_method = {}
    for t in trials:
        value = (t.metrics.get(group) or {}).get(base)
        if isinstance(value, (int, float)):
            per_method.setdefault(t.method, {}).setdefault(t.config[key], []).append(value)
    result = {}
    for method, per_k in per_method.items():
        ks = sorted(per_k)
        stats = [mean_std(per_k[k]) for k in ks]
        result[method] = (np.array(ks), np.array([m for m, _ in stats]), np.array([s for _, s in stats]))
    return result


def budget_axis(ax, ks):
    """k = 0, 1, 5, 20 spread evenly enough to read: symlog when 0 is a budget, log when wide."""
    if min(ks) <= 0 < max(ks):
        ax.set_xscale("symlog", linthresh=1)
    elif min(ks) > 0 and max(ks) / min(ks) >= 10:
        ax.set_xscale("log")
    ax.set_xticks(ks, [format_value(k) for k in ks])
    ax.minorticks_off()


def draw_budget_panel(ax, setting, trials, key, column, palette):
    """One line per method over the budgets of one setting."""
    values = budget_values(trials, key, column)
    styles = palette.styles(list(values))
    for method, (ks, mean, std) in values.items():
        draw_band(ax, ks, mean, std, styles[method], method)
    budget_axis(ax, sorted({t.config[key] for t in trials}))
    group, _, base = column.rpartition(".")
    ax.set_title(setting_title(setting), fontsize=10)
    ax.set_xlabel(f"budget k ({key})")
    ax.set_ylabel(metric_label(base, protocol_text(trials), GROUP_USERS.get(group, group)), fontsize=9)
    ax.grid(alpha=0.3)


def budget_figures(study, requested_key=None, column=None):
    """(file name, figure): the test metric against the budget, a panel per other setting."""
    key = budget_key(study, requested_key)
    if not key:
        return
    column = column or default_test_metric(study.trials)
    groups = group_by_setting(study.trials, setting_keys(study, exclude=(key,)))
    if not any(budget_values(trials, key, column) for trials in groups.values()):
        print(f"{study.folder}: no trial reports {column}; budget plot left out", file=sys.stderr)
        return
    palette = Palette(study)
    fig, axes = panel_grid(len(groups))
    for ax, (setting, trials) in zip(axes, groups.items()):
        draw_budget_panel(ax, setting, trials, key, column, palette)
    handles, labels = legend_entries(axes)
    note = seeds_note([len({t.seed for t in trials}) for trials in groups.values()])
    title = f"{study.name}: test {column} against {key}"
    yield f"{study.name}_{slug(column)}_budget.png", finish(fig, title, handles, labels, note)


# ---- representations before and after alignment ------------------------------------------------

def read_embeddings(path):
    """(domains, matrix) from a `domain,x1,...,xd` CSV."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        if not rows or rows[0][:1] != ["domain"]:
            raise ValueError("expected a header domain,x1,...,xd")
        return [r[0] for r in rows[1:]], np.array([[float(x) for x in r[1:]] for r in rows[1:]], dtype=float)
    except (OSError, ValueError, IndexError) as e:
        raise DataError(f"{path}: {e}") from None


def pca2(x):
    """The first two principal components (a zero second one for 1-D data)."""
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    xy = x @ vt[:2].T
    return xy if xy.shape[1] == 2 else np.hstack([xy, np.zeros((len(x), 2 - xy.shape[1]))])


def has_embeddings(trial):
    return all((trial.folder / f"embeddings_{w}.csv").exists() for w in ("before", "after"))


def draw_projection(ax, path, title):
    domains, values = read_embeddings(path)
    if len(values) < 2:
        raise DataError(f"{path}: fewer than two users")
    xy = pca2(values)
    for domain, colour in (("source", "tab:blue"), ("target", "tab:orange")):
        idx = [i for i, d in enumerate(domains) if d == domain]
        ax.scatter(xy[idx, 0], xy[idx, 1], s=8, alpha=0.5, color=colour, linewidths=0,
                   label=f"{domain} users")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")


def projection_figures(study):
    """(file name, figure) per setting and seed with kept representations: a row per method,
    before and after alignment side by side."""
    for setting, trials in group_by_setting(study.trials, setting_keys(study)).items():
        seeds = sorted({t.seed for t in trials if has_embeddings(t)}, key=str)
        for seed in seeds:
            kept = [t for t in trials if t.seed == seed and has_embeddings(t)]
            fig, axes = panel_grid(2 * len(kept), max_cols=2)
            for i, t in enumerate(kept):
                for ax, when in zip(axes[2 * i:2 * i + 2], ("before", "after")):
                    draw_projection(ax, t.folder / f"embeddings_{when}.csv", f"{t.method}: {when} alignment")
            title = f"{study.name}: user representations (PCA), seed {seed}" + (
                f" — {setting_title(setting)}" if setting else "")
            handles, labels = legend_entries(axes[:1])
            name = "_".join(filter(None, (study.name, setting_slug(setting), f"seed{seed}", "projection")))
            yield name + ".png", finish(fig, title, handles, labels, markerscale=2.5)


# ---- writing ------------------------------------------------------------------------------------

def write_figure(fig, path, fmt="png"):
    """Atomically (a temporary name in the same folder, then os.replace): no half-written file.
    SVG carries no date and fixed element ids, so the same runs give the same bytes."""
    path = path.with_suffix("." + fmt)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if fmt == "svg":
            with matplotlib.rc_context({"svg.hashsalt": "graft"}):
                fig.savefig(tmp, format="svg", bbox_inches="tight", metadata={"Date": None})
        else:
            fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if tmp.exists():
            tmp.unlink()
    print(path, flush=True)
    return path


def study_figures(study, args):
    yield from curve_figures(study, args.metric)
    yield from budget_figures(study, args.budget, args.test_metric)
    yield from projection_figures(study)


def distinct_names(studies):
    """Two runs dirs of one experiment (runs/xmarket, runs4/xmarket) must not overwrite each other."""
    names = [s.name for s in studies]
    for s in studies:
        if names.count(s.name) > 1:
            s.name = f"{s.folder.resolve().parent.name}-{s.name}"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="*", type=pathlib.Path, help="runs directories (RUNS/<experiment>)")
    parser.add_argument("-o", "--out", type=pathlib.Path, default=pathlib.Path("plots"), help="output folder")
    parser.add_argument("--report", type=pathlib.Path,
                        help="graft report --format json --baseline B output: draw the method comparison")
    parser.add_argument("--metric", action="append",
                        help="learning curves: a metric to draw (repeatable; 'all' for every logged one; "
                             "default: the validation ranking metrics)")
    parser.add_argument("--test-metric",
                        help="budget plots: GROUP.METRIC (default: the selection metric, of the cold_start "
                             "group when the split has cold-start users, else of overall)")
    parser.add_argument("--format", choices=("png", "svg"), default="png",
                        help="file format (svg: for the HTML results page of graft report)")
    parser.add_argument("--budget", help="budget plots: the numeric varying key for the x axis "
                                         "(default: a varying key named *k_shot or *budget)")
    args = parser.parse_args(argv)
    if not args.runs and not args.report:
        parser.error("nothing to plot: give runs directories, --report FILE.json, or both")
    if args.test_metric and "." not in args.test_metric:
        parser.error(f"--test-metric {args.test_metric}: expected GROUP.METRIC, e.g. overall.ndcg@10")
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        studies = [load_study(folder) for folder in args.runs]  # all input read before any output
        report = load_report(args.report) if args.report else None
        distinct_names(studies)
        args.out.mkdir(parents=True, exist_ok=True)
        for study in studies:
            written = [write_figure(fig, args.out / name, args.format) for name, fig in study_figures(study, args)]
            if not written:
                print(f"{study.folder}: no completed trials with anything to plot", file=sys.stderr)
        if report:
            for name, fig in comparison_figures(report, report_protocol(report, studies)):
                write_figure(fig, args.out / name, args.format)
    except DataError as e:
        plt.close("all")
        print(f"plot.py: data error: {e}", file=sys.stderr)
        return EXIT_DATA
    except OSError as e:
        print(f"plot.py: cannot write plots to {args.out}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
