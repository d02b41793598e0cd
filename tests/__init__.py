"""The CityOps Centre test suite."""
