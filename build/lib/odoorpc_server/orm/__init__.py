"""Model registry and ORM methods, independent of the protocol that calls them."""
