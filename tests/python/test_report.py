#!/usr/bin/python3
"""The board report (scripts/supplymix_report.py) rendered by a real
browser: headless Chromium (Debian's `chromium`).

On a sweep's file (rare_earths, three China caps x 30 futures) and on a
plan file (three caps x 8 futures) it checks that:
- the report is written (exit 0), one file that loads nothing: every
  src/href is a data: URI or a #fragment, no http(s) URL anywhere in an
  attribute, and each <img> holds a PNG (signature) as a data: URI;
- it has what a board needs: "not a forecast", the headline, what hedging
  buys (RP, EVPI, VSS) for the plan, percentile tables, regret, shortfall
  per material with its share of demand, shares labelled as shares of
  purchases, the portfolio for the plan, and two sentences ("How to read
  it") under every figure;
- Chromium, with name resolution cut off (so any network fetch fails),
  renders it to a PNG screenshot and to a PDF: both written, the PNG of
  the right size and not blank (pixel variance), the PDF a PDF of more
  than one page; the console shows no error (Chromium's log of the page's
  console and of failed loads), and in the rendered DOM every <img> is
  complete with a natural width > 0;
- the checks can fail: a control page with a broken image and a
  console.error() is caught by the same checks;
- a missing file and an existing output without --force exit 2.

usage: test_report.py SUPPLYMIX          (exit 1 on any failure; 77 when
                                           chromium is not installed)
"""
import base64
import glob
import json
import os
import re
import shutil
import sys
import tempfile

from sm_testing import run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
REPORT = os.path.join(ROOT, "scripts", "supplymix_report.py")
SWEEPS = os.path.join(ROOT, "models", "rare_earths", "sweeps")
failures = []

CHECK_SCRIPT = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var out = imgs.map(function (i) { return [i.complete, i.naturalWidth, i.naturalHeight]; });
  var pre = document.createElement('pre');
  pre.id = 'imgcheck';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


# While the control page is checked, its failures are expected: printed as
# "caught:", not "FAIL:".
CONTROL = {"on": False}


def check(cond, what, detail=""):
    if CONTROL["on"]:
        print(("control passed: " if cond else "caught: ") + what)
        return cond
    print(("ok: " if cond else "FAIL: ") + what + ("" if cond or not detail else "\n" + detail))
    if not cond:
        failures.append(what)
    return cond


def sweep_text(base, name, samples):
    with open(os.path.join(SWEEPS, base + ".yaml")) as f:
        text = f.read()
    text = re.sub(r"(?m)^name: .*$", f"name: {name}", text)
    text = re.sub(r"(?m)^samples: .*$", f"samples: {samples}", text)
    return text.replace("values: [0.3, 0.4, 0.5, 0.6, 0.7]", "values: [0.3, 0.5, 0.7]")


def chromium(tmp, url, *args):
    """Chromium headless on url with its own profile, no sandbox (tests run
    as root), name resolution cut off; returns the CompletedProcess."""
    profile = tempfile.mkdtemp(prefix="chrome", dir=tmp)
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
           "--virtual-time-budget=10000", *args, url]
    return run(cmd, timeout=300, env=dict(os.environ, HOME=profile))


def console_errors(stderr):
    """Console messages of the page and failed loads in Chromium's log (its
    own D-Bus and GPU chatter aside)."""
    bad = []
    for line in stderr.splitlines():
        if "CONSOLE" in line or "Failed to load resource" in line or "Uncaught" in line \
                or "net::ERR" in line:
            bad.append(line.strip())
    return bad


def png_pixels(path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    return mpimg.imread(path)


def render_checks(tmp, html_path, label, n_img_expected, width=1200, height=3000):
    """Screenshot, PDF and DOM checks of one HTML file in Chromium; returns
    True when all pass (each failure reported by check())."""
    url = "file://" + html_path
    shot = os.path.join(tmp, label + ".png")
    pdf = os.path.join(tmp, label + ".pdf")
    ok = True
    p = chromium(tmp, url, f"--window-size={width},{height}", f"--screenshot={shot}")
    errs = console_errors(p.stderr)
    ok &= check(p.returncode == 0 and os.path.exists(shot), f"{label}: chromium writes a "
                "screenshot", p.stderr[-1500:])
    if os.path.exists(shot):
        px = png_pixels(shot)
        ok &= check(px.shape[0] == height and px.shape[1] == width
                    and os.path.getsize(shot) > 20000 and float(px[..., :3].std()) > 0.05,
                    f"{label}: screenshot {px.shape[1]}x{px.shape[0]} px, "
                    f"{os.path.getsize(shot):,} bytes, pixel std {float(px[..., :3].std()):.3f}"
                    " (not blank)")
    p = chromium(tmp, url, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    errs += console_errors(p.stderr)
    pages = 0
    if os.path.exists(pdf):
        with open(pdf, "rb") as f:
            data = f.read()
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        ok &= check(data.startswith(b"%PDF") and len(data) > 30000 and pages >= 2,
                    f"{label}: PDF written, {len(data):,} bytes, {pages} pages")
    else:
        ok &= check(False, f"{label}: chromium writes a PDF", p.stderr[-1500:])
    with open(html_path) as f:
        page = f.read()
    probe = os.path.join(tmp, label + "_probe.html")
    with open(probe, "w") as f:
        f.write(page.replace("</body>", CHECK_SCRIPT + "</body>"))
    p = chromium(tmp, "file://" + probe, "--dump-dom")
    errs += console_errors(p.stderr)
    m = re.search(r'<pre id="imgcheck">(.*?)</pre>', p.stdout, re.S)
    imgs = json.loads(m.group(1)) if m else None
    ok &= check(imgs is not None and len(imgs) == n_img_expected
                and all(c and w > 0 and h > 0 for c, w, h in imgs),
                f"{label}: in the rendered DOM all {n_img_expected} figures are loaded "
                f"(complete, natural width > 0): {imgs}", p.stderr[-800:])
    ok &= check(not errs, f"{label}: no console errors or failed loads", "\n".join(errs[:10]))
    return ok


def static_checks(html_path, label, plan):
    with open(html_path) as f:
        page = f.read()
    refs = re.findall(r'(?:src|href)\s*=\s*["\']?([^"\' >]+)', page)
    external = [u[:60] for u in refs if not (u.startswith("data:") or u.startswith("#"))]
    check(not external and not re.search(r"(?:src|href|url)\s*[=(]\s*[\"']?https?:", page),
          f"{label}: self-contained: every src/href is a data: URI or #fragment", str(external))
    imgs = re.findall(r'<img[^>]*src="data:image/png;base64,([^"]+)"', page)
    check(len(imgs) >= 4 and all(base64.b64decode(d)[:8] == b"\x89PNG\r\n\x1a\n" for d in imgs),
          f"{label}: {len(imgs)} figures embedded as PNG data: URIs")
    want = ["not a forecast", "Headline", "What was run", "Total cost percentiles",
            "Regret by policy under each value of", "Shortfall per material", "share of demand",
            "share of <b>purchases</b>", "median-cost future", "cash paid", "shortfall penalty"]
    if plan:
        want += ["What hedging buys", "EVPI = RP - WS", "VSS = EEV - RP",
                 "The portfolio: what to sign now"]
    missing = [w for w in want if w not in page]
    check(not missing, f"{label}: the report has {len(want)} expected parts", str(missing))
    figs = re.findall(r"<figure.*?</figure>", page, re.S)
    captions = [re.sub(r"<[^>]+>", "", (re.findall(r"<figcaption>(.*?)</figcaption>", f, re.S)
                                        or [""])[0]) for f in figs]
    check(len(figs) == len(imgs) and all(
        c.startswith("How to read it.") and
        len(re.findall(r"[.!?](?:\s|$)", c[len("How to read it."):].strip())) >= 2
        for c in captions),
          f"{label}: each of the {len(figs)} figures has its two sentences on how to read it")
    return len(imgs)


def main(exe):
    if shutil.which("chromium") is None:
        print("skip: chromium is not installed (scripts/setup.sh installs it)")
        return 77
    with tempfile.TemporaryDirectory(prefix="sm_report_") as tmp:
        files = {}
        for label, cmd, base, samples in (("sweep", "run", "quick", 30),
                                           ("plan", "plan", "plan_quick", 8)):
            sweep = os.path.join(tmp, label + ".yaml")
            with open(sweep, "w") as f:
                f.write(sweep_text(base, "report_" + label, samples))
            out = os.path.join(tmp, label + ".h5")
            p = run([exe, cmd, "--sweep", sweep, "-o", out, "-j", "2"])
            check(p.returncode == 0, f"{label}: supplymix {cmd} exits 0", p.stderr[-800:])
            files[label] = out
        for label, path in files.items():
            html_path = os.path.join(tmp, label + ".html")
            p = run(["/usr/bin/python3", REPORT, path, "-o", html_path])
            if not check(p.returncode == 0 and os.path.exists(html_path),
                         f"{label}: supplymix_report.py exits 0 and writes the report",
                         p.stderr[-1500:]):
                continue
            n = static_checks(html_path, label, label == "plan")
            render_checks(tmp, html_path, label, n)
        # The checks can fail: a broken image and a console error are caught.
        bad = os.path.join(tmp, "control.html")
        with open(bad, "w") as f:
            f.write("<!DOCTYPE html><html><body><p>control</p>"
                    "<img src=\"data:image/png;base64,iVBORw0KGgoAAAA=\">"
                    "<script>console.error('control error')</script></body></html>")
        CONTROL["on"] = True
        caught = not render_checks(tmp, bad, "control", 1, 400, 300)
        CONTROL["on"] = False
        check(caught, "control: a broken image and a console.error() are caught by the checks")
        p = run(["/usr/bin/python3", REPORT, os.path.join(tmp, "missing.h5"), "-o",
                 os.path.join(tmp, "x.html")])
        check(p.returncode == 2 and "missing.h5" in p.stderr, "a missing file exits 2 naming it",
              p.stderr)
        p = run(["/usr/bin/python3", REPORT, files["sweep"], "-o",
                 os.path.join(tmp, "sweep.html")])
        check(p.returncode == 2 and "--force" in p.stderr,
              "an existing report is not replaced without --force", p.stderr)
        keep = os.environ.get("SM_REPORT_KEEP")
        if keep:                     # e.g. to refresh docs/figures/report.png by hand
            for f in glob.glob(os.path.join(tmp, "*.png")) + glob.glob(os.path.join(tmp, "*.pdf")):
                shutil.copy(f, keep)
    print(f"{len(failures)} failures" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(os.path.abspath(sys.argv[1])))
