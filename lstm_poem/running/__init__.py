"""Running trainings: a job on a thread, the backends (threads, Ray), identical trainings shared."""
