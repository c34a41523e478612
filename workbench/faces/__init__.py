"""Floor 6, the faces: terminal views, exports, charts, reports, the app, the workshop, the CLI."""
