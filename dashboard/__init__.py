"""The CityOps Centre web tier (Dash pages and shared widgets) and the `cityops` command line."""
