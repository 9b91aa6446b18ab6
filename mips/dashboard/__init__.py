"""The MIPS Dashboard (seed mips-dashboard): Practice Performance, Clinician Report Card,
Measure Performance and Program Attestations. Reads enrollment, eligibility, eCQM results
and score snapshots; writes only through the attestation services of mips."""
