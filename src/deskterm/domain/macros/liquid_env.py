"""The Liquid environment macros render in: visible placeholders, a cursor tag, safe limits.

Two changes to stock Liquid, made with python-liquid's own extension points:

- output statements (``{{ … }}`` and ``{% echo %}``) whose variable has no value write a
  visible marker ``⟦customer.first_name⟧`` instead of nothing, and record the name, so a
  reply never goes out with a silent hole in it. An expression with a ``default`` filter
  is the author's explicit choice and is never marked;
- ``{% cursor %}`` writes a one-off sentinel that the caller turns into an offset.

Customer values are data: Liquid never re-parses a value it outputs, so a name such as
``{{ 7*7 }}`` comes out literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from io import StringIO
from typing import Any, ClassVar, TextIO

from liquid import Environment, RenderContext, is_undefined
from liquid.ast import Node
from liquid.builtin.expressions import FilteredExpression, Path
from liquid.builtin.output import Output, OutputNode
from liquid.builtin.tags.echo_tag import EchoNode, EchoTag
from liquid.exceptions import LiquidError, LiquidSyntaxError, OutputStreamLimitError
from liquid.filter import with_context
from liquid.stream import TokenStream
from liquid.stringify import to_liquid_string
from liquid.tag import Tag
from liquid.template import BoundTemplate
from liquid.token import TOKEN_EXPRESSION, TOKEN_TAG

from deskterm.domain.macros.context import join_names, language_code
from deskterm.domain.macros.marks import MARK_CLOSE, MARK_OPEN

#: Keys of the render context's tag namespace used by the nodes below.
_MISSING_KEY = "deskterm_missing"
_CURSOR_KEY = "deskterm_cursor"

#: Generous for a reply, small enough that a runaway loop or a huge value cannot eat memory.
MAX_OUTPUT_CHARS = 2_000_000


def placeholder_name(expression: object) -> str | None:
    """The variable an output statement shows, or None if it is a literal or defaulted."""
    if not isinstance(expression, FilteredExpression):
        return None
    if not isinstance(expression.left, Path):
        return None
    if any(f.name == "default" for f in expression.filters or ()):
        return None
    return str(expression.left)


def is_blank(value: object) -> bool:
    """True for values an agent would see as a hole in the text."""
    if value is None or is_undefined(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return not value
    return False


class _MarkingMixin:
    """Writes a marker for a variable with no value; shared by output statements and echo.

    The variable is looked at before its filters too, so ``{{ name | append: "!" }}``
    still shows the hole when the name is unknown.
    """

    expression: Any

    def _write(self, raw: object, value: object, context: RenderContext, buffer: TextIO) -> int:
        name = placeholder_name(self.expression)
        if name is not None and (raw is None or is_undefined(raw) or is_blank(value)):
            missing = context.tag_namespace.setdefault(_MISSING_KEY, [])
            if name not in missing:
                missing.append(name)
            return buffer.write(f"{MARK_OPEN}{name}{MARK_CLOSE}")
        return buffer.write(to_liquid_string(value, context.autoescape))

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        expression = self.expression
        if not isinstance(expression, FilteredExpression):
            value = expression.evaluate(context)
            return self._write(value, value, context, buffer)
        raw = value = expression.left.evaluate(context)
        for filter_ in expression.filters or ():
            value = filter_.evaluate(value, context)
        return self._write(raw, value, context, buffer)

    async def render_to_output_async(self, context: RenderContext, buffer: TextIO) -> int:
        expression = self.expression
        if not isinstance(expression, FilteredExpression):
            value = await expression.evaluate_async(context)
            return self._write(value, value, context, buffer)
        raw = value = await expression.left.evaluate_async(context)
        for filter_ in expression.filters or ():
            value = await filter_.evaluate_async(value, context)
        return self._write(raw, value, context, buffer)


class MarkingOutputNode(_MarkingMixin, OutputNode):
    """``{{ expression }}`` that shows a marker when the variable has no value."""


class MarkingEchoNode(_MarkingMixin, EchoNode):
    """``{% echo expression %}`` that shows a marker when the variable has no value."""


class MarkingOutput(Output):
    node_class = MarkingOutputNode


class MarkingEcho(EchoTag):
    node_class = MarkingEchoNode


class CursorNode(Node):
    """Where the agent starts typing; renders the sentinel the caller looks for."""

    def __str__(self) -> str:
        return "{% cursor %}"

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(context.tag_namespace.get(_CURSOR_KEY, ""))


class CursorTag(Tag):
    """``{% cursor %}``: no arguments, no output of its own."""

    name = "cursor"
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token = stream.expect(TOKEN_TAG, value=self.name)
        if stream.peek.kind == TOKEN_EXPRESSION:
            raise LiquidSyntaxError("cursor takes no arguments", token=token)
        return CursorNode(token)


@with_context
def item_list(items: object, language: object = None, *, context: RenderContext) -> str:
    """``{{ order.items | item_list }}`` → "2 × bread, tarama and hummus"."""
    if not isinstance(items, Sequence) or isinstance(items, str):
        return "" if items is None or is_undefined(items) else str(items)
    if language is None or is_undefined(language):
        customer = context.resolve("customer")
        language = customer.get("language") if isinstance(customer, dict) else None
    parts = []
    for item in items:
        if isinstance(item, dict):
            name, quantity = str(item.get("name", "")), item.get("quantity", 1)
            parts.append(
                f"{quantity} × {name}" if isinstance(quantity, int) and quantity > 1 else name
            )
        else:
            parts.append(str(item))
    return join_names(parts, language_code(str(language or "")))


class _CappedBuffer(StringIO):
    """Counts characters, not UTF-8 bytes, so an odd value (a lone surrogate) cannot break it."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0

    def write(self, s: str) -> int:
        self.size += len(s)
        if self.size > self.limit:
            raise OutputStreamLimitError("the reply is too long", token=None)
        return super().write(s)


class MacroEnvironment(Environment):
    """Liquid with deskterm's tags and filters and limits that keep rendering bounded."""

    loop_iteration_limit: ClassVar[int | None] = 10_000
    local_namespace_limit: ClassVar[int | None] = 4_000_000
    context_depth_limit: ClassVar[int] = 10

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        self.add_tag(MarkingOutput)
        self.add_tag(MarkingEcho)
        self.add_tag(CursorTag)
        self.add_filter("item_list", item_list)


ENV = MacroEnvironment()


@lru_cache(maxsize=512)
def parse(body: str) -> BoundTemplate:
    """The parsed template for a body; macros are rendered often, parsed once."""
    return ENV.from_string(body)


def render_template(
    template: BoundTemplate, data: dict[str, Any], cursor_sentinel: str
) -> tuple[str, list[str]]:
    """Render with deskterm's nodes; returns the text and the blank variables in order."""
    context = template.context_class(template, globals=template.make_globals(data))
    context.tag_namespace[_MISSING_KEY] = []
    context.tag_namespace[_CURSOR_KEY] = cursor_sentinel
    buffer = _CappedBuffer(MAX_OUTPUT_CHARS)
    template.render_with_context(context, buffer)
    return buffer.getvalue(), list(context.tag_namespace[_MISSING_KEY])


#: Liquid's wording for a tag or output left open, said the way an agent would say it.
_FRIENDLIER = {
    "expected '}}', found end of file": "unexpected end of output",
    "expected '%}', found end of file": "unexpected end of tag",
}


def error_line(err: BaseException) -> str:
    """One line describing a failed parse or render, with the line number when known."""
    line: int | None = None
    if isinstance(err, LiquidError):
        message = str(err.message) if err.message is not None else type(err).__name__
        try:
            where = err.context()
        except ValueError:
            where = None
        if where is not None:
            line = where[0]
    else:
        message = f"{type(err).__name__}: {err}"
    message = " ".join(message.split())
    message = _FRIENDLIER.get(message, message)
    if len(message) > 160:
        message = message[:159] + "…"
    suffix = f" at line {line}" if line is not None else ""
    return f"Liquid error in macro: {message}{suffix}"
