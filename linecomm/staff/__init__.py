"""Staff accounts of the admin console: sign-in, roles and what each role may do."""
