"""The garbage collector held through start-up and resumed after the first frame."""

import gc


def hold_collector() -> None:
    """Keep the cyclic garbage collector out of start-up, until the first frame is painted.

    Start-up makes some 200k objects (Textual's modules, styles, widgets) that all live on;
    the collector would scan them over and over meanwhile (~40 ms of a 0.5 s cold start).
    """
    gc.disable()


def resume_collector() -> None:
    """After the first frame: what start-up made is set aside for good (gc.freeze), and collecting resumes."""
    if not gc.isenabled():  # held by hold_collector; an app run otherwise (tests) keeps its collector as it is
        gc.freeze()
        gc.enable()
