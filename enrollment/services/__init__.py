"""Writes of enrollment, one module per concern, each written like portals/services.py
(keyword-only, atomic, audited):

- `enrollments`: enroll and unenroll (individual, group, self-serve), the custom PI period,
  operator-added measures, do-not-re-enroll marks;
- `cases`: online Quality Program Enrollment cases, from opening to resolution;
- `terms`: the clinician's answer to the P4P terms agreement;
- `subgroups`: MVP subgroups (register, change clinicians, end).

`checks` holds the rules both enrollments and cases apply before writing.
"""
