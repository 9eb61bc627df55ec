"""`gospub collect vk`: a VK API collector writing the dump layout `gospub import vk` reads.

The access token comes from `VK_TOKEN` only and is never written anywhere: requests send
it in the POST body, the saved envelopes keep the request parameters without it, and
error messages never include it.
"""
