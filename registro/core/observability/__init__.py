"""What operators see of a running site: the request's context in every log record (request id,
user, acting account), redaction of secrets, Prometheus metrics and the health report
(docs/adr/0020-deployment-health-logs-metrics.md). Domain-free: apps above add their own metrics
(`metrics.register_scrape_collector`) and context (`context.bind`)."""
