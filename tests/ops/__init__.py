"""Operations: metrics, request ids and log lines."""
