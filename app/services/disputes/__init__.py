"""Disputes (DPP §VII): filing, working a case, the queue, the 21-day clock, reports and calendar feeds."""
