"""Forms, one module per feature: they validate and normalise; views glue them to services."""
