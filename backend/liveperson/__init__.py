"""Step 2: the LivePerson SDK asks the brand's app for authentication, and the app asks here."""
