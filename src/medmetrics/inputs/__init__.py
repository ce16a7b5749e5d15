"""Reading: records from files (``files``, in chunks by ``streaming``), a task's inputs from a run
(``run``: ``TaskRun``), and adapters for harness output folders (``adapters``)."""
