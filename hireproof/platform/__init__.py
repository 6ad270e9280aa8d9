"""The site's frame: home page, navigation, error pages and start-up hooks."""
