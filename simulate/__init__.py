"""A seeded storefront that produces shopper behaviour (support code, not product code)."""
