# Sourced by scripts/demo.sh (uses its $PY and pids array): local fake services.
# The fake QPP Eligibility API serves the demo clinicians; the portal talks to it.
QPP_FAKE_PORT="${QPP_FAKE_PORT:-8765}"
export QPP_API_BASE_URL="http://127.0.0.1:${QPP_FAKE_PORT}"
setsid $PY manage.py run_fake_qpp --port "$QPP_FAKE_PORT" &
pids+=($!)
for _ in $(seq 1 50); do
  $PY -c "import urllib.request; urllib.request.urlopen('$QPP_API_BASE_URL/healthz', timeout=1)" \
    2>/dev/null && break
  sleep 0.2
done
# (run_fake_qpp itself prints "Fake QPP Eligibility API at ...": say it once.)
# First sync and auto-enrollment now, so the demo shows eligibility before 05:00 tomorrow.
$PY manage.py sync_qpp_eligibility || echo ">> Eligibility sync reported problems (see above)."
if $PY manage.py help auto_enroll_mips >/dev/null 2>&1; then
  $PY manage.py auto_enroll_mips || echo ">> Auto-enrollment reported problems (see above)."
fi
# Scores read eligibility flags and the new enrollments: refresh the score preview now.
if $PY manage.py help recalculate_scores >/dev/null 2>&1; then
  $PY manage.py recalculate_scores || echo ">> Score recalculation reported problems (see above)."
fi
