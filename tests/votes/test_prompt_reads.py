"""A prompt read takes its answer as soon as it arrives, holding gevent's loop a bounded time (lab.votes.deadline.promptly)."""

import json
import subprocess
import sys
import textwrap

WAITS = textwrap.dedent("""
    from gevent import monkey; monkey.patch_all()
    import json, os
    import gevent
    from psycopg2.extensions import POLL_OK, POLL_READ
    from lab.votes.deadline import wait_with_deadline

    unpatched_select = monkey.get_original("select", "select")

    class Connection:
        '''What psycopg2's wait callback sees of a connection: its socket (here a pipe) and poll().'''
        io_timeout = 5.0

        def __init__(self, hold):
            self.hold = hold
            self.answer, self.server = os.pipe()

        def fileno(self):
            return self.answer

        def poll(self):
            return POLL_OK if unpatched_select([self.answer], [], [], 0)[0] else POLL_READ

    start_thread, thread_sleep = monkey.get_original("_thread", "start_new_thread"), monkey.get_original("time", "sleep")

    def order(hold, server_answers):
        events, connection = [], Connection(hold)

        def server():  # PostgreSQL, answering 20 ms from now, outside this event loop
            thread_sleep(0.02)
            os.write(connection.server, b"x")

        def another_greenlet():
            events.append("another greenlet ran")
            if not server_answers:
                os.write(connection.server, b"x")

        if server_answers:
            start_thread(server, ())
        gevent.spawn(another_greenlet)  # ready to run before the answer arrives
        wait_with_deadline(connection)
        events.append("answer taken")
        gevent.sleep(0)
        return events

    print(json.dumps({"prompt": order(0.5, True), "usual": order(0.0, True), "prompt, no answer in time": order(0.05, False)}))
""")


def test_a_prompt_read_takes_an_answer_that_is_there_before_other_greenlets_run_and_lets_them_run_if_it_is_not():
    done = subprocess.run([sys.executable, "-c", WAITS], capture_output=True, text=True, timeout=60)
    orders = json.loads(done.stdout)

    assert orders["prompt"] == ["answer taken", "another greenlet ran"], done.stderr
    assert orders["usual"] == ["another greenlet ran", "answer taken"]  # the wait it replaces: behind every ready greenlet
    # no answer within the hold: the loop runs again (here the greenlet that answers), and the answer is taken
    assert orders["prompt, no answer in time"] == ["another greenlet ran", "answer taken"]
