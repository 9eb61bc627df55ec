"""`gospub collect vk` and `gospub collect ok`: API collectors writing the dump layouts the importers read.

`http` holds what both share: the rate limiter, the client loop that retries with
backoff, the saved envelopes, page folders completed atomically (resume). `vk` and `ok`
are the platforms. Tokens and keys come from the environment only and are never written
anywhere: requests send them in the POST body, the saved envelopes keep the request
parameters without them, and error messages never include them.
"""
