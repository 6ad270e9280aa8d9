"""``{{ text|prose }}``: playbook prose as paragraphs, with indented code kept in ``<pre>``."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from hireproof.core.playbook import decimal_text
from hireproof.hiring.reads.playbook_guide import BlockKind, text_blocks

register = template.Library()


@register.filter
def prose(text: str) -> SafeString:
    """Escape ``text`` and mark it up as ``<p>`` paragraphs and ``<pre><code>`` blocks."""
    return format_html_join(
        "\n",
        "{}",
        (
            (
                format_html("<pre><code>{}</code></pre>", block.text)
                if block.kind == BlockKind.CODE
                else format_html("<p>{}</p>", block.text),
            )
            for block in text_blocks(text)
        ),
    )


@register.filter
def number(value: Decimal) -> str:
    """An exact decimal as its shortest text: ``0.40`` -> ``0.4``, ``75.0`` -> ``75``."""
    return decimal_text(value)
