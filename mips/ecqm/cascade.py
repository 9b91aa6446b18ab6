"""The proportion-measure cascade: raw criteria -> final population membership."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Populations:
    ipp: bool = False
    denom: bool = False
    denex: bool = False
    numer: bool = False
    denexcep: bool = False
    stratum: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "IPP": int(self.ipp),
            "DENOM": int(self.denom),
            "DENEX": int(self.denex),
            "NUMER": int(self.numer),
            "DENEXCEP": int(self.denexcep),
        }


NONE = Populations()


def cascade(
    *,
    ipp: bool,
    denom: bool = True,
    denex: bool = False,
    numer: bool = False,
    denexcep: bool = False,
    stratum: int = 0,
) -> Populations:
    """IPP ⊇ DENOM; DENEX removes the patient from NUMER and DENEXCEP; DENEXCEP only when
    in DENOM, not excluded and not in NUMER."""
    if not ipp:
        return NONE
    if not denom:
        return Populations(ipp=True, stratum=stratum)
    if denex:
        return Populations(ipp=True, denom=True, denex=True, stratum=stratum)
    if numer:
        return Populations(ipp=True, denom=True, numer=True, stratum=stratum)
    return Populations(ipp=True, denom=True, denexcep=denexcep, stratum=stratum)
