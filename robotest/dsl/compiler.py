"""Compiles `.rtest` source to one Python ``ast.Module`` and a code object.

Steps: find the robot lines and parse them with the lark grammar (:mod:`scanner`),
replace each with a Python placeholder of the same shape, parse the whole file once
with Python's own parser, then swap the placeholders for runtime calls and block
definitions (:mod:`codegen`). Every error found on the way becomes a
:class:`Diagnostic`; all of them are raised together as :class:`RtestSyntaxError`.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import difflib
import gc
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import CodeType

from robotest.dsl import codegen, limits
from robotest.dsl.diagnostics import Diagnostic, RtestSyntaxError
from robotest.dsl.durations import mask_durations, unmask_durations
from robotest.dsl.lexer import LineIndex
from robotest.dsl.model import (
    BareName,
    HookHeader,
    KeySpec,
    PyExpr,
    RobotStatement,
    SubscriptHeader,
    TestHeader,
)
from robotest.dsl.scanner import PLACEHOLDER, RobotLine, find_robot_lines, substitute
from robotest.dsl.static_matrix import module_constants, static_titles
from robotest.keys import NAMED_KEYS

MAX_PYTHON_ERRORS = 5
BOM = "\ufeff"
_BODIES = ("body", "orelse", "finalbody")
_COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.TryStar,
    ast.Match,
)


@dataclass
class CompiledModule:
    """A compiled `.rtest` file: its AST (for `rtest compile`) and its code."""

    filename: str
    tree: ast.Module
    code: CodeType

    @property
    def python_source(self) -> str:
        return ast.unparse(self.tree)


def compile_source(
    source: str, filename: str = "<rtest>", *, interactive: bool = False
) -> CompiledModule:
    """Compile `.rtest` source; raise :class:`RtestSyntaxError` with every error found.

    *interactive* (`rtest shell`): robot statements may stand at the top level, as they
    do at a prompt; the code runs them in the order typed.
    """
    with _collector_paused():
        tree, code = _compile(source, filename, interactive)
    return CompiledModule(filename, tree, code)


def compile_code(source: str, filename: str = "<rtest>") -> CodeType:
    """Compile `.rtest` source to its code object only (what an import or a check needs).

    The same code as :func:`compile_source`'s, but the AST is freed before the cyclic
    garbage collector resumes, so that the collector never has a whole tree to scan.
    """
    with _collector_paused():
        return _compile(source, filename)[1]


def _compile(source: str, filename: str, interactive: bool = False) -> tuple[ast.Module, CodeType]:
    try:
        tree, diagnostics = build_tree(source, filename, interactive)
        if not diagnostics:
            return tree, compile(tree, filename, "exec", dont_inherit=True)
    except SyntaxError as error:
        diagnostics = [_python_diagnostic(error, filename)]
    except (RecursionError, MemoryError):
        # the nesting bound keeps the recursive passes well within Python's limits; this
        # only answers a caller that was itself already near them
        diagnostics = [Diagnostic(filename, 1, 1, limits.NESTING_MESSAGE)]
    raise RtestSyntaxError(diagnostics, source.removeprefix(BOM))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file compiles.

    An AST is hundreds of thousands of short-lived objects and holds no cycles the
    collector must break; letting it scan them more than doubles the time
    ``ast.parse`` takes. Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_source(source: str, filename: str = "<rtest>") -> list[Diagnostic]:
    """Every compile error of *source* (an empty list when it compiles)."""
    try:
        compile_code(source, filename)
    except RtestSyntaxError as error:
        return error.diagnostics
    return []


def build_tree(
    source: str, filename: str, interactive: bool = False
) -> tuple[ast.Module, list[Diagnostic]]:
    """The module's AST and the errors found (the AST is only usable without errors)."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")  # lines as Python counts them
    source = source.removeprefix(BOM)  # as Python does; columns count from after it
    too_large = limits.source_size_error(source)
    if too_large is not None:
        return ast.Module([], []), [Diagnostic(filename, 1, 1, too_large)]
    index = LineIndex(source)
    robots = find_robot_lines(source)
    while True:
        text = substitute(source, robots)
        module, diagnostics = _parse_python_with_durations(text, filename)
        diagnostics = _source_columns(diagnostics, text, source)
        if module is None:
            return ast.Module([], []), diagnostics + _robot_errors(robots, index, filename)
        deep = limits.too_deep(module, text)
        if deep is not None:  # before the recursive passes: the rewriter, compile()
            return ast.Module([], []), [_nesting_error(text, deep, filename)]
        rewriter = Rewriter(source, robots, index, filename, interactive=interactive)
        rewriter.rewrite(module)
        # a robot line on a line Python rejected (and the parse left out) is no stray
        rejected = {d.line for d in diagnostics}
        stray = [r for r in robots if id(r) not in rewriter.matched and r.line not in rejected]
        if not stray:  # every robot line was a real one (none inside a string...)
            return module, diagnostics + rewriter.diagnostics
        kept = {id(r) for r in stray}
        robots = [r for r in robots if id(r) not in kept]


def _source_columns(diagnostics: list[Diagnostic], text: str, source: str) -> list[Diagnostic]:
    """Python's errors in *text*, at the columns of *source*: an embedded statement's atom
    keeps its line's UTF-8 bytes, not its characters, where it stands for non-ASCII text."""
    if source.isascii():
        return diagnostics
    text_lines, source_lines = text.split("\n"), source.split("\n")
    fixed = []
    for diagnostic in diagnostics:
        row = diagnostic.line - 1
        if 0 <= row < min(len(text_lines), len(source_lines)):
            written, original = text_lines[row], source_lines[row]
            if written != original and not original.isascii():
                at = len(written[: diagnostic.col - 1].encode("utf-8", "surrogatepass"))
                head = original.encode("utf-8", "surrogatepass")[:at]
                col = len(head.decode("utf-8", "ignore")) + 1
                diagnostic = Diagnostic(diagnostic.file, diagnostic.line, col, diagnostic.message)
        fixed.append(diagnostic)
    return fixed


def _robot_errors(robots: list[RobotLine], index: LineIndex, filename: str) -> list[Diagnostic]:
    return [_at(index, filename, r.start + r.error[1], r.error[0]) for r in robots if r.error]


def _at(index: LineIndex, filename: str, pos: int, message: str) -> Diagnostic:
    line, col = index.position(pos)
    return Diagnostic(filename, line, col + 1, message)


def _nesting_error(text: str, place: limits.Place, filename: str) -> Diagnostic:
    """The nesting limit's error at *place* (whose column counts UTF-8 bytes, as ast's)."""
    line_start = 0
    for _ in range(place.line - 1):
        line_start = text.index("\n", line_start) + 1
    head = text[line_start : line_start + place.col]
    col = len(head.encode("utf-8")[: place.col].decode("utf-8", "ignore"))
    return Diagnostic(filename, place.line, col + 1, limits.NESTING_MESSAGE)


def _python_diagnostic(error: SyntaxError, filename: str) -> Diagnostic:
    return Diagnostic(filename, error.lineno or 1, max(1, error.offset or 1), error.msg)


def _parse_python_with_durations(
    text: str, filename: str
) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse with Python, taking duration literals (`2min`) as seconds where they stand.

    Python calls `2min` an invalid decimal literal; only then are durations looked for
    (with the tokenizer, which is slower than the parser) and the text parsed again.
    """
    module, diagnostics = _parse_python(text, filename)
    if not any(d.message.startswith("invalid decimal literal") for d in diagnostics):
        return module, diagnostics
    masked, seconds = mask_durations(text)
    if not seconds:
        return module, diagnostics
    module, diagnostics = _parse_python(masked, filename)
    if module is not None:
        unmask_durations(module, seconds)
    return module, diagnostics


def _parse_python(text: str, filename: str) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse with Python; after a syntax error, neutralise that line and go on."""
    diagnostics: list[Diagnostic] = []
    neutralised: set[int] = set()
    for _ in range(MAX_PYTHON_ERRORS):
        try:
            return ast.parse(text, filename), diagnostics
        except (RecursionError, MemoryError):  # Python's parser ran out of stack
            place = limits.locate_parser_overflow(text)
            diagnostics.append(_nesting_error(text, place, filename))
            break
        except SyntaxError as error:
            line = error.lineno or 0
            if line in neutralised:
                break
            diagnostics.append(_python_diagnostic(error, filename))
            lines = text.split("\n")
            if not 1 <= line <= len(lines) or isinstance(error, IndentationError):
                break
            neutralised.add(line)
            old = lines[line - 1]
            indent = old[: len(old) - len(old.lstrip())]
            lines[line - 1] = indent + ("if 1:" if old.rstrip().endswith(":") else "pass")
            text = "\n".join(lines)
    return None, diagnostics


@dataclass
class Rewriter:
    """Replaces placeholders with runtime calls and block definitions, checking placement."""

    source: str
    robots: list[RobotLine]
    index: LineIndex
    filename: str
    interactive: bool = False  # robot statements allowed at the top level (`rtest shell`)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    matched: set[int] = field(default_factory=set)
    bare_names: list[tuple[BareName, int]] = field(default_factory=list)
    titles: dict[str, int] = field(default_factory=dict)
    hooks: set[str] = field(default_factory=set)
    function_names: set[str] = field(default_factory=set)
    constants: dict[str, ast.expr] | None = None  # module constants, found when first needed
    module: ast.Module = field(default_factory=lambda: ast.Module([], []))

    def __post_init__(self) -> None:
        self.by_line = {r.line: r for r in self.robots if not r.embedded}
        self.lines = sorted(self.by_line)
        # an embedded statement's atom `(_R_ ...)`: its name's line and byte column
        self.embedded = {
            (r.line, self.byte_position(r.start)[1] + 1): r for r in self.robots if r.embedded
        }

    def rewrite(self, module: ast.Module) -> None:
        self.module = module
        module.body = self.block(module.body, in_function=self.interactive, at_module=True)
        if self.embedded:
            EmbeddedStatements(self).visit(module)
        if self.bare_names:
            self.check_bare_names(module)
        codegen_pos = (1, 0, 1, 0)
        insert_at = _after_future_imports(module.body)
        module.body[insert_at:insert_at] = codegen.prelude(codegen_pos)

    def error(self, pos: int, message: str) -> None:
        self.diagnostics.append(_at(self.index, self.filename, pos, message))

    # -- walking ------------------------------------------------------------------
    def block(self, stmts: list[ast.stmt], in_function: bool, at_module: bool) -> list[ast.stmt]:
        by_line = self.by_line
        for number, stmt in enumerate(stmts):  # replaced in place
            robot = by_line.get(stmt.lineno)
            # the body of a header that did not parse is read as the block it meant to
            # open, so that its statements give no second error
            inner = in_function
            if robot is not None and _is_placeholder(stmt, robot):
                self.matched.add(id(robot))
                stmt = stmts[number] = self.robot(stmt, robot, in_function, at_module)
                inner = in_function or (robot.is_header and robot.error is not None)
            if isinstance(stmt, _COMPOUND) and self.has_robot_lines(stmt):
                self.children(stmt, inner)
        return stmts

    def has_robot_lines(self, stmt: ast.stmt) -> bool:
        """Whether a robot line starts in *stmt*'s body (else it stays as Python parsed it)."""
        after = bisect.bisect_right(self.lines, stmt.lineno)
        return after < len(self.lines) and self.lines[after] <= (stmt.end_lineno or 0)

    def children(self, stmt: ast.stmt, in_function: bool) -> None:
        inner = in_function or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
        for name in _BODIES:
            body = getattr(stmt, name, None)
            if body:
                setattr(stmt, name, self.block(body, inner, False))
        for handler in getattr(stmt, "handlers", ()):
            handler.body = self.block(handler.body, inner, False)
        for case in getattr(stmt, "cases", ()):
            case.body = self.block(case.body, inner, False)

    # -- robot lines --------------------------------------------------------------
    def robot(
        self, stmt: ast.stmt, robot: RobotLine, in_function: bool, at_module: bool
    ) -> ast.stmt:
        parsed = robot.parsed
        if robot.error is not None or parsed is None:
            message, pos = robot.error or ("cannot parse this line", 0)
            self.error(robot.start + pos, message)
            return stmt
        if isinstance(parsed, RobotStatement):
            return self.statement(stmt, robot, parsed, in_function)
        if not at_module and not isinstance(parsed, SubscriptHeader):
            word = parsed.head.value
            self.error(
                robot.start,
                f"'{word}' belongs at the top level of the file, not inside another block",
            )
            return stmt
        if isinstance(parsed, TestHeader):
            return self.test(stmt, robot, parsed)
        if isinstance(parsed, SubscriptHeader):
            return self.subscript(stmt, robot, parsed)
        return self.hook(stmt, robot, parsed)

    def statement(
        self, stmt: ast.stmt, robot: RobotLine, parsed: RobotStatement, in_function: bool
    ) -> ast.stmt:
        if not in_function:
            self.error(
                robot.start,
                f"'{parsed.name}' runs on the robot: put it inside a test, "
                "sub-script, setup, teardown or function",
            )
        placeholder = stmt.value  # type: ignore[attr-defined]
        if placeholder.keywords:  # an expression such as `a=b`: Python read a keyword
            keyword = placeholder.keywords[0]
            self.diagnostics.append(
                Diagnostic(
                    self.filename,
                    keyword.lineno,
                    keyword.col_offset + 1,
                    f"this is not an expression that '{parsed.name}' can take (did you mean '=='?)",
                )
            )
            return stmt
        nodes = dict(zip(robot.exprs, placeholder.args, strict=True))
        if isinstance(parsed.subject, tuple):
            self.bare_names += [
                (a, robot.start)
                for spec in parsed.subject
                for a in spec.atoms
                if isinstance(a, BareName)
            ]
        generator = codegen.Generator(nodes, codegen.span(placeholder), self.positions(robot))
        generator.statement(parsed, placeholder)
        return stmt

    def embedded_statement(self, robot: RobotLine, atom: ast.Name, in_function: bool) -> ast.expr:
        """The runtime call of a statement inside an expression, standing for its atom."""
        parsed = robot.parsed
        if robot.error is not None or not isinstance(parsed, RobotStatement):
            message, pos = robot.error or ("cannot parse this statement", 0)
            self.error(robot.start + pos, message)
            return atom
        if not in_function:
            self.error(
                robot.start,
                f"'{parsed.name}' runs on the robot: put it inside a test, "
                "sub-script, setup, teardown or function",
            )
        nodes: dict[PyExpr, ast.expr] = {}
        for expr, text in zip(robot.exprs, robot.expr_texts, strict=True):
            node = self.embedded_expression(text, robot.start + expr.start)
            if node is None:
                return atom
            nodes[expr] = node

        def positions(start: int, end: int) -> codegen.Pos:
            base = robot.start
            return (*self.byte_position(base + start), *self.byte_position(base + end))

        span = positions(0, robot.end - robot.start)
        name = codegen.at(span, ast.Name(PLACEHOLDER, ast.Load()))
        call = codegen.at(span, ast.Call(name, [], []))
        return codegen.Generator(nodes, span, positions).statement(parsed, call)

    def embedded_expression(self, text: str, start: int) -> ast.expr | None:
        """An embedded statement's Python expression, parsed apart, at its own position."""
        masked, seconds = mask_durations(text)
        try:
            node = ast.parse(masked, mode="eval").body
        except SyntaxError as error:
            self.error(_offset_in(text, start, error), error.msg)
            return None
        except (RecursionError, MemoryError):
            self.error(start, limits.NESTING_MESSAGE)
            return None
        if limits.too_deep(node, text, depth=_HEADER_VALUE_DEPTH) is not None:
            self.error(start, limits.NESTING_MESSAGE)
            return None
        unmask_durations(node, seconds)
        _shift(node, *self.byte_position(start))
        return node

    def byte_position(self, pos: int) -> tuple[int, int]:
        """Line and UTF-8 byte column (as in Python's nodes) of source offset *pos*."""
        line, col = self.index.position(pos)
        head = self.source[pos - col : pos]
        return line, col if head.isascii() else len(head.encode("utf-8", "surrogatepass"))

    def test(self, stmt: ast.stmt, robot: RobotLine, header: TestHeader) -> ast.stmt:
        assert isinstance(stmt, ast.With)
        nodes = dict(zip(robot.exprs, [item.context_expr for item in stmt.items], strict=True))
        errors = len(self.diagnostics)
        self.check_title(robot, header)
        if header.loops and len(self.diagnostics) == errors:
            self.check_case_titles(robot, header, nodes)
        pos = codegen.span(stmt)
        names = [name for loop_names, _ in header.loops for name in loop_names]
        decorator = codegen.Generator(nodes, pos, self.positions(robot)).test_decorator(header)
        name = codegen.test_function_name(header.title, self.function_names, pos[0])
        return codegen.function(name, codegen.arguments(names, pos), stmt.body, decorator, pos)

    def positions(self, robot: RobotLine) -> codegen.Positions:
        """Maps offsets relative to *robot* to ``(line, col, end_line, end_col)``."""
        if robot.one_line:
            line, col = robot.line, robot.col
            return lambda start, end: (line, col + start, line, col + end)
        index, base = self.index, robot.start

        def position(start: int, end: int) -> codegen.Pos:
            return (*index.position(base + start), *index.position(base + end))

        return position

    def check_title(self, robot: RobotLine, header: TestHeader) -> None:
        pos = robot.start + header.title_expr.start
        loop_names = {n for names, _ in header.loops for n in names}
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(header.title) if f is not None}
        except ValueError as error:
            self.error(pos, f"bad test title: {error}")
            return
        unknown = sorted(f for f in fields if f.split(".")[0].split("[")[0] not in loop_names)
        if unknown:
            self.error(pos, f"test title uses {{{unknown[0]}}} but no 'for' clause defines it")
        elif header.loops and not fields:
            self.error(
                pos,
                "a test with 'for' clauses needs {name} placeholders in its title "
                "so that every case gets its own title",
            )
        elif not header.loops:
            first = self.titles.setdefault(header.title, self.index.position(pos)[0])
            if first != self.index.position(pos)[0]:
                self.error(pos, f"duplicate test title {header.title!r} (first on line {first})")

    def check_case_titles(
        self, robot: RobotLine, header: TestHeader, nodes: dict[PyExpr, ast.expr]
    ) -> None:
        """Duplicate titles among the cases of literal ``for`` clauses, and with other tests."""
        loops = [(names, nodes[expr]) for names, expr in header.loops]
        if self.constants is None:
            self.constants = module_constants(self.module, "global" in self.source)
        titles = static_titles(header.title, loops, self.constants)
        if titles is None:
            return
        pos = robot.start + header.title_expr.start
        line = self.index.position(pos)[0]
        for title in titles:
            first = self.titles.setdefault(title, line)
            if first != line or titles.count(title) > 1:
                where = "another case of this test" if first == line else f"line {first}"
                self.error(pos, f"duplicate test title {title!r} (also produced by {where})")
                return

    def subscript(self, stmt: ast.stmt, robot: RobotLine, header: SubscriptHeader) -> ast.stmt:
        assert isinstance(stmt, ast.FunctionDef)
        self.literal_defaults(stmt.args, robot)
        pos = codegen.span(stmt)
        keywords = {}
        gen = codegen.Generator({}, pos, self.positions(robot))
        for key in ("retries", "timeout"):
            value = getattr(header, key)
            if value is not None:
                keywords[key] = self.header_value(value, robot, gen)
        stmt.decorator_list = [
            codegen.call("subscript", [codegen.constant(header.name, pos)], keywords, pos)
        ]
        return stmt

    def header_value(self, value: object, robot: RobotLine, gen: codegen.Generator) -> ast.expr:
        """A retries/timeout value; a parenthesised expression is parsed in place."""
        if isinstance(value, PyExpr):
            try:
                return _parse_expr_at(self.source, value, self.index, robot.start)
            except (RecursionError, MemoryError, ExpressionTooDeep):
                self.error(robot.start + value.start, limits.NESTING_MESSAGE)
                return codegen.constant(None, gen.pos)
        return gen.value(value)  # type: ignore[arg-type]

    def literal_defaults(self, args: ast.arguments, robot: RobotLine) -> None:
        if not robot.literals:
            return
        by_position = {self.index.position(off): lit for off, lit in robot.literals.items()}
        for node in [*args.defaults, *args.kw_defaults]:
            if isinstance(node, ast.Constant):
                literal = by_position.get((node.lineno, node.col_offset))
                if literal is not None:
                    node.value = literal.value  # type: ignore[attr-defined]

    def hook(self, stmt: ast.stmt, robot: RobotLine, header: HookHeader) -> ast.stmt:
        assert isinstance(stmt, ast.If)
        if header.kind in self.hooks:
            self.error(robot.start, f"a second '{header.kind}:' block (one per file)")
        self.hooks.add(header.kind)
        pos = codegen.span(stmt)
        decorator = codegen.runtime(header.kind, pos)
        return codegen.function(
            f"__rtest_{header.kind}__", codegen.arguments([], pos), stmt.body, decorator, pos
        )

    # -- key names ----------------------------------------------------------------
    def check_bare_names(self, module: ast.Module) -> None:
        bound = _bound_names(module) | set(dir(builtins)) | runtime_names()
        for bare, base in self.bare_names:
            name = bare.token.value
            if name in bound:
                continue
            close = difflib.get_close_matches(name.lower(), [k.lower() for k in NAMED_KEYS], 1)
            hint = ""
            if close:
                hint = f" (did you mean {next(k for k in NAMED_KEYS if k.lower() == close[0])}?)"
            self.error(
                base + bare.expr.start,
                f"unknown key {name!r}{hint}; single characters are "
                'quoted ("a") and a variable must be defined',
            )


class EmbeddedStatements(ast.NodeTransformer):
    """Replaces the atoms of embedded statements with their runtime calls.

    Knows whether each stands in a function's body (run when called) or at the top
    level (run at import, where robot statements are refused but at a prompt).
    """

    def __init__(self, rewriter: Rewriter):
        self.rewriter = rewriter
        self.depth = 1 if rewriter.interactive else 0

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id != PLACEHOLDER:
            return node
        robot = self.rewriter.embedded.get((node.lineno, node.col_offset))
        if robot is None:
            return node
        self.rewriter.matched.add(id(robot))
        replacement = self.rewriter.embedded_statement(robot, node, self.depth > 0)
        return self.generic_visit(replacement)  # statements inside its expressions

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self.function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self.function(node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return self.function(node)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> ast.AST:
        """Decorators and defaults run where the function is defined; its body, later."""
        body = node.body
        holder: ast.AST = ast.Module(body, []) if isinstance(body, list) else ast.Expression(body)
        node.body = []
        self.generic_visit(node)
        self.depth += 1
        try:
            self.generic_visit(holder)
        finally:
            self.depth -= 1
        node.body = holder.body  # type: ignore[attr-defined]
        return node


def _offset_in(text: str, start: int, error: SyntaxError) -> int:
    """The source offset of a syntax error in *text*, which starts at offset *start*."""
    lines = text.split("\n")
    row = min(max(1, error.lineno or 1), len(lines))
    before = sum(len(line) + 1 for line in lines[: row - 1])
    return start + before + min(max(0, (error.offset or 1) - 1), len(lines[row - 1]))


def _shift(node: ast.expr, line: int, col: int) -> None:
    """Move *node*, parsed alone, to *line* and *col* (its first line's byte column)."""
    for child in ast.walk(node):
        if isinstance(child, ast.expr | ast.keyword | ast.arg):
            if child.lineno == 1:
                child.col_offset += col
            if child.end_lineno == 1 and child.end_col_offset is not None:
                child.end_col_offset += col
            child.lineno += line - 1
            child.end_lineno = (child.end_lineno or 1) + line - 1


def _is_placeholder(stmt: ast.stmt, robot: RobotLine) -> bool:
    parsed = robot.parsed
    col = robot.col
    if parsed is None and robot.is_header:
        return isinstance(stmt, ast.If) and stmt.col_offset == col
    if parsed is None or isinstance(parsed, RobotStatement):
        value = getattr(stmt, "value", None)
        return (
            isinstance(stmt, ast.Expr | ast.Assign)
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == PLACEHOLDER
            and value.col_offset == col
        )
    if stmt.col_offset != col:
        return False
    if isinstance(parsed, TestHeader):
        return isinstance(stmt, ast.With)
    if isinstance(parsed, SubscriptHeader):
        return isinstance(stmt, ast.FunctionDef) and stmt.name == parsed.name
    return isinstance(stmt, ast.If)


class ExpressionTooDeep(Exception):
    """A header's expression nests deeper than the compiler's limit."""


_HEADER_VALUE_DEPTH = 4  # module, function, decorator call, keyword


def _parse_expr_at(source: str, expr: PyExpr, index: LineIndex, base: int) -> ast.expr:
    """Parse the expression at *base* + *expr*'s offsets, with its `.rtest` positions."""
    line, col = index.position(base + expr.start)
    text = source[base + expr.start : base + expr.end]
    node = ast.parse(text, mode="eval").body
    if limits.too_deep(node, text, depth=_HEADER_VALUE_DEPTH) is not None:
        raise ExpressionTooDeep
    _shift(node, line, col)
    return node


def _after_future_imports(body: list[ast.stmt]) -> int:
    position = 0
    for i, stmt in enumerate(body):
        is_doc = (
            i == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        )
        if is_doc or (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"):
            position = i + 1
        else:
            break
    return position


def _bound_names(module: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
    return names


def runtime_names() -> set[str]:
    """The names every `.rtest` module gets from the runtime (``robotest.runtime.api``)."""
    from robotest.runtime import api

    return set(api.__all__)


__all__ = [
    "CompiledModule",
    "KeySpec",
    "build_tree",
    "check_source",
    "compile_code",
    "compile_source",
    "runtime_names",
]
