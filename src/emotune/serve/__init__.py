"""The HTTP service (``emotune serve``, extra ``[serve]``): :func:`~emotune.serve.app.create_app`."""
