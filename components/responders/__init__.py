"""Containment responders: the code that runs inside each cloud's function when threat detection
reports a workload of the environment (AWS Lambda, GCP Cloud Run function, Azure Function).

Every responder has one shape (decision.py): parse the cloud's finding, decide (severity,
environment, mode, dry run), act idempotently, report. The components in components/<cloud>/
containment.py package this folder as the function's source. Responders import only the
standard library and the cloud's own SDK: nothing of hardstack is deployed with them."""
