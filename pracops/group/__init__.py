"""Many practices at once: ``pracops run --practices practices.yaml`` runs each practice's
reports as tasks on a Dask cluster (issue 18) and writes a group page that compares them.

:mod:`~pracops.group.practices` reads ``practices.yaml``; :mod:`~pracops.group.cluster`
connects to a running scheduler or starts a ``LocalCluster``; :mod:`~pracops.group.run` checks
every practice's inputs on the cluster, then runs one task per (practice, report)
(:mod:`~pracops.group.tasks`, what the workers execute) and writes each practice's folder as a
single-practice run does; :mod:`~pracops.group.page` writes ``group.html`` and ``group.xlsx``;
:mod:`~pracops.group.sample` writes a group of generated practices to try it on.
"""
