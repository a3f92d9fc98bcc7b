"""A proof: a method was passed, with which strength, when."""

from __future__ import annotations

from dataclasses import dataclass, field

from limen.core import clock


@dataclass(frozen=True)
class Proof:
    """A method was proved: which, with which strength, when."""

    method: str
    strength: str
    at: float = field(default_factory=lambda: clock.now().timestamp())

    def as_dict(self) -> dict:
        return {"method": self.method, "strength": self.strength, "at": self.at}

    @classmethod
    def from_dict(cls, data: dict) -> Proof:
        return cls(method=str(data["method"]), strength=str(data["strength"]), at=float(data["at"]))
