"""Operations: knowledge reload, stats and reports, health and metrics, logging, retention."""
