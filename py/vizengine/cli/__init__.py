"""Host-side tools (never imported in the browser): serve the built site, drive it in headless Chromium."""
