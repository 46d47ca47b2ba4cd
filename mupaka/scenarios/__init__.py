"""The scenarios of ../shared/SCENARIOS.md told end to end (tests only: no models, not an
app). ``tests/test_api_scenarios.py`` tells scenarios 1 to 5 through the JSON API,
``tests/test_browser_scenarios.py`` scenarios 1 and 3 through the screens, and
``tests/test_demo_scenarios.py`` checks that the demo leaves each of them playable."""
