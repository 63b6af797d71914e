"""Case tables of the field finders, one module per finder."""

from __future__ import annotations

import pytest


def table(cases: dict[str, object]) -> pytest.MarkDecorator:
    """Parametrize over a table of (text, expected) rows keyed by their test ids."""
    return pytest.mark.parametrize(("text", "expected"), list(cases.values()), ids=list(cases))
