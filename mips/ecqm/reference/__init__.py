"""The reference eCQM engine: the official measure logic (CQL/ELM) run by MITRE's
fqm-execution in a supervised Node.js process.

content.py   the shipped measure content (mips/ecqm/content, derived and verified by
             scripts/derive_measure_content.py): catalog metadata and bundle assembly
process.py   one long-lived Node process per worker speaking JSON lines (fqm/server.js):
             start, batches, restart after a crash, timeout of a hung batch
"""
