"""Fails loudly when a configured database or broker does not answer (used by bin/test and CI).

Never a skip: if DATABASE_URL or REDIS_URL/CELERY_BROKER_URL is set, the suite must run against it.
"""

import sys

import environ


def main() -> int:
    env = environ.Env()
    failures = []
    db_url = env.str("DATABASE_URL", default="")
    if db_url:
        db = env.db_url_config(db_url)
        if "postgresql" in db["ENGINE"]:
            import psycopg

            try:
                psycopg.connect(
                    host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
                    user=db.get("USER") or "postgres", password=db.get("PASSWORD") or None,
                    dbname=db.get("NAME") or "postgres", connect_timeout=5,
                ).close()
            except Exception as exc:  # noqa: BLE001 - any failure is reported, then we stop
                failures.append(f"PostgreSQL at {db.get('HOST')}:{db.get('PORT')} does not answer: {exc}")
    broker = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
    if broker.startswith("redis://"):
        import redis

        try:
            redis.Redis.from_url(broker, socket_connect_timeout=5).ping()
        except Exception as exc:  # noqa: BLE001
            failures.append(f"Redis at {broker} does not answer: {exc}")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    if failures:
        print("error: the test suite needs these services; start them (e.g. ../shared/services.sh) and run again.", file=sys.stderr)
        return 1
    print(f"services: database={'PostgreSQL' if db_url else 'SQLite (embedded)'}, broker={'Redis' if broker.startswith('redis://') else 'filesystem (embedded)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
