"""Use cases: each service works over the database and small ports, and knows nothing of screens."""
