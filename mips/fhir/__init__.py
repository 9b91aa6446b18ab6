"""FHIR R4 (QI-Core / US Core) import: parse.py maps a Bundle to patients and coded facts,
importer.py stores them as one DataImport."""
