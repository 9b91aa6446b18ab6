"""Exit 0 when the PostgreSQL server of DATABASE_URL answers, creating the database if needed."""

from __future__ import annotations

import sys

import psycopg
from psycopg import sql


def main(url: str) -> int:
    import dj_database_url

    cfg = dj_database_url.parse(url)
    params = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or "postgres",
        "password": cfg.get("PASSWORD") or None,
        "connect_timeout": 3,
    }
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
                print(f">> Created database {cfg['NAME']}.")
    except psycopg.OperationalError as exc:
        print(f">> {exc}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
