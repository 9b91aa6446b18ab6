"""One way to run background work: a run row that is also the lock, a Celery task base
that enters the practice scope, retries for transient faults and a sweeper for work a
dead worker or broker left behind. See ARCHITECTURE.md, "Background work"."""
