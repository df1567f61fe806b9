"""The service's routes, one module per kind of user: the public verification and share
links, sign-in, the archive (officers and clerks, citizens for their own documents),
citizens' share links, administrators' accounts."""
