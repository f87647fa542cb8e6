"""News for the people in a ticket: what others did to it (the *Kabar* feed), and what waits for a Babinsa."""
