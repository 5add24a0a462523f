import gc
import threading
import weakref

from homecoming.core.memory import collection_paused


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_collector_is_paused_in_the_block_and_frees_the_cycles_after_it() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        cycle = _Cycle()
        watch = weakref.ref(cycle)
        del cycle
        assert watch() is not None
    assert gc.isenabled()
    assert watch() is None


def test_nested_blocks_and_blocks_in_other_threads_resume_it_only_when_the_last_ends() -> None:
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with collection_paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    with collection_paused():
        thread.start()
        inside.wait(5)
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's block still runs
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
