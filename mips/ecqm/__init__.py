"""The eCQM engine: hand-written measure logic driven by value sets.

valuesets.py  loads the derived value-set expansions (indexed table + in-memory index)
candidates.py selects, in one SQL query per measure, the facts whose codes are in the
              measure's value sets, grouped per patient
timing.py     measurement period and interval helpers (day precision)
library.py    shared definitions (qualifying encounters, hospice, palliative care, frailty...)
measures/     one module per measure and year-specific logic
cascade.py    the proportion-measure cascade
engine.py     runs the measures for a practice and year
results.py    writes and reads results (per TIN/NPI and per TIN)
"""
