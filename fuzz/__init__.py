"""Coverage-guided fuzzing of medmetrics' parsers and input readers (atheris): see README.md."""
