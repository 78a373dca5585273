"""The MkDocs glue: the plugin's thin event handlers (`plugin`)."""
