"""Task definitions, grouped by the benchmark that defines them."""
