"""The fictional people of the demo eID provider. None of them exists; the identifiers are made up.

``XX`` is the code ISO 3166 leaves to private use: no country issues these identifiers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Citizen:
    identifier: str  # the personal identifier, also the OpenID Connect subject
    given_name: str
    family_name: str
    birthdate: dt.date

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def claims(self) -> dict:
        """What the provider releases about the person (eIDAS minimum data set, as OpenID Connect claims)."""
        return {"given_name": self.given_name, "family_name": self.family_name,
                "name": self.name, "birthdate": self.birthdate.isoformat(), "person_identifier": self.identifier}


CITIZENS = (
    Citizen("XX/DEMO/0001", "Erika", "Mustermann", dt.date(1964, 8, 12)),
    Citizen("XX/DEMO/0002", "Jan", "Jansen", dt.date(1987, 3, 3)),
    Citizen("XX/DEMO/0003", "Maria", "Rossi", dt.date(1990, 11, 23)),
    Citizen("XX/DEMO/0004", "Ona", "Petraitytė", dt.date(1975, 5, 30)),
    Citizen("XX/DEMO/0005", "Luc", "Dupont", dt.date(2001, 1, 15)),
)


def find(identifier: str) -> Citizen | None:
    return next((c for c in CITIZENS if c.identifier == identifier), None)
