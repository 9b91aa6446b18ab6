"""Practice pages of enrollment: Program Enrollment, cases, Practice Files, terms."""
