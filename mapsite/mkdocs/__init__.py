"""mapsite inside MkDocs: the plugin's options (`config`, shared with the CLI through `settings`, so mkdocs.yml is read one way) and the plugin's thin event handlers (`plugin`)."""
