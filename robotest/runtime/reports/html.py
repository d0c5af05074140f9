"""The HTML report: summary, each test's steps, thumbnails of the screens it saw.

Screenshots are stored once per distinct frame (:mod:`shots`): beside the report as
full-size PNGs with small JPEG thumbnails inline, or all inside a ``--self-contained``
file. Consecutive steps of one statement at one line (a polling loop's attempts) fold
into one row with their count and total time. A failed case ends with a filmstrip of
its last screens. A few lines of JavaScript filter the cases by status.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from robotest import language
from robotest.results.statuses import PASSED, STATUSES
from robotest.runtime.reports.shots import InlineShots, Shot, Shots
from robotest.runtime.results import CaseResult, RunInfo, Step
from robotest.runtime.steps import FRAME

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f3f3f3}
.passed{color:#1a7f37}.failed{color:#cf222e}.error{color:#8250df}
.station-error{color:#9a6700}.interrupted{color:#bc4c00}.skipped{color:#777}
.case{border:1px solid #ddd;border-radius:4px;margin:.6em 0;padding:.3em .8em}
.case summary{cursor:pointer;font-weight:600}.message{white-space:pre-wrap;
font-family:monospace;background:#fff5f5;padding:.4em}
img.shot{max-width:480px;border:1px solid #999;display:block;margin:.3em 0}
.filmstrip{display:flex;gap:6px;overflow-x:auto;padding:.3em 0}
.filmstrip figure{margin:0}.filmstrip img{width:240px;border:1px solid #999}
.filmstrip figcaption{font-size:12px;color:#555}.attempts{color:#555}
button.filter{margin-right:.3em}button.active{font-weight:bold}
.group{color:#555;font-style:italic}.step-id{color:#777}
.hint{font-size:12px;color:#555;margin:.2em 0}
"""

_SCRIPT = """
function filterCases(status){
  document.querySelectorAll('[data-status]').forEach(function(el){
    el.style.display=(status==='all'||el.dataset.status===status)?'':'none';});
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


def _image(shot: Shot | None, alt: str, css: str = "shot") -> str:
    if shot is None:
        return ""
    if not shot.full:  # self-contained: the page's script gives it its source
        return (
            f'<a data-shot="{shot.key}" target="_blank"><img class="{css}" '
            f'data-shot="{shot.key}" alt="{escape(alt)}"></a>'
        )
    return (
        f'<a href="{escape(shot.full)}" target="_blank"><img class="{css}" '
        f'alt="{escape(alt)}" src="{escape(shot.thumb)}" loading="lazy"></a>'
    )


@dataclass
class Row:
    """One row of the steps table: a step, or consecutive attempts of one statement."""

    step: Step
    attempts: int = 1
    duration: float = 0.0
    screenshot: bytes | None = None


def fold(steps: list[Step]) -> list[Row]:
    """Consecutive steps of the same statement at the same line, group and attempt, all
    passed but maybe the last, as one row (a loop polling the screen)."""
    rows: list[Row] = []
    for step in steps:
        last = rows[-1] if rows else None
        if (
            last is not None
            and last.step.status == PASSED
            and not last.step.screenshot
            and _same_statement(last.step, step)
        ):
            last.attempts += 1
            last.duration += step.duration
            last.step = step
            last.screenshot = step.screenshot
            continue
        rows.append(Row(step, 1, step.duration, step.screenshot))
    return rows


def _same_statement(a: Step, b: Step) -> bool:
    return (a.name, a.file, a.line, a.group, a.attempt) == (
        b.name,
        b.file,
        b.line,
        b.group,
        b.attempt,
    )


def _steps(case: CaseResult, shots: Shots) -> str:
    rows = []
    for row in fold([step for step in case.steps if step.name != FRAME]):
        step = row.step
        group = f"{step.group} (attempt {step.attempt})" if step.group else ""
        message = f'<div class="message">{escape(step.message)}</div>' if step.message else ""
        attempts = (
            f' <span class="attempts">({row.attempts} attempts)</span>' if row.attempts > 1 else ""
        )
        shot = shots.add(row.screenshot) if row.screenshot else None
        rows.append(
            f"<tr{_step_anchor(step)}><td>{escape(Path(step.file).name)}:{step.line}"
            f"{_step_id(step)}</td>"
            f'<td class="group">{escape(group)}</td>'
            f"<td><b>{escape(step.name)}</b> {escape(step.args)}{attempts}{message}"
            f"{_image(shot, step.screenshot_name)}{_capture_hint(step)}</td>"
            f"<td>{_duration(row.duration)}</td>"
            f'<td class="{_css(step.status)}">{escape(step.status)}</td></tr>'
        )
    if not rows:
        return "<p>No robot statements ran.</p>"
    return (
        "<table><tr><th>line</th><th>sub-script</th><th>statement</th><th>duration</th>"
        "<th>status</th></tr>" + "".join(rows) + "</table>" + _filmstrip(case, shots)
    )


def _step_anchor(step: Step) -> str:
    return f' id="step-{step.db_id}"' if step.db_id is not None else ""


def _step_id(step: Step) -> str:
    """The step's id in the results database, for ``rtest icon capture --step``."""
    return f'<br><small class="step-id">step {step.db_id}</small>' if step.db_id is not None else ""


_ICON_SEARCHES = {s.name for s in language.STATEMENTS if s.subject == language.Arg.ICON}
_FIRST_QUOTED = re.compile(r"""^['"]([A-Za-z0-9][A-Za-z0-9_.-]{0,63})['"]""")


def _capture_hint(step: Step) -> str:
    """For a failed icon search: the command that captures the icon's new look from
    the screen this step saw."""
    if step.status == PASSED or step.name not in _ICON_SEARCHES or step.db_id is None:
        return ""
    named = _FIRST_QUOTED.match(step.args)
    name = named.group(1) if named else "NAME"
    command = f"rtest icon capture {name} --step {step.db_id} --box X,Y,W,H --into icons"
    return f'<div class="hint">A new look? <code>{escape(command)}</code></div>'


def _duration(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def _filmstrip(case: CaseResult, shots: Shots) -> str:
    frames = [step for step in case.steps if step.name == FRAME and step.screenshot]
    if not frames:
        return ""
    figures = "".join(
        f"<figure>{_image(shots.add(frame.screenshot or b''), frame.args, 'film')}"
        f"<figcaption>{escape(frame.args)}{_frame_id(frame)}</figcaption></figure>"
        for frame in frames
    )
    return f'<h4>Last screens</h4><div class="filmstrip">{figures}</div>'


def _frame_id(frame: Step) -> str:
    return f" · step {frame.db_id}" if frame.db_id is not None else ""


def _case(index: int, case: CaseResult, shots: Shots) -> str:
    message = f'<div class="message">{escape(case.message)}</div>' if case.message else ""
    params = ", ".join(f"{k}={v!r}" for k, v in case.params.items())
    return (
        f'<details class="case" id="case-{index}" data-status="{escape(case.status)}"'
        f"{' open' if case.status not in ('passed', 'skipped') else ''}>"
        f'<summary><span class="{_css(case.status)}">{escape(case.status.upper())}</span> '
        f"{escape(case.title)} <small>({case.duration:.2f} s, {escape(case.station)})</small>"
        f"</summary><p>{escape(case.file)}"
        f"{' · serial ' + escape(case.serial) if case.serial else ''}"
        f"{' · tags: ' + escape(', '.join(case.tags)) if case.tags else ''}"
        f"{' · ' + escape(params) if params else ''}</p>{message}{_steps(case, shots)}</details>"
    )


def _summary_row(index: int, case: CaseResult) -> str:
    first_line = case.message.splitlines()[0] if case.message else ""
    return (
        f'<tr data-status="{escape(case.status)}">'
        f'<td><a href="#case-{index}">{escape(case.title)}</a></td>'
        f"<td>{escape(case.station)}</td>"
        f'<td class="{_css(case.status)}">{escape(case.status)}</td>'
        f"<td>{case.duration:.2f} s</td><td>{escape(first_line)}</td></tr>"
    )


def _button(status: str, count: int, active: bool = False) -> str:
    return (
        f'<button class="filter{" active" if active else ""}" data-status="{escape(status)}"'
        f" onclick=\"filterCases('{escape(status)}')\">{escape(status)} ({count})</button>"
    )


def render_html(run: RunInfo, shots: Shots | None = None) -> str:
    """The HTML document of *run* (read with its steps); screenshots go to *shots*
    (default: inside the document)."""
    shots = InlineShots() if shots is None else shots
    counts = run.counts
    summary = "".join(_summary_row(i, c) for i, c in enumerate(run.cases))
    buttons = _button("all", len(run.cases), active=True) + "".join(
        _button(o, counts[o]) for o in STATUSES if counts.get(o)
    )
    info = "".join(
        f"<tr><th>{k}</th><td>{escape(str(v))}</td></tr>"
        for k, v in (
            ("Station", run.station),
            ("Image", f"{run.image} {run.image_version}".strip()),
            ("Serial", run.serial),
            ("Suite version", run.suite_version),
            ("Started", _when(run.started)),
            ("Ended", _when(run.ended)),
        )
    )
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
{"".join(_case(i, c, shots) for i, c in enumerate(run.cases))}
{shots.script()}
</body></html>
"""
