"""What every per-entity MIPS row shares: an entity is an individual TIN/NPI (`tin_npi`
set, `medical_group` its group) or a group (`tin_npi` empty, `medical_group` = the TIN)."""

from __future__ import annotations

from practices.querysets import PracticeQuerySet


class EntityYearQuerySet(PracticeQuerySet):
    """Reads by year and entity, for attestations, sign-offs and score snapshots."""

    def current(self):
        """The latest row per key: older rows of the same key lose `is_current`."""
        return self.filter(is_current=True)

    def for_year(self, year: int):
        return self.filter(year=year)

    def individual(self):
        return self.filter(tin_npi__isnull=False)

    def groups(self):
        return self.filter(tin_npi__isnull=True)

    def for_entity(self, *, tin_npi=None, medical_group=None):
        """Rows of one entity: pass `tin_npi` for an individual, `medical_group` for a group."""
        if tin_npi is not None:
            return self.filter(tin_npi=tin_npi)
        if medical_group is None:
            raise ValueError("pass tin_npi or medical_group")
        return self.filter(tin_npi__isnull=True, medical_group=medical_group)
