"""The RQ worker class every linecomm process runs jobs with (`linecomm worker`, tests, benchmarks)."""
from __future__ import annotations

from rq import SimpleWorker

COMMAND_POLL_SECONDS = 1.0


class QueueWorker(SimpleWorker):
    """RQ's SimpleWorker (jobs run in this process, no fork per job), with a short poll on its command
    channel. RQ listens for its commands (`rq shutdown`, stop-job) in a thread that waits up to 60 s per
    poll, and on stopping it unsubscribes before it stops that thread: with redis-py 8.2 the thread then
    waits out its full poll (no subscription left to wake it) while the worker joins it, so a worker took
    up to a minute to exit after a burst, a SIGTERM or a deploy. A 1 s poll bounds that wait; an idle poll
    costs nothing measurable."""

    def subscribe(self) -> None:
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_POLL_SECONDS, daemon=True, exception_handler=self._pubsub_exception_handler
        )
