"""Base classes of commands: what someone asks a service to do (imperative, validated, frozen)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    """An immutable input model that refuses unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Command(Frozen):
    """A command: the details a caller gives, plus who asks and for which platform (from the token)."""

    platform_id: str = Field(description="Platform the command is for (from the caller's token).")
    actor: str = Field(description="Who asks, e.g. 'operator:<id>', 'provider:<id>', or 'resident' (public form).")
