"""The audit log inside the application: storage, the single writer, checkpoints, erasure."""
