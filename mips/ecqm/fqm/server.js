// The reference eCQM engine: MITRE fqm-execution behind a JSON-lines protocol on stdin/stdout.
// Started and supervised by mips/ecqm/reference/process.py (one process per worker).
//
// Requests, one JSON object per line:
//   {"id": 1, "op": "load", "key": "CMS131/2025", "bundle": {<measure Bundle>}}
//   {"id": 2, "op": "calculate", "key": "CMS131/2025", "start": "2025-01-01",
//    "end": "2025-12-31", "patients": [{<patient Bundle>}, ...]}
//   {"id": 3, "op": "ping"}
// A calculate request may name statements ("Library.Statement Name") whose raw results to
// return per patient (booleans as is, lists as their length, other values as null): the
// differential test reads the shared libraries' definitions (Hospice, frailty, ...) this way.
// Answers, one line each, same id:
//   {"id": 1, "ok": true}
//   {"id": 2, "ok": true, "results": [{"patient": "<Patient.id>",
//        "groups": [{"IPP": 1, "DENOM": 1, "DENEX": 0, "NUMER": 1, "DENEXCEP": 0}, ...]}]}
//   {"id": n, "ok": false, "error": "..."}
// Counts are 0/1 for patient-based groups and episode counts for episode-based groups
// (fqm-execution has already applied the proportion cascade, per episode).
'use strict';

const readline = require('readline');

// fqm-execution and cql-execution log through console; stdout is the protocol channel.
console.log = console.info = console.warn = console.debug = (...args) =>
  process.stderr.write(args.map(String).join(' ') + '\n');

const { Calculator } = require('fqm-execution');

const POPULATIONS = {
  'initial-population': 'IPP',
  denominator: 'DENOM',
  'denominator-exclusion': 'DENEX',
  numerator: 'NUMER',
  'denominator-exception': 'DENEXCEP',
};
// Measure bundles by key, least recently loaded first; a worker that runs every measure
// keeps only the latest few (the Python side reloads a measure the engine dropped).
const measures = new Map();
const MAX_MEASURES = Number(process.env.ECQM_MAX_MEASURES || 12);

function counts(populationResults, into) {
  for (const pop of populationResults || []) {
    const label = POPULATIONS[pop.populationType];
    if (label && pop.result) into[label] += 1;
  }
}

function statementValue(raw) {
  if (typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) return raw.length;
  return null;
}

function statementsOf(result, wanted) {
  const found = {};
  const first = (result.detailedResults || [])[0];
  for (const s of (first && first.statementResults) || []) {
    const name = `${s.libraryName}.${s.statementName}`;
    if (wanted.has(name) && !(name in found)) found[name] = statementValue(s.raw);
  }
  return found;
}

function summarize(result) {
  const groups = (result.detailedResults || []).map((group) => {
    const row = { IPP: 0, DENOM: 0, DENEX: 0, NUMER: 0, DENEXCEP: 0 };
    if (group.episodeResults && group.episodeResults.length) {
      for (const episode of group.episodeResults) counts(episode.populationResults, row);
    } else if (group.episodeResults) {
      // Episode-based group without episodes: nothing counts.
    } else {
      counts(group.populationResults, row);
    }
    return row;
  });
  return { patient: result.patientId, groups };
}

async function handle(request) {
  switch (request.op) {
    case 'ping':
      return { ok: true, loaded: [...measures.keys()] };
    case 'load':
      measures.delete(request.key);
      measures.set(request.key, request.bundle);
      while (measures.size > MAX_MEASURES) measures.delete(measures.keys().next().value);
      return { ok: true };
    case 'calculate': {
      const bundle = measures.get(request.key);
      if (!bundle) return { ok: false, error: `measure ${request.key} not loaded`, unloaded: true };
      if (!request.patients || !request.patients.length) return { ok: true, results: [] };
      const { results } = await Calculator.calculate(bundle, request.patients, {
        measurementPeriodStart: request.start,
        measurementPeriodEnd: request.end,
        calculateHTML: false,
        calculateSDEs: false,
        calculateClauseCoverage: false,
        calculateEpisodeRangeResults: false,
      });
      const wanted = new Set(request.statements || []);
      return {
        ok: true,
        results: results.map((result) => {
          const summary = summarize(result);
          if (wanted.size) summary.statements = statementsOf(result, wanted);
          return summary;
        }),
      };
    }
    default:
      return { ok: false, error: `unknown op ${request.op}` };
  }
}

// One request at a time, in order: the Python side waits for each answer.
let queue = Promise.resolve();
const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  queue = queue.then(async () => {
    let request;
    try {
      request = JSON.parse(line);
    } catch (err) {
      process.stdout.write(JSON.stringify({ id: null, ok: false, error: 'bad JSON' }) + '\n');
      return;
    }
    let answer;
    try {
      answer = await handle(request);
    } catch (err) {
      answer = { ok: false, error: String((err && err.stack) || err).slice(0, 2000) };
    }
    process.stdout.write(JSON.stringify({ id: request.id, ...answer }) + '\n');
  });
});
input.on('close', () => queue.then(() => process.exit(0)));
