"""Tasks and suites as pure data: which parser and metrics each dataset uses (``task``, and the
task tables by benchmark: ``classification``, ``entities``, ``generation``, ``medinst``), and how
each suite averages its tasks (``suite``, ``suites``)."""
