"""Staff pages, one module per part of the work: ``home``, ``accounts`` (sign-in, passwords,
staff), ``playbooks``, ``openings`` (with the pipeline), ``candidates`` (adding, inviting,
erasing), ``candidate_page`` (the reviewer's page of one candidate), ``interviews``,
``decisions``, ``hiring_file`` and ``audit``; their forms are in ``forms``."""
