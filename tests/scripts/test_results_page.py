#!/usr/bin/python3
"""The results page of a small finished sweep, run through the real graft binary and YAML,
rendered by headless Chromium: it loads without script errors or console messages, its results
table and figures are there and visible (non-zero size, the figures decoded), a click on a column
header sorts the rows, and a screenshot comes out.

usage: test_results_page.py GRAFT_BINARY
Exits 77 (skipped) without Chromium (Debian: apt-get install chromium) or without matplotlib for
/usr/bin/python3 (the page's figures come from scripts/plot.py)."""
import html
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
SPEC = """experiment.name: page
data.generate: two-platform
data.split.negatives: 99
source: source
target: target
encoder.dim: 16
pretrain: {epochs: 2, batch_size: 4096}
adapt: {epochs: 4, batch_size: 2048, eval_every: 2}
sweep:
  grid:
    method: [target_only, finetune]
  seeds: [0, 1]
"""

# Injected at the top of <head> in a copy of the page: records script errors and console output
# from the start, then at load measures the table and figures, clicks the first metric header
# twice, and writes what it saw into the DOM for --dump-dom.
PROBE = """<script>
window.seen = {errors: [], console: []};
window.addEventListener("error", function (e) { window.seen.errors.push(String(e.message)); });
["log", "warn", "error", "info"].forEach(function (level) {
  var original = console[level];
  console[level] = function () { window.seen.console.push(level + ": " + Array.prototype.join.call(arguments, " ")); original.apply(console, arguments); };
});
window.addEventListener("load", function () {
  function size(el) { var r = el.getBoundingClientRect(); return [r.width, r.height]; }
  var table = document.querySelector("table.results");
  var order = function () { return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return parseFloat(r.cells[2].dataset.sort); }); };
  window.seen.table = table ? size(table) : null;
  window.seen.rows = table ? table.tBodies[0].rows.length : 0;
  window.seen.images = Array.prototype.map.call(document.images, function (i) { return [i.naturalWidth, i.complete].concat(size(i)); });
  window.seen.before = order();
  table.tHead.rows[0].cells[2].click();
  window.seen.up = order();
  table.tHead.rows[0].cells[2].click();
  window.seen.down = order();
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(window.seen);
  document.body.appendChild(out);
});
</script>
"""


def skip(why):
    print(f"test_results_page.py: skipped: {why}")
    sys.exit(77)


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def png_size(path):
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", data[16:24])


class ResultsPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)
        spec = cls.dir / "page.yaml"
        spec.write_text(SPEC)
        run = lambda *args: subprocess.run([GRAFT, *args], capture_output=True, text=True, timeout=900)
        sweep = run("sweep", str(spec), "--jobs", "2", "--runs", str(cls.dir / "runs"))
        assert sweep.returncode == 0, sweep.stderr
        cls.page = cls.dir / "page.html"
        report = run("report", str(cls.dir / "runs" / "page"), "--format", "html", "--baseline", "target_only",
                     "--metrics", "cold_start.mrr", "cold_start.ndcg@10", "-o", str(cls.page))
        assert report.returncode == 0, report.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def chromium(self, *args):
        profile = tempfile.mkdtemp(dir=self.dir)
        command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                   f"--user-data-dir={profile}", "--virtual-time-budget=10000", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=180)

    def test_loads_without_errors_with_visible_table_and_figures(self):
        text = self.page.read_text()
        probe = self.dir / "probe.html"
        probe.write_text(text.replace("<head>\n", "<head>\n" + PROBE, 1))
        dom = self.chromium("--dump-dom", probe.as_uri()).stdout
        found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
        self.assertIsNotNone(found, "the page's load handler never ran:\n" + dom[-2000:])
        seen = json.loads(html.unescape(found.group(1)))
        self.assertEqual(seen["errors"], [])
        self.assertEqual(seen["console"], [])
        self.assertEqual(seen["rows"], 2)  # target_only, finetune
        self.assertTrue(seen["table"][0] > 100 and seen["table"][1] > 20, seen["table"])
        self.assertGreaterEqual(len(seen["images"]), 1)
        for natural_width, complete, width, height in seen["images"]:
            self.assertTrue(complete and natural_width > 0 and width > 100 and height > 50, seen["images"])
        self.assertEqual(seen["up"], sorted(seen["before"]))
        self.assertEqual(seen["down"], sorted(seen["before"], reverse=True))

    def test_no_console_messages_and_a_screenshot(self):
        shot = self.dir / "page.png"
        result = self.chromium("--enable-logging=stderr", "--v=0", "--window-size=1400,2000",
                               f"--screenshot={shot}", self.page.as_uri())
        console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
        self.assertEqual(console, [])
        self.assertTrue(shot.exists(), result.stderr[-2000:])
        self.assertEqual(png_size(shot), (1400, 2000))
        self.assertGreater(shot.stat().st_size, 50_000)  # a rendered page, not a blank one

    def test_self_contained(self):
        text = self.page.read_text()
        for external in ('src="http', 'href="http', 'src="//', "<link", "@import", "url(http", "<script src"):
            self.assertNotIn(external, text)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    GRAFT = os.path.abspath(sys.argv.pop(1))
    BROWSER = find_browser()
    if BROWSER is None:
        skip("no Chromium (apt-get install chromium)")
    if subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"], capture_output=True).returncode != 0:
        skip("no matplotlib for /usr/bin/python3 (apt-get install python3-matplotlib)")
    unittest.main(verbosity=2)
