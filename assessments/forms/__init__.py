"""Forms for the assessment pages, split by sub-domain."""
