"""mips.forked.ForkedStream: what a forked child sends arrives in order while it runs,
whole (framed), and the end of the child (done, raised, died, ended by the parent) is told
apart from "nothing yet"."""

from __future__ import annotations

import os
import signal
import time

import pytest

from mips.forked import _BATCH, NOTHING, ForkedStream


def _receive_all(stream: ForkedStream) -> list:
    found = []
    while True:
        try:
            found.append(stream.receive())
        except EOFError:
            return found


def test_objects_arrive_in_order_whole_and_then_the_end():
    big = "x" * (3 * _BATCH)  # bigger than a batch: written in one piece all the same

    def work(send):
        for n in range(1000):
            send(n)
        send(big)
        send({"after": "big"}, flush_now=True)

    stream = ForkedStream(work)
    assert _receive_all(stream) == [*range(1000), big, {"after": "big"}]
    assert stream.finish() == 0
    with pytest.raises(EOFError):
        stream.receive()


def test_nothing_yet_is_not_the_end():
    def work(send):
        time.sleep(0.5)
        send("late")

    stream = ForkedStream(work)
    assert stream.receive(block=False) is NOTHING
    assert stream.receive() == "late"
    with pytest.raises(EOFError):
        stream.receive()
    assert stream.finish() == 0


def test_what_a_child_sent_before_it_died_arrives_then_the_end():
    def work(send):
        send("first", flush_now=True)
        send("lost: never flushed")
        os._exit(3)

    stream = ForkedStream(work)
    assert _receive_all(stream) == ["first"]
    assert stream.finish() == 3


def test_a_child_that_raises_ends_with_a_failure_code():
    def work(send):
        send(1, flush_now=True)
        raise ValueError("broken")

    stream = ForkedStream(work)
    assert _receive_all(stream) == [1]
    assert stream.finish() == 1


def test_close_ends_a_child_still_running():
    def work(send):
        send("started", flush_now=True)
        time.sleep(60)

    stream = ForkedStream(work)
    assert stream.receive() == "started"
    began = time.monotonic()
    assert stream.close() == -signal.SIGKILL
    assert time.monotonic() - began < 5
    assert stream.close() == -signal.SIGKILL  # once only


def test_a_child_never_waits_for_the_parent():
    # More batches than the pipe holds announcements, and the parent reads none of them
    # until the child is done: the child does not block.
    def work(send):
        for n in range(100_000):
            send(n, flush_now=True)

    stream = ForkedStream(work)
    deadline = time.monotonic() + 60
    # (WNOWAIT: it stays to be reaped by finish.)
    while not os.waitid(os.P_PID, stream.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
        if time.monotonic() > deadline:
            stream.close()
            pytest.fail("the child blocked")
        time.sleep(0.05)
    assert _receive_all(stream) == list(range(100_000))
    assert stream.finish() == 0
