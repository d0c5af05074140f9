"""A self-contained HTML report: summary, each test's steps, screenshots inline.

One file, no external resources: screenshots are ``data:`` URIs and a few lines of
JavaScript filter the cases by status.
"""

from __future__ import annotations

import base64
import datetime
from html import escape
from pathlib import Path

from robotest.runtime.results import OUTCOMES, CaseResult, RunInfo, Step

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f3f3f3}
.passed{color:#1a7f37}.failed{color:#cf222e}.error{color:#8250df}
.station-error{color:#9a6700}.interrupted{color:#bc4c00}.skipped{color:#777}
.case{border:1px solid #ddd;border-radius:4px;margin:.6em 0;padding:.3em .8em}
.case summary{cursor:pointer;font-weight:600}.message{white-space:pre-wrap;
font-family:monospace;background:#fff5f5;padding:.4em}
img.shot{max-width:640px;border:1px solid #999;display:block;margin:.3em 0}
button.filter{margin-right:.3em}button.active{font-weight:bold}
.group{color:#555;font-style:italic}
"""

_SCRIPT = """
function filterCases(status){
  document.querySelectorAll('[data-outcome]').forEach(function(el){
    el.style.display=(status==='all'||el.dataset.outcome===status)?'':'none';});
  document.querySelectorAll('button.filter').forEach(function(b){
    b.classList.toggle('active',b.dataset.status===status);});
}
"""


def _css(outcome: str) -> str:
    return outcome.replace(" ", "-")


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "-"
    return datetime.datetime.fromtimestamp(stamp).isoformat(sep=" ", timespec="seconds")


def _image(step: Step) -> str:
    if not step.screenshot:
        return ""
    data = base64.b64encode(step.screenshot).decode("ascii")
    return (f'<img class="shot" alt="{escape(step.screenshot_name)}" '
            f'src="data:image/png;base64,{data}">')


def _steps(case: CaseResult) -> str:
    rows = []
    for step in case.steps:
        group = f"{step.group} (attempt {step.attempt})" if step.group else ""
        message = f'<div class="message">{escape(step.message)}</div>' if step.message else ""
        rows.append(
            f'<tr><td>{escape(Path(step.file).name)}:{step.line}</td>'
            f'<td class="group">{escape(group)}</td>'
            f'<td><b>{escape(step.name)}</b> {escape(step.args)}{message}{_image(step)}</td>'
            f'<td>{step.duration * 1000:.1f} ms</td>'
            f'<td class="{_css(step.outcome)}">{escape(step.outcome)}</td></tr>')
    if not rows:
        return "<p>No robot statements ran.</p>"
    return ("<table><tr><th>line</th><th>sub-script</th><th>statement</th><th>duration</th>"
            "<th>outcome</th></tr>" + "".join(rows) + "</table>")


def _case(index: int, case: CaseResult) -> str:
    message = f'<div class="message">{escape(case.message)}</div>' if case.message else ""
    params = ", ".join(f"{k}={v!r}" for k, v in case.params.items())
    return (
        f'<details class="case" id="case-{index}" data-outcome="{escape(case.outcome)}"'
        f'{" open" if case.outcome not in ("passed", "skipped") else ""}>'
        f'<summary><span class="{_css(case.outcome)}">{escape(case.outcome.upper())}</span> '
        f'{escape(case.title)} <small>({case.duration:.2f} s, {escape(case.station)})</small>'
        f'</summary><p>{escape(case.file)}'
        f'{" · serial " + escape(case.serial) if case.serial else ""}'
        f'{" · tags: " + escape(", ".join(case.tags)) if case.tags else ""}'
        f'{" · " + escape(params) if params else ""}</p>{message}{_steps(case)}</details>')


def _summary_row(index: int, case: CaseResult) -> str:
    first_line = case.message.splitlines()[0] if case.message else ""
    return (f'<tr data-outcome="{escape(case.outcome)}">'
            f'<td><a href="#case-{index}">{escape(case.title)}</a></td>'
            f'<td>{escape(case.station)}</td>'
            f'<td class="{_css(case.outcome)}">{escape(case.outcome)}</td>'
            f'<td>{case.duration:.2f} s</td><td>{escape(first_line)}</td></tr>')


def _button(status: str, count: int, active: bool = False) -> str:
    return (f'<button class="filter{" active" if active else ""}" data-status="{escape(status)}"'
            f' onclick="filterCases(\'{escape(status)}\')">{escape(status)} ({count})</button>')


def render_html(run: RunInfo) -> str:
    """The HTML document of *run* (read with its steps)."""
    counts = run.counts
    summary = "".join(_summary_row(i, c) for i, c in enumerate(run.cases))
    buttons = _button("all", len(run.cases), active=True) + "".join(
        _button(o, counts[o]) for o in OUTCOMES if counts.get(o))
    info = "".join(f"<tr><th>{k}</th><td>{escape(str(v))}</td></tr>" for k, v in (
        ("Station", run.station), ("Image", f"{run.image} {run.image_version}".strip()),
        ("Serial", run.serial), ("Suite version", run.suite_version),
        ("Started", _when(run.started)), ("Ended", _when(run.ended))))
    title = f"robotest run {run.id}: {escape(run.status)}"
    head = "<tr><th>test</th><th>station</th><th>status</th><th>duration</th><th>message</th></tr>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{_STYLE}</style><script>{_SCRIPT}</script></head><body>
<h1>robotest run {run.id}: <span class="{_css(run.status)}">{escape(run.status)}</span></h1>
<table>{info}</table>
<p>{buttons}</p>
<h2>Test cases</h2>
<table>{head}{summary}</table>
<h2>Steps</h2>
{"".join(_case(i, c) for i, c in enumerate(run.cases))}
</body></html>
"""
