"""Step 1 of every flow: the customer logs in to the brand, in a browser or in an app."""
