"""The one place that looks inside untrusted files (here: type sniffing; decoding comes later)."""
