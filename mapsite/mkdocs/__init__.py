"""mapsite inside MkDocs: the plugin's options (shared with the CLI, so mkdocs.yml is read one way) and the plugin."""
