"""Pages from templates: figures become PNG files beside the page and base64 images inside it, so the
HTML opens offline as one file and the PNGs serve papers and the Markdown version."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.figure import Figure

from emotune.io_utils import atomic_path, write_text_atomic

FORMATS = ("html", "md")


@dataclass
class Picture:
    """One drawn figure: its file name (beside the page), title and PNG bytes."""

    name: str
    title: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def draw(name: str, title: str, figure: Figure | None) -> Picture | None:
    if figure is None:
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return Picture(name, title, buffer.getvalue())


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("emotune.reports", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)  # fmt: skip
    env.filters["num"] = lambda v: f"{v:.4f}" if isinstance(v, float) else v
    return env


def write_page(template: str, context: Mapping[str, Any], pictures: list[Picture], output: Path,
               fmt: str = "html") -> Path:  # fmt: skip
    """Render ``template`` (``<template>.<fmt>.j2``) to ``output`` and the pictures to ``<output stem>/*.png``."""
    folder = output.parent / output.stem
    for picture in pictures:
        with atomic_path(folder / f"{picture.name}.png") as tmp:
            tmp.write_bytes(picture.png)
    env = _environment()
    if fmt == "md":
        env.autoescape = False
    page = env.get_template(f"{template}.{fmt}.j2").render(**context, pictures=pictures, folder=folder.name)
    write_text_atomic(output, page)
    return output
