"""Test support: helpers the tests import (`from tests.support.servers import ...`).

`servers`: the real servers on free localhost ports (also used by `evaluation.load_benchmark`);
`services`: tests that need an outside service (Chromium, Redis, nginx, PostgreSQL)."""
