"""The base of every config section: unknown keys are errors, and so are bad values set later."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Task = Literal["auto", "multilabel", "multiclass"]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)
