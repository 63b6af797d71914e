"""The weekly report's chart: a PNG with Chinese labels (matplotlib, Agg, no screen needed)."""

from __future__ import annotations

import logging
import warnings
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)
_FONT_NAMES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Source Han Sans SC",
               "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei")


def cjk_font(configured: str | None = None) -> str | None:
    """Path of a font with Chinese glyphs: the configured one, a system Noto CJK, or the
    Noto Sans CJK file the cvttf-NotoSansCJK-Regular package ships. None if there is none."""
    from matplotlib import font_manager  # noqa: PLC0415 - matplotlib loads only for reports

    if configured and Path(configured).exists():
        return configured
    for f in font_manager.fontManager.ttflist:
        if f.name in _FONT_NAMES:
            return f.fname
    try:
        import cvttf_NotoSansCJK_Regular as pkg  # noqa: PLC0415

        found = sorted(Path(pkg.__file__).parent.glob("*.[ot]t[fc]"))
        if found:
            return str(found[0])
    except ImportError:
        pass
    return None


def weekly_chart(days: list[date], placements: list[int], requests: list[int], title: str,
                 path: Path, font_path: str | None) -> Path | None:
    """Bars of placements and requests per day. None (and a warning) without a CJK font."""
    if font_path is None:
        log.warning("no font with Chinese glyphs found; the weekly report goes out as text only")
        return None
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    from matplotlib import font_manager  # noqa: PLC0415
    from matplotlib import pyplot as plt  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    font_manager.fontManager.addfont(font_path)
    family = font_manager.FontProperties(fname=font_path).get_name()
    labels = [f"{d.month}/{d.day}\n周{'一二三四五六日'[d.weekday()]}" for d in days]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph must fail, not draw boxes
        with plt.rc_context({"font.family": family, "axes.unicode_minus": False}):
            fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
            x = range(len(days))
            ax.bar([i - 0.2 for i in x], placements, width=0.4, label="调配人次", color="#2f7ed8")
            ax.bar([i + 0.2 for i in x], requests, width=0.4, label="诉求件数", color="#f28f43")
            ax.set_xticks(list(x), labels)
            ax.set_title(title)
            ax.set_ylabel("数量")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts, not fractions
            ax.legend()
            fig.tight_layout()
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, format="png", metadata={"Software": "daqiao", "Font": family})
            plt.close(fig)
    return path
