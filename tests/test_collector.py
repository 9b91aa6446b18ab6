"""The cyclic collector is paused around bulk jobs (p4p_portal/collector.py) and always on
again afterwards, also after an error; nested pauses end with the outermost."""

import gc

import pytest

from p4p_portal.collector import collector_paused


def test_paused_inside_and_on_again_after_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the job failed")
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outermost():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
