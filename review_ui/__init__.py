"""The one HTTP app: upload route, review screens and the results API."""
