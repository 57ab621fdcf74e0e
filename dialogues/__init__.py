"""The evaluators' harness: scripted dialogue scenarios (docs/spec/dialogue-scenarios.md) run against the agent.

`journeys dialogues` loads scenarios (scenarios.py), drives the same agent the chat UI uses,
optionally with a simulated user (simulation.py), and writes the report and JUnit XML.
"""
