"""Counting work in steps rather than seconds: every Python and built-in function call made
while a block runs (sys.setprofile), so that a test can say "twice the input, about twice the
steps" in the same run whatever else the machine is doing."""

import contextlib
import sys


class Steps:
    count = 0


@contextlib.contextmanager
def counting():
    """Yield a Steps whose ``count`` is the calls made inside the block once it ends."""
    steps = Steps()
    before = sys.getprofile()

    def profile(frame, event, arg):
        if event in ("call", "c_call"):
            steps.count += 1

    sys.setprofile(profile)
    try:
        yield steps
    finally:
        sys.setprofile(before)


def steps_of(call) -> int:
    with counting() as steps:
        call()
    return steps.count
