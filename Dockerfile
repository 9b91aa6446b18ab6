# Debian 13 (trixie): its nodejs package is Node.js 20, the version the reference eCQM engine
# (fqm-execution 1.8.6) is pinned and verified on; bookworm's is Node.js 18.
FROM python:3.11-slim-trixie
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# One static storage for collectstatic (below) and for the running server: hashed names in
# a manifest, gzip and brotli copies WhiteNoise serves with far-future cache headers.
ENV STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage
WORKDIR /app
# Node.js runs the reference eCQM engine (fqm-execution) in the Celery workers; the build
# fails here if Debian's nodejs is not Node.js 20.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/* \
 && node -e 'process.exit(process.versions.node.split(".")[0] === "20" ? 0 : 1)'
COPY mips/ecqm/fqm/package.json mips/ecqm/fqm/package-lock.json mips/ecqm/fqm/
RUN cd mips/ecqm/fqm && npm ci --no-audit --no-fund --loglevel=error && npm cache clean --force
COPY . .
RUN pip install --no-cache-dir -e . \
 && DEBUG=True SECRET_KEY=build python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "p4p_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--no-control-socket"]
