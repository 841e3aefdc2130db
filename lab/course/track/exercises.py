"""The seven exercises of the track, in order: what each asks, the bugs it must catch, hints and why."""

from lab.course.track.model import Bug, Exercise, Hint, at_least_tests, fixture_lacks, misses, no_sleep, starts_in_fixture
from lab.course.track.static import FileFacts
from lab.errors import WorkshopError


def _no_test_calls(*names: str):
    def applies(facts: FileFacts, _missed: set[str] | None) -> bool:
        return not facts.any_test_calls(*names)

    return applies


def _db_commits(facts: FileFacts, _missed: set[str] | None) -> bool:
    """The `db` fixture is missing or still commits what each test wrote."""
    db = facts.fixture("db")
    return db is None or "commit" in db.calls


def _db_does_not_clean(facts: FileFacts, _missed: set[str] | None) -> bool:
    """Neither a rollback nor SQL of its own (TRUNCATE, a schema) in the `db` fixture."""
    db = facts.fixture("db")
    return db is None or not db.calls & {"rollback", "execute"}


def _sleeps(facts: FileFacts, _missed: set[str] | None) -> bool:
    return bool(facts.sleeps)


POSTGRES_FIXTURE = Exercise(
    1, "test_1_postgres_fixture", "PostgreSQL with testcontainers, once a session", 5,
    "Lesson 5 measured it: a container per test pays a start-up for every test, one per session pays it "
    "once. Until now the course started PostgreSQL for you; in your own project nobody will. Writing the "
    "session fixture yourself (a PostgresContainer in a `with` block, a connection yielded from inside it) "
    "is the whole of what testcontainers asks of you, and the database's UNIQUE constraint is then what your "
    "test proves, as lesson 2's duplicate vote showed.",
    (Bug("no_unique", "a votes table with no UNIQUE constraint, which stores a second vote",
         "cast a second vote from the same voter and assert PostgreSQL refuses it"),
     Bug("silent", "a votes table that drops a second vote without a word (ON CONFLICT DO NOTHING)",
         "assert the second vote raises psycopg2.errors.UniqueViolation, not only that one vote is stored")),
    (Hint("Give `postgres_connection` @pytest.fixture(scope=\"session\") and start the container in it: "
          "`with PostgresContainer(POSTGRES_IMAGE) as postgres:`.",
          lambda facts, _missed: bool(starts_in_fixture("postgres_connection", "PostgresContainer",
                                                        ("session",))(facts))),
     Hint("Inside the `with`, connect: psycopg2.connect(host=postgres.get_container_host_ip(), "
          "port=postgres.get_exposed_port(5432), user=postgres.username, password=postgres.password, "
          "dbname=postgres.dbname); then `yield` the connection and close it after the yield.",
          fixture_lacks("postgres_connection", "connect")),
     Hint("Cast phone-1's second vote inside `with pytest.raises(psycopg2.errors.UniqueViolation):`, then "
          "assert votes_table.count() == 1.", misses("no_unique", "silent"))),
    rules=(starts_in_fixture("postgres_connection", "PostgresContainer", ("session",)), no_sleep),
    needs_docker=True,
)

WAITING = Exercise(
    2, "test_2_waiting", "Wait for a condition, never for a guess", 7,
    "Lesson 7 ran a test that sleeps for a guess 20 times: it passed some runs and failed others, with "
    "nothing changed. A sleep is too short on a slow day and wasted time on a fast one. Waiting on the "
    "condition itself (wait_for polls `job.done` and fails with a message saying what never came true) "
    "makes the test as fast as the machine and never flaky; then the assertions test the import's real "
    "rule, all or nothing, on a real PostgreSQL.",
    (Bug("loses_one", "an import that drops its last ballot",
         "wait until the job is done, then assert the tally holds every ballot"),
     Bug("half_way", "an import that keeps the ballots before a refused one (no transaction)",
         "import ballots with one voter twice, wait until done, and assert nothing was stored")),
    (Hint("Replace the sleep with `wait_for(job.done, \"the import to finish\", timeout=10)` "
          "(from lab.waiting import wait_for): it returns as soon as the worker is done.", _sleeps),
     Hint("A test can only trust what it reads after the job is done: call wait_for(job.done, ...) in every test, "
          "before its assertions.", _no_test_calls("wait_for")),
     Hint("In the second test, after waiting: assert not job.result().accepted and ballot_import.count() == 0.",
          misses("half_way", "loses_one"))),
    rules=(no_sleep,),
    servers=("postgres",),
)

REDIS_WINDOW = Exercise(
    3, "test_3_redis_window", "Redis with testcontainers: the window really ends", 3,
    "Lesson 3 put the fantasy tests beside the reality ones: the fantasy rate limit 'lifts' because a fake "
    "clock resets a fake counter, so it passes against a limiter that never forgets. Only Redis's own "
    "expiry can show the window ends, and only a test that also sees the limit bite (the 4th attempt "
    "refused) tests the whole rule, not half of it.",
    (Bug("no_expiry", "a limiter that never sets an expiry, so a limited voter stays limited for ever",
         "use up the window, then wait_for an attempt to be allowed again"),
     Bug("never_limits", "a limiter that lets every attempt through",
         "assert the 4th attempt inside the window is refused"),
     Bug("off_by_one", "a limiter that refuses the 5th attempt instead of the 4th",
         "assert exactly which attempts are allowed: [True, True, True, False]")),
    (Hint("Give `redis_client` @pytest.fixture(scope=\"session\"), start `with RedisContainer(REDIS_IMAGE) as "
          "redis:` in it and `yield redis.get_client()`.",
          lambda facts, _missed: bool(starts_in_fixture("redis_client", "RedisContainer", ("session",))(facts))
          or fixture_lacks("redis_client", "get_client")(facts, _missed)),
     Hint("Assert the limit bites: [window_limiter.hit(\"phone-1\").allowed for _ in range(4)] == "
          "[True, True, True, False].", misses("never_limits", "off_by_one")),
     Hint("Then wait for the window to end, with no sleep: wait_for(lambda: window_limiter.hit(\"phone-1\").allowed, "
          "\"Redis to expire the window\", timeout=3).", lambda facts, missed: bool(facts.sleeps)
          or not facts.any_test_calls("wait_for") or misses("no_expiry")(facts, missed))),
    rules=(starts_in_fixture("redis_client", "RedisContainer", ("session",)), no_sleep),
    needs_docker=True,
)

ISOLATION = Exercise(
    4, "test_4_isolation", "Tests that don't depend on each other", 6,
    "Lesson 6 timed four ways to start each test clean: a new container, a schema per test, TRUNCATE, "
    "ROLLBACK. A suite whose tests see each other's rows passes in one order and fails in another, so a "
    "new test, a rename or a parallel run breaks tests nobody touched. A fixture that rolls back after "
    "each test (or gives each its own schema) makes the order irrelevant, and the checker proves it by "
    "running your tests in two random orders.",
    (Bug("no_unique", "a votes table with no UNIQUE constraint, which stores a second vote from one phone",
         "keep the test that asserts the second vote from the same phone is refused"),),
    (Hint("The `db` fixture commits what each test wrote. Roll back instead: after the `yield`, call "
          "connection.rollback(), so nothing a test wrote is ever committed.",
          _db_commits),
     Hint("Or give each test its own schema: in `db`, CREATE SCHEMA, SET search_path to it, votes.create_table(db), "
          "yield, then DROP SCHEMA ... CASCADE.", _db_does_not_clean),
     Hint("Keep all three tests: the one that asserts nobody has voted yet is what shows a leak.",
          lambda facts, missed: len(facts.tests) < 3 or misses("no_unique")(facts, missed))),
    rules=(at_least_tests(3, "the exercise is to make them independent, not fewer."), no_sleep),
    servers=("postgres",),
    two_orders=True,
    min_tests=3,
)

REDIS_FAULT = Exercise(
    5, "test_5_redis_fault", "Break Redis inside the test", 8,
    "Lesson 8 killed Redis under the show's rate limiter and the votes went on, marked degraded: the "
    "limiter fails open. A mock can only say that it would; a test that pauses the real container proves "
    "it of the product's own code (lab.ratelimit.failopen). It must test both halves: with Redis up the "
    "limit bites, with Redis gone votes pass, neither refused nor turned into errors.",
    (Bug("fails_closed", "a limiter that refuses every vote while Redis is down",
         "pause the container inside the test and assert a vote is still allowed"),
     Bug("raises", "a limiter that lets Redis's error escape (the vote would end in a 500)",
         "pause the container inside the test and call hit(): it must return a decision, not raise"),
     Bug("never_limits", "a limiter that lets everything through, Redis up or not",
         "with Redis up, assert the 4th attempt is refused")),
    (Hint("Give `redis_container` @pytest.fixture(scope=\"module\") (this file breaks it, so it is the file's "
          "own): `with RedisContainer(REDIS_IMAGE) as redis: yield redis`.",
          lambda facts, _missed: bool(starts_in_fixture("redis_container", "RedisContainer",
                                                        ("module", "session"))(facts))),
     Hint("Pause it inside the test: redis_container.get_wrapped_container().pause(); vote in a `try`, and "
          "unpause in its `finally`, so the next test finds Redis running.", _no_test_calls("pause", "stop", "kill")),
     Hint("Assert both halves: with Redis up, four attempts give [True, True, True, False]; paused, "
          "a vote is allowed and decision.degraded is True.", misses("fails_closed", "raises", "never_limits"))),
    rules=(starts_in_fixture("redis_container", "RedisContainer", ("module", "session")), no_sleep),
    needs_docker=True,
)

FROZEN_SERVER = Exercise(
    6, "test_6_frozen_server", "A frozen server: measure the timeout", 9,
    "Lesson 9 froze Redis: the client without a timeout hung, the show's client gave up after 0.25 s and "
    "the vote went on, degraded. A frozen server is the failure a dead-server test never shows, and only "
    "the elapsed time tells a timeout of 0.25 s from one of 2 s: measure the call itself with "
    "time.perf_counter() and assert on it, rather than sleeping and hoping.",
    (Bug("no_timeout", "a Redis client with no timeout, which waits for as long as the server is frozen",
         "assert the hit returned degraded, in under a second"),
     Bug("slow_timeout", "a Redis client that gives up after 2 s, so every vote waits 2 s",
         "measure the hit with time.perf_counter() and assert it took less than 1 second")),
    (Hint("Time the call: started = time.perf_counter() just before timed_limiter.hit(...), "
          "elapsed = time.perf_counter() - started just after.",
          _no_test_calls("perf_counter", "monotonic")),
     Hint("Assert elapsed < 1.0 and decision.degraded (Redis did not answer, the vote went on).",
          misses("no_timeout", "slow_timeout")),
     Hint("Never sleep to make the server look slow: `with redis_server.frozen():` already freezes it.", _sleeps)),
    rules=(no_sleep,),
    servers=("redis",),
)

POSTGRES_OUTAGE = Exercise(
    7, "test_7_postgres_outage", "Stop PostgreSQL under the show", 8,
    "Lesson 8 broke Redis, and the show went on. When PostgreSQL goes, the show cannot record a vote, "
    "and what matters is what the phone is told: an honest 503 (nothing was recorded), never a 500 and "
    "never a 'recorded' that was not. Only a test that stops the real container under the show's real "
    "app (lab.web, the vote store in lab.votes) sees that answer; it must also see a vote recorded while "
    "PostgreSQL is up, or a show that refuses everything would pass it.",
    (Bug("raises", "a vote store that lets PostgreSQL's error escape, so the phone gets a 500",
         "stop the container inside the test and assert the vote's answer is 503"),
     Bug("claims_recorded", "a vote store that tells the phone 'recorded' when the database did not answer",
         "stop the container inside the test and assert the vote's answer is 503, not 201"),
     Bug("never_records", "a vote store that answers 503 to every vote, database up or not",
         "with PostgreSQL up, assert a vote is recorded (201)")),
    (Hint("Give `postgres_container` @pytest.fixture(scope=\"module\") (this file stops it, so it is the file's "
          "own): `with PostgresContainer(POSTGRES_IMAGE) as postgres: yield postgres`.",
          lambda facts, _missed: bool(starts_in_fixture("postgres_container", "PostgresContainer",
                                                        ("module", "session"))(facts))),
     Hint("Stop it inside the test: postgres_container.get_wrapped_container().stop(); vote in a `try`, and call "
          ".start() in its `finally` (the `show` of the next test waits until PostgreSQL answers again).",
          _no_test_calls("stop", "kill")),
     Hint("Assert both halves: with PostgreSQL up a vote gets 201; stopped, it gets 503 and "
          "answer.json[\"status\"] == \"unavailable\".", misses("raises", "claims_recorded", "never_records"))),
    rules=(starts_in_fixture("postgres_container", "PostgresContainer", ("module", "session")), no_sleep),
    needs_docker=True,
)

EXERCISES = [POSTGRES_FIXTURE, WAITING, REDIS_WINDOW, ISOLATION, REDIS_FAULT, FROZEN_SERVER, POSTGRES_OUTAGE]


def exercise(number: int) -> Exercise:
    """The exercise with this number, or a WorkshopError naming the ones there are."""
    if not 1 <= number <= len(EXERCISES):
        raise WorkshopError(f"There is no exercise {number}: pick one from 1 to {len(EXERCISES)} "
                            "(see `python3 workshop.py --exercises`).")
    return EXERCISES[number - 1]
