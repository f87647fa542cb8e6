"""Operations: Prometheus metrics (GET /metrics), request ids and the request log line, log formats."""
