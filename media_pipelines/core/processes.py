"""Whether the process that left something behind (a run, a temp file) is still alive on this host."""

import os


def process_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: no signal sent, only the check
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True
